"""The demo's double counting and review queue (issue 23): the demo supplier's
returns carry the same file on two lines, flagged on both; the submitted one is
explained, ranked in the team's queue and shows an excluded line with its reason.
Made once."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import SupplierContact
from demo.double_counting import EXCLUDED_REASON, EXPLANATION
from demo.load import load_demo
from returns.models import AnnualReturn, LineFlag
from returns.selectors.review import returns_awaiting_review

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def test_the_demo_shows_double_counting_to_the_supplier_and_the_team(team_client):
    load_demo(today=TODAY, scale=1)
    supplier = SupplierContact.objects.get(
        user__email="supplier@example.org", is_primary=True
    ).supplier
    flags = LineFlag.objects.filter(
        line__annual_return__supplier=supplier, code=LineFlag.Code.SAME_FILE
    )
    count = flags.count()
    assert count >= 2
    submitted = AnnualReturn.objects.filter(
        supplier=supplier, status=AnnualReturn.Status.SUBMITTED
    ).first()
    if submitted is not None:
        assert flags.filter(line__annual_return=submitted, explanation=EXPLANATION)
        queue = returns_awaiting_review()
        assert queue.reasons[submitted.pk].explained_flags >= 1
        page = team_client.get(
            reverse("team:review_detail", kwargs={"reference": submitted.reference})
        ).content.decode()
        assert "also attached to contract" in page
        assert EXCLUDED_REASON in page
    load_demo(today=TODAY, scale=1)
    assert flags.count() == count
