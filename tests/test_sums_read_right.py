"""Every sum that leaves the database has exactly two places, on SQLite too.

On SQLite a SUM is a float, which Django read back as `Decimal('0.300000000000000')`
even through `Round(..., 2)`: the review list showed 257.710000000000 in Target and
Entered, and the chasing list CSV 719.740000000000. Sums are `core.fields.rounded_sum`.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.fields import rounded_sum
from returns import figures
from returns.models import AnnualReturn, ReturnLine
from returns.selectors.access import supplier_returns_for_user
from returns.selectors.review import return_totals
from returns.selectors.supplier import supplier_returns
from tests import factories

pytestmark = pytest.mark.django_db

# Three lines whose credits, summed as floats, are not 0.60 and 30.60 exactly.
CREDITS = [("0.10", "10.10"), ("0.20", "10.20"), ("0.30", "10.30")]


def has_two_places(value) -> bool:
    return isinstance(value, Decimal) and value.as_tuple().exponent == -2


@pytest.fixture
def submitted(supplier):
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier,
        status=AnnualReturn.Status.SUBMITTED,
        submitted_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
    )
    for delivered, target in CREDITS:
        factories.ReturnLineFactory(
            annual_return=annual_return,
            target_credits=Decimal(target),
            delivered_credits=Decimal(delivered),
        )
    return annual_return


def test_a_sum_reads_back_with_two_places(submitted):
    total = ReturnLine.objects.aggregate(
        delivered=rounded_sum("delivered_credits"),
        target=rounded_sum("target_credits"),
    )
    assert total == {"delivered": Decimal("0.60"), "target": Decimal("30.60")}
    assert has_two_places(total["delivered"]) and has_two_places(total["target"])


def test_return_totals_are_rounded(submitted):
    row = return_totals(return_ids=[submitted.pk])[submitted.pk]
    assert (row["target"], row["entered"]) == (Decimal("30.60"), Decimal("0.60"))
    assert has_two_places(row["target"]) and has_two_places(row["entered"])


def test_the_review_list_shows_two_places(submitted, team_client):
    html = team_client.get(reverse("team:review_list")).content.decode()
    assert "30.60" in html and "0.60" in html
    assert "0.600000" not in html and "30.6000" not in html


def test_the_chasing_list_csv_has_two_places(submitted, team_client):
    url = reverse("team:chasing_list", kwargs={"slug": submitted.year.slug})
    body = team_client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert ",30.60," in body
    assert "30.6000" not in body


def test_supplier_and_figure_sums_have_two_places(submitted, supplier_user):
    for annual_return in supplier_returns(supplier=submitted.supplier):
        assert has_two_places(annual_return.target_total)
        assert has_two_places(annual_return.delivered_total)
    for annual_return in supplier_returns_for_user(user=supplier_user):
        assert has_two_places(annual_return.target_total)
    total = figures.totals(lines=figures.counted_lines())
    assert all(has_two_places(v) for k, v in total.items() if k != "lines")
