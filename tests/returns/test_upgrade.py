"""An upgrade fills, once, the derived data its new tables start without: the
contract summary, and the flags and big-change counts of returns in play."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.migrations.migration import Migration

from returns.models import AnnualReturn, ContractSummary, LineFlag, ReturnEntry
from returns.services.summary import summary_drift
from returns.services.upgrade import after_migrate
from tests import factories

pytestmark = pytest.mark.django_db


def _plan(*names: str) -> list[tuple[Migration, bool]]:
    return [(Migration(name, "returns"), False) for name in names]


def _line_with_figure_far_above_last_year():
    """A contract with 4 jobs last year and 40 typed straight into the table this
    year (as data from before the upgrade: no save ever ran the soft checks)."""
    contract = factories.ContractFactory()
    last = factories.ReportingYearFactory(first_year=2023)
    this = factories.ReportingYearFactory(first_year=2024)
    measure = factories.measure("EMP-FT")
    old = factories.ReturnLineFactory(
        contract=contract,
        annual_return__year=last,
        annual_return__supplier=contract.supplier,
        annual_return__status=AnnualReturn.Status.APPROVED,
    )
    ReturnEntry.objects.create(line=old, measure=measure, quantity=Decimal("10"))
    line = factories.ReturnLineFactory(
        contract=contract,
        annual_return__year=this,
        annual_return__supplier=contract.supplier,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        annual_return__submitted_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
    )
    ReturnEntry.objects.create(line=line, measure=measure, quantity=Decimal("40"))
    return line


def test_the_flags_migration_works_out_the_flags_of_returns_in_play_once():
    line = _line_with_figure_far_above_last_year()
    assert not LineFlag.objects.exists()
    after_migrate(plan=_plan("0012_i22_members"))  # another upgrade: nothing
    assert not LineFlag.objects.exists()
    after_migrate(plan=_plan("0014_i23_review"))
    flags = LineFlag.objects.filter(line=line)
    assert LineFlag.Code.ABOVE_LAST_YEAR in {flag.code for flag in flags}
    assert {flag.explanation for flag in flags} == {""}  # still to be explained


def test_the_summary_migration_builds_the_summary_when_it_is_empty():
    line = _line_with_figure_far_above_last_year()
    ContractSummary.objects.all().delete()
    after_migrate(plan=_plan("0013_contract_summary"))
    assert ContractSummary.objects.filter(contract=line.contract).exists()
    assert summary_drift() == []


def test_refresh_flags_keeps_an_explanation_that_still_applies():
    line = _line_with_figure_far_above_last_year()
    said = io.StringIO()
    call_command("refresh_flags", stdout=said)
    assert "1 return(s)" in said.getvalue()  # last year's, approved, is not in play
    LineFlag.objects.filter(line=line).update(explanation="A new site opened")
    call_command("refresh_flags", stdout=io.StringIO())
    kept = LineFlag.objects.filter(line=line)
    assert kept.exists()
    assert {flag.explanation for flag in kept} == {"A new site opened"}


def test_corrected_credit_values_move_the_target_check_of_returns_in_play():
    from returns.models import YearMeasure
    from returns.tasks import recompute_credits

    line = _line_with_figure_far_above_last_year()  # 40 jobs, target 20 credits
    rate = YearMeasure.objects.get(year=line.annual_return.year, measure__code="EMP-FT")
    rate.credits_per_unit = Decimal("1")  # 40 credits: within 3 times the target
    rate.save()
    call_command("refresh_flags", stdout=io.StringIO())
    assert not LineFlag.objects.filter(
        line=line, code=LineFlag.Code.ABOVE_TARGET
    ).exists()
    rate.credits_per_unit = Decimal("2")  # 80 credits: more than 3 times 20
    rate.save()
    assert recompute_credits(line_ids=[line.pk]) == 1
    assert LineFlag.objects.filter(line=line, code=LineFlag.Code.ABOVE_TARGET).exists()
