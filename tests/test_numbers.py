"""Rounding is half-up, done by one helper before storage, on both databases."""

from decimal import Decimal

import pytest

from core.numbers import round_credits, round_half_up, round_money, target_for
from frameworks.models import Valuation
from returns.models import ReturnLine
from tests import factories


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # half-even would give 0.02
        ("2.675", "2.68"),
        ("0.004", "0.00"),
        ("1.0049999", "1.00"),
    ],
)
def test_round_credits_rounds_half_up(value, expected):
    assert round_credits(Decimal(value)) == Decimal(expected)


def test_round_helpers_accept_floats_by_their_shortest_repr():
    # 2.675 as a binary float is 2.67499999…; the helper reads it as the 2.675 typed.
    assert round_money(2.675) == Decimal("2.68")
    assert round_half_up("7", 2) == Decimal("7.00")


def test_target_is_spend_times_rate_over_one_hundred_thousand():
    assert target_for(Decimal("100000.00"), Decimal("10")) == Decimal("10.00")
    assert target_for(Decimal("5000.00"), Decimal("10")) == Decimal("0.50")
    # 123,450.50 × 10 / 100,000 = 12.34505 → 12.35 (half-up at the third place)
    assert target_for(Decimal("123450.50"), Decimal("10")) == Decimal("12.35")


@pytest.mark.django_db
def test_credits_of_0_005_are_stored_and_read_back_as_0_01():
    line = factories.ReturnLineFactory(
        delivered_credits=round_credits(Decimal("0.005"))
    )
    assert ReturnLine.objects.get(pk=line.pk).delivered_credits == Decimal("0.01")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["0.005", "0.025", "10.125"])
def test_a_field_given_three_places_still_rounds_half_up_not_by_the_database(raw):
    """The model field calls the helper on the way in: neither SQLite's half-even nor
    PostgreSQL's rounding ever decides."""
    line = factories.ReturnLineFactory(target_credits=Decimal(raw))
    expected = round_credits(Decimal(raw))
    assert ReturnLine.objects.get(pk=line.pk).target_credits == expected
    ReturnLine.objects.filter(pk=line.pk).update(delivered_credits=Decimal(raw))
    assert ReturnLine.objects.get(pk=line.pk).delivered_credits == expected


@pytest.mark.django_db
def test_money_reads_back_exactly_on_both_databases():
    valuation = factories.ValuationFactory(amount=Decimal("25000.10"))
    assert Valuation.objects.get(pk=valuation.pk).amount == Decimal("25000.10")
