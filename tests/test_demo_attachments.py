"""The demo's evidence, case studies and queries: made once, on the demo supplier's
latest return, and never twice."""

import datetime

import pytest

from accounts.models import SupplierContact
from portal.demo import load_demo
from returns.models import CaseStudy, Evidence, LineQuery
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def test_the_demo_adds_attachments_to_the_demo_suppliers_return_once():
    load_demo(today=TODAY, scale=1)
    assert not Evidence.objects.exists()  # no return yet: the step waits
    supplier = SupplierContact.objects.get(
        user__email="supplier@example.org", is_primary=True
    ).supplier
    annual_return = factories.AnnualReturnFactory(supplier=supplier)
    for n in range(3):
        factories.ReturnLineFactory(
            annual_return=annual_return, contract__reference=f"TEST-{n}"
        )
    load_demo(today=TODAY, scale=1)
    counts = (
        Evidence.objects.count(),
        CaseStudy.objects.count(),
        LineQuery.objects.count(),
    )
    assert counts == (1, 2, 2)
    load_demo(today=TODAY, scale=1)
    assert (
        Evidence.objects.count(),
        CaseStudy.objects.count(),
        LineQuery.objects.count(),
    ) == counts
    assert LineQuery.objects.filter(answered_at__isnull=True).count() == 1
