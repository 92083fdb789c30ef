"""Issue 25: issuing's honest floor (bench/issue_floor.py, hand-written SQL) writes the
same rows as `returns_issue`: returns, lines, their first history rows, the "issued"
events, the contract summary's rows and the year's issued time. Compared row by row, every column but the ids the
database hands out. PostgreSQL only: the floor's SQL is PostgreSQL's.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from bench.issue_floor import write_floor
from frameworks.models import Contract
from returns.models import (
    AnnualReturn,
    ContractSummary,
    GroupSummary,
    ReportingYear,
    ReturnEvent,
    ReturnLine,
)
from returns.services import returns_issue
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

D = Decimal
QUARTERS = (
    datetime.date(2024, 6, 30),
    datetime.date(2024, 9, 30),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 3, 31),
)


def contract_with(*amounts, **kwargs) -> Contract:
    contract = factories.ContractFactory(**kwargs)
    for period_end, amount in zip(QUARTERS, amounts, strict=False):
        factories.ValuationFactory(
            contract=contract, period_end=period_end, amount=D(amount)
        )
    return contract


def rows(year: ReportingYear) -> dict[str, list]:
    """Everything an issue of `year` wrote, with each id the database hands out
    replaced by the return's reference or the contract's."""
    returns = AnnualReturn.objects.filter(year=year)
    # the year before's rows (written by its factories) are in the summary only
    lines = ReturnLine.objects.filter(annual_return__year=year)
    reference = dict(returns.values_list("id", "reference"))
    contract = dict(lines.values_list("id", "contract__reference"))

    def plain(values, *, drop=("id",), ids=()):
        found = []
        for row in values:
            for name, mapping in ids:
                row[name] = mapping.get(row[name], row[name])
            found.append(tuple(sorted((k, v) for k, v in row.items() if k not in drop)))
        return sorted(found, key=repr)

    history_return = AnnualReturn.history.model.objects.filter(id__in=reference)
    history_line = ReturnLine.history.model.objects.filter(id__in=contract)
    return {
        "returns": plain(returns.values()),
        "lines": plain(lines.values(), ids=[("annual_return_id", reference)]),
        "returns' history": plain(
            history_return.values(),
            drop=("history_id",),
            ids=[("id", reference)],
        ),
        "lines' history": plain(
            history_line.values(),
            drop=("history_id",),
            ids=[("id", contract), ("annual_return_id", reference)],
        ),
        "events": plain(
            ReturnEvent.objects.filter(annual_return__year=year).values(),
            ids=[("annual_return_id", reference)],
        ),
        "summary": plain(ContractSummary.objects.values()),
        "groups": plain(GroupSummary.objects.values()),
        "year": [ReportingYear.objects.get(pk=year.pk).issued_at],
    }


@time_machine.travel(
    datetime.datetime(2025, 4, 14, 6, 30, tzinfo=datetime.UTC), tick=False
)
def test_the_floor_writes_the_same_rows_as_returns_issue():
    year = factories.ReportingYearFactory()
    year.ready_at = timezone.now()
    year.save()
    consultancy = factories.LotFactory(is_consultancy=True)
    supplier = factories.SupplierFactory()
    # Two lines on one return (their references in the event in order), spend that
    # rounds half-up, a consultancy contract with no spend, a contract without a
    # local authority; and what must not qualify: under the threshold, cancelled,
    # outside the year.
    earlier = contract_with(
        "25000.10", "25000.10", "25000.10", "24999.70", supplier=supplier
    )
    # Its approved line of the year before: its to-date row adds both years.
    factories.ReturnLineFactory(
        contract=earlier,
        annual_return=factories.AnnualReturnFactory(
            supplier=supplier,
            year=factories.ReportingYearFactory(first_year=2023),
            status=AnnualReturn.Status.APPROVED,
        ),
        target_credits=D("12.50"),
        delivered_credits=D("7.25"),
    )
    contract_with("60000.005", "70000.00", supplier=supplier, reference="A-FIRST")
    contract_with(lot=consultancy)
    contract_with("150000.00", local_authority=None)
    contract_with("50000.00", "49999.99")
    contract_with("200000.00", status=Contract.Status.CANCELLED)
    contract_with(
        "300000.00",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
    )
    now = timezone.now()

    with transaction.atomic():
        write_floor(ReportingYear.objects.get(pk=year.pk), now=now)
        floor = rows(year)
        transaction.set_rollback(True)
    assert not AnnualReturn.objects.filter(year=year).exists()
    returns_issue(year=ReportingYear.objects.get(pk=year.pk), send_emails=False)
    issued = rows(year)

    assert len(issued["returns"]) == 3
    assert len(issued["lines"]) == 4
    assert len(issued["returns' history"]) == 3
    assert len(issued["lines' history"]) == 4
    assert len(issued["events"]) == 3
    # Each issued contract's year row and to-date row, and the year before's row.
    assert len(issued["summary"]) == 4 + 4 + 1
    # Each issued supplier's to-date row (one per return), and its contracts' members'.
    kinds = [dict(row)["kind"] for row in issued["groups"]]
    assert kinds.count("supplier") == 3 and kinds.count("member") >= 1
    to_date = ContractSummary.objects.get(contract=earlier, year__isnull=True)
    assert (to_date.years, to_date.delivered_credits) == (2, D("7.25"))
    for what in issued:
        assert floor[what] == issued[what], what
