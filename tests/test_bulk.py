"""`bulk_update_values`: many rows in one UPDATE per batch, each value as save() writes
it, other rows and columns untouched."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.bulk import bulk_update_values
from frameworks.models import Contract, Valuation
from tests import factories

pytestmark = pytest.mark.django_db


def test_updates_exact_decimals_dates_and_foreign_keys_of_the_rows_given():
    contract = factories.ContractFactory()
    other_member = factories.MemberFactory()
    rows = [
        factories.ValuationFactory(contract=contract, period_end=day)
        for day in (
            datetime.date(2024, 6, 30),
            datetime.date(2024, 9, 30),
            datetime.date(2024, 12, 31),
        )
    ]
    untouched = factories.ValuationFactory(period_end=datetime.date(2024, 6, 30))
    amounts = [Decimal("0.05"), Decimal("12345678901.99"), Decimal("100000.00")]
    for row, amount in zip(rows, amounts, strict=True):
        row.amount = amount
        row.period_end = row.period_end.replace(year=2025)
    contract.member = other_member
    contract.value = Decimal("2.50")

    assert bulk_update_values(Valuation, rows, ["amount", "period_end"]) == 3
    assert bulk_update_values(Contract, [contract], ["member", "value"]) == 1

    for row, amount in zip(rows, amounts, strict=True):
        stored = Valuation.objects.get(pk=row.pk)
        assert stored.amount == amount
        assert stored.period_end.year == 2025
    assert Valuation.objects.get(pk=untouched.pk).amount == Decimal("50000.00")
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.member_id, stored.value) == (other_member.pk, Decimal("2.50"))
    assert stored.title == contract.title


def test_one_query_per_batch_whatever_the_rows_and_nothing_for_none():
    rows = [factories.ValuationFactory() for _ in range(5)]
    for row in rows:
        row.amount += 1

    with CaptureQueriesContext(connection) as queries:
        assert bulk_update_values(Valuation, rows, ["amount"], batch_size=2) == 5
        assert bulk_update_values(Valuation, [], ["amount"]) == 0

    assert len(queries) == 3
    assert (
        sorted(Valuation.objects.values_list("amount", flat=True))
        == [Decimal("50001.00")] * 5
    )
