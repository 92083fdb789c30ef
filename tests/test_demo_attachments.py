"""The demo's evidence, case studies and queries: made once, on the demo supplier's
latest return, and never twice."""

import datetime

import pytest

from accounts.models import SupplierContact
from demo.double_counting import REGISTER
from demo.load import load_demo
from returns.models import CaseStudy, Evidence, LineQuery

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def test_the_demo_adds_attachments_to_the_demo_suppliers_return_once():
    load_demo(today=TODAY, scale=1)
    supplier = SupplierContact.objects.get(
        user__email="supplier@example.org", is_primary=True
    ).supplier
    counts = (
        Evidence.objects.filter(line__annual_return__supplier=supplier)
        .exclude(original_name=REGISTER)  # issue 23's demo step adds its own
        .count(),
        CaseStudy.objects.filter(line__annual_return__supplier=supplier).count(),
        LineQuery.objects.filter(line__annual_return__supplier=supplier).count(),
    )
    assert counts == (1, 2, 2)
    load_demo(today=TODAY, scale=1)
    assert (
        Evidence.objects.filter(line__annual_return__supplier=supplier)
        .exclude(original_name=REGISTER)  # issue 23's demo step adds its own
        .count(),
        CaseStudy.objects.filter(line__annual_return__supplier=supplier).count(),
        LineQuery.objects.filter(line__annual_return__supplier=supplier).count(),
    ) == counts
