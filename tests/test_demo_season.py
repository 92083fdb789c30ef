"""The demo supplier's login shows this year's return part-filled and last year's
submitted (issue 5, point 7)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from demo.consortium import DemoBuild
from demo.load import load_demo
from demo.supplier_season import build_supplier_season
from returns import events
from returns.models import (
    AnnualReturn,
    LineFlag,
    ReturnEntry,
    ReturnEvent,
    ReturnLine,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def _demo_supplier():
    user = User.objects.get(email="supplier@example.org")
    return user, user.supplier_contacts.get(is_primary=True).supplier


def _issue_with_factories(supplier):
    """Until the issuing step is in the demo, issue two years' returns here."""
    contracts = list(supplier.contracts.order_by("reference")[:6])
    last = factories.AnnualReturnFactory(
        supplier=supplier, year=factories.ReportingYearFactory(first_year=2023)
    )
    current = factories.AnnualReturnFactory(
        supplier=supplier, year=factories.ReportingYearFactory(first_year=2024)
    )
    for index, contract in enumerate(contracts):
        for annual_return in (last, current):
            factories.ReturnLineFactory(
                annual_return=annual_return,
                contract=contract,
                target_credits=Decimal(5 + 7 * index),
            )


def test_the_demo_supplier_has_last_year_submitted_and_this_year_part_filled():
    load_demo(today=TODAY, scale=1)
    user, supplier = _demo_supplier()
    if not AnnualReturn.objects.filter(supplier=supplier).exists():
        _issue_with_factories(supplier)
        build_supplier_season(DemoBuild(today=TODAY, scale=1))
    current, last = AnnualReturn.objects.filter(supplier=supplier).order_by(
        "-year__starts_on"
    )[:2]
    assert last.status == AnnualReturn.Status.SUBMITTED
    assert last.declared_by_name == "Priya Supplier"
    assert last.first_submitted_at.date() <= last.effective_deadline
    # Issue 23: the demo shows flagged figures with the supplier's explanations.
    flags = LineFlag.objects.filter(line__annual_return=last)
    assert flags.exists()
    assert all(flag.explanation for flag in flags)
    assert current.status == AnnualReturn.Status.IN_PROGRESS
    filled = ReturnLine.objects.filter(
        annual_return=current, entries__isnull=False
    ).distinct()
    assert 0 < filled.count() < current.lines.count()
    assert ReturnLine.objects.filter(
        annual_return=current, shortfall_reason__gt=""
    ).exists()

    versions = list(ReturnLine.objects.order_by("pk").values_list("version", flat=True))
    counts = (ReturnEntry.objects.count(), ReturnEvent.objects.count())
    build_supplier_season(DemoBuild(today=TODAY, scale=1))
    assert (
        list(ReturnLine.objects.order_by("pk").values_list("version", flat=True))
        == versions
    )
    assert (ReturnEntry.objects.count(), ReturnEvent.objects.count()) == counts
    assert (
        ReturnEvent.objects.filter(annual_return=last, kind=events.SUBMITTED).count()
        == 1
    )
