"""Issuing a year's returns: rules 3-6 exactly, each edge case computed by hand.

Every test runs on SQLite and on PostgreSQL (the suite runs twice in CI).
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frameworks.models import Contract
from returns import events
from returns.models import (
    AnnualReturn,
    IssueRun,
    Notification,
    ReportingYear,
    ReturnEvent,
    ReturnLine,
)
from returns.services import issue_plan, returns_issue, years_issue_due
from returns.services.issuing import YEAR_NOT_READY
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal
Q1, Q2, Q3, Q4 = (
    datetime.date(2024, 6, 30),
    datetime.date(2024, 9, 30),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 3, 31),
)


def ready_year(**kwargs) -> ReportingYear:
    year = factories.ReportingYearFactory(**kwargs)
    year.ready_at = timezone.now()
    year.save()
    return year


def contract_with(*amounts, period_ends=(Q1, Q2, Q3, Q4), **kwargs) -> Contract:
    contract = factories.ContractFactory(**kwargs)
    for period_end, amount in zip(period_ends, amounts, strict=False):
        factories.ValuationFactory(
            contract=contract, period_end=period_end, amount=D(amount)
        )
    return contract


def line_for(contract) -> ReturnLine | None:
    return ReturnLine.objects.filter(contract=contract).first()


@pytest.fixture
def year():
    return ready_year()


@pytest.fixture
def consultancy_lot():
    return factories.LotFactory(is_consultancy=True)


def issue(year, **kwargs) -> IssueRun:
    return returns_issue(year=year, **kwargs)


# --- Rule 3, 4, 5: what qualifies, its spend and target ----------------------------


def test_spend_of_exactly_the_threshold_from_four_quarters_qualifies(year):
    # 25,000.10 × 3 + 24,999.70 = 100,000.00; as floats the sum is 99,999.99999…
    contract = contract_with("25000.10", "25000.10", "25000.10", "24999.70")
    issue(year)
    line = line_for(contract)
    assert line is not None
    assert (line.spend, line.target_credits) == (D("100000.00"), D("10.00"))


def test_spend_a_penny_under_the_threshold_does_not_qualify(year):
    contract = contract_with("50000.00", "49999.99")
    issue(year)
    assert line_for(contract) is None
    assert not AnnualReturn.objects.filter(supplier=contract.supplier).exists()


def test_a_consultancy_contract_qualifies_whatever_its_spend(year, consultancy_lot):
    small = contract_with("5000.00", lot=consultancy_lot)
    none = contract_with(lot=consultancy_lot)
    issue(year)
    assert (line_for(small).spend, line_for(small).target_credits) == (
        D("5000.00"),
        D("0.50"),
    )
    assert (line_for(none).spend, line_for(none).target_credits) == (
        D("0.00"),
        D("0.00"),
    )


def test_a_cancelled_contract_never_qualifies(year):
    contract = contract_with("200000.00", status=Contract.Status.CANCELLED)
    issue(year)
    assert line_for(contract) is None


def test_a_contract_completed_in_june_qualifies_on_its_spend(year):
    contract = contract_with(
        "150000.00",
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2024, 6, 15),
        status=Contract.Status.COMPLETED,
    )
    issue(year)
    assert line_for(contract).target_credits == D("15.00")


def test_a_contract_starting_on_31_march_overlaps_the_year(year):
    contract = contract_with(
        "120000.00",
        period_ends=(Q4,),
        starts_on=datetime.date(2025, 3, 31),
        ends_on=datetime.date(2026, 3, 31),
    )
    issue(year)
    assert line_for(contract).spend == D("120000.00")


def test_a_contract_that_ended_before_the_year_does_not_qualify(year):
    # A final account certified in the year does not bring back an ended contract.
    contract = contract_with(
        "300000.00",
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2024, 3, 31),
        status=Contract.Status.COMPLETED,
    )
    issue(year)
    assert line_for(contract) is None


def test_only_valuations_ending_inside_the_year_count(year):
    contract = contract_with(
        "100000.00", "500000.00", period_ends=(Q4, datetime.date(2025, 6, 30))
    )
    contract_with("90000.00", period_ends=(datetime.date(2024, 3, 31),))
    issue(year)
    assert line_for(contract).spend == D("100000.00")
    assert line_for(contract).target_credits == D("10.00")


def test_a_target_of_exactly_half_a_penny_rounds_up(year):
    # 100,050 × 10 / 100,000 = 10.005: half-up gives 10.01 (half-even would give 10.00)
    contract = contract_with("100050.00")
    issue(year)
    assert line_for(contract).target_credits == D("10.01")


def test_the_year_rate_sets_the_target_and_the_threshold_only_qualifies():
    year = ready_year(credits_per_100k=D("12.50"), spend_threshold=D("50000"))
    contract = contract_with("60000.00")
    issue(year)
    # 60,000 × 12.5 / 100,000 = 7.50: the divisor is always 100,000
    assert line_for(contract).target_credits == D("7.50")


def test_a_supplier_with_no_qualifying_contract_gets_no_return(year):
    small = contract_with("1000.00")
    contract_with("150000.00")
    issue(year)
    assert not AnnualReturn.objects.filter(supplier=small.supplier).exists()
    assert AnnualReturn.objects.count() == 1


def test_one_return_per_supplier_with_a_line_per_qualifying_contract(year):
    supplier = factories.SupplierFactory(pk=123)
    first = contract_with("150000.00", supplier=supplier)
    second = contract_with("300000.00", supplier=supplier)
    other_member = factories.MemberFactory()
    first.member = other_member
    first.save()

    run = issue(year)

    annual_return = AnnualReturn.objects.get(supplier=supplier)
    assert annual_return.reference == "SV-2024-25-00123"
    assert annual_return.status == AnnualReturn.Status.NOT_STARTED
    assert annual_return.issued_at is not None
    lines = {line.contract_id: line for line in annual_return.lines.all()}
    assert set(lines) == {first.pk, second.pk}
    assert lines[first.pk].member == other_member  # the snapshot
    assert lines[first.pk].lot == first.lot
    assert lines[first.pk].local_authority == first.local_authority
    assert run.summary["new_returns"] == 1
    assert run.summary["new_lines"] == 2
    assert run.summary["total_target"] == "45.00"
    assert ReturnEvent.objects.get(annual_return=annual_return).kind == events.ISSUED
    year.refresh_from_db()
    assert year.issued_at is not None


def test_the_snapshot_keeps_the_member_when_the_contract_moves_later(year):
    contract = contract_with("150000.00")
    issue(year)
    original = contract.member
    contract.member = factories.MemberFactory()
    contract.save()
    issue(year)
    assert line_for(contract).member == original


# --- The dry run and the decision --------------------------------------------------


def test_a_dry_run_writes_nothing_but_its_run(year):
    contract_with("150000.00")
    run = issue(year, dry_run=True)
    assert run.dry_run and run.status == IssueRun.Status.SUCCEEDED
    assert run.summary["new_returns"] == 1 and run.summary["lines"] == 1
    assert not AnnualReturn.objects.exists()
    year.refresh_from_db()
    assert year.issued_at is None


def test_a_year_not_marked_ready_is_refused_and_nothing_changes():
    year = factories.ReportingYearFactory()
    contract_with("150000.00")
    with pytest.raises(ValidationError) as refused:
        issue(year)
    assert refused.value.messages == [YEAR_NOT_READY.format(label="2024/25")]
    assert not AnnualReturn.objects.exists()
    run = IssueRun.objects.get()
    assert run.status == IssueRun.Status.FAILED
    assert "not been marked ready" in run.summary["error"]


def test_the_plan_warns_about_missing_march_valuations_contacts_and_dates(year):
    live = contract_with("150000.00", "20000.00", "20000.00")  # no 31 March
    factories.SupplierContactFactory(supplier=live.supplier)
    lonely = contract_with("150000.00", "1", "1", "1")  # no contact at all
    outside = contract_with(
        "150000.00",
        "5000.00",
        "5000.00",
        "5000.00",
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2024, 6, 30),
        status=Contract.Status.COMPLETED,
    )
    factories.SupplierContactFactory(supplier=outside.supplier)
    plan = issue_plan(year=year)
    assert plan.warnings["no_valuation_for_last_quarter"] == 1
    assert plan.warning_examples["no_valuation_for_last_quarter"] == [live.reference]
    assert plan.warning_examples["suppliers_without_active_contact"] == [
        lonely.supplier.name
    ]
    # Quarters to 30 Sep, 31 Dec and 31 Mar all begin after it ended on 30 June.
    assert plan.warning_examples["spend_outside_contract_dates"] == [outside.reference]


def test_the_plan_groups_returns_and_lines_by_framework(year, consultancy_lot):
    supplier = factories.SupplierFactory()
    contract_with("150000.00", supplier=supplier)
    contract_with("5000.00", supplier=supplier, lot=consultancy_lot)
    rows = issue_plan(year=year).by_framework()
    assert [(r["returns"], r["lines"]) for r in rows] == [(1, 1), (1, 1)]
    assert sum(r["target"] for r in rows) == D("15.50")


# --- Set-based: queries do not grow with contracts ---------------------------------


def _queries_to_issue(label_year: int, contracts: int) -> int:
    year = ready_year(first_year=label_year)
    for _ in range(contracts):
        supplier = factories.SupplierFactory()
        factories.SupplierContactFactory(supplier=supplier)
        for _ in range(2):
            contract = contract_with(
                "150000.00",
                period_ends=(datetime.date(label_year, 6, 30),),
                supplier=supplier,
                starts_on=datetime.date(label_year, 4, 1),
                ends_on=datetime.date(label_year + 1, 3, 31),
            )
            assert contract
    with CaptureQueriesContext(connection) as queries:
        issue(year)
    assert AnnualReturn.objects.filter(year=year).count() == contracts
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_contracts():
    assert _queries_to_issue(2022, 2) == _queries_to_issue(2023, 12)


# --- Rule 6: re-issue ---------------------------------------------------------------


def test_a_second_run_creates_nothing_and_sends_no_email(
    year, django_capture_on_commit_callbacks
):
    contract = contract_with("150000.00")
    factories.SupplierContactFactory(supplier=contract.supplier)
    with django_capture_on_commit_callbacks(execute=True):
        issue(year)
    counts = (
        AnnualReturn.objects.count(),
        ReturnLine.objects.count(),
        ReturnEvent.objects.count(),
        Notification.objects.count(),
    )
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        run = issue(year)

    assert (
        AnnualReturn.objects.count(),
        ReturnLine.objects.count(),
        ReturnEvent.objects.count(),
        Notification.objects.count(),
    ) == counts
    assert len(mail.outbox) == 1
    assert run.summary["new_returns"] == run.summary["new_lines"] == 0
    assert run.summary["lines_refreshed"] == 0


def test_a_corrected_valuation_refreshes_an_open_line_with_an_event(year):
    contract = contract_with("150000.00")
    issue(year)
    annual_return = AnnualReturn.objects.get()
    annual_return.status = AnnualReturn.Status.IN_PROGRESS
    annual_return.save()
    version = line_for(contract).version
    contract.valuations.filter(period_end=Q1).update(amount=D("180000.00"))

    run = issue(year)

    line = line_for(contract)
    assert (line.spend, line.target_credits) == (D("180000.00"), D("18.00"))
    assert line.version == version  # spend is not the supplier's figures
    event = ReturnEvent.objects.get(kind=events.REFRESHED)
    assert event.annual_return == annual_return
    assert event.snapshot["lines"][0]["old_target"] == "15.00"
    assert event.snapshot["lines"][0]["new_target"] == "18.00"
    assert run.summary["lines_refreshed"] == 1
    assert line.history.first().history_change_reason.startswith("Re-issue")


def test_a_correction_below_the_threshold_keeps_the_line_and_lists_it(year):
    contract = contract_with("150000.00")
    issue(year)
    contract.valuations.update(amount=D("90000.00"))

    run = issue(year)

    line = line_for(contract)
    assert line is not None and line.spend == D("150000.00")
    assert run.summary["no_longer_qualifying"] == [
        {
            "return": line.annual_return.reference,
            "status": "not_started",
            "contract": contract.reference,
            "spend": "150000.00",
            "new_spend": "90000.00",
        }
    ]
    # Once the team excludes it, it is no longer listed.
    line.excluded_at = timezone.now()
    line.excluded_reason = "Below the threshold after correction"
    line.save()
    assert issue(year).summary["no_longer_qualifying"] == []


def test_a_submitted_return_is_listed_and_not_changed(year):
    contract = contract_with("150000.00")
    issue(year)
    AnnualReturn.objects.update(status=AnnualReturn.Status.SUBMITTED)
    contract.valuations.update(amount=D("200000.00"))
    newcomer = contract_with("400000.00", supplier=contract.supplier)

    run = issue(year)

    assert line_for(contract).spend == D("150000.00")
    assert line_for(newcomer) is None
    assert [row["contract"] for row in run.summary["locked_changes"]] == [
        contract.reference
    ]
    assert run.summary["locked_changes"][0]["new_spend"] == "200000.00"
    assert [row["contract"] for row in run.summary["locked_additions"]] == [
        newcomer.reference
    ]
    assert not ReturnEvent.objects.filter(kind=events.REFRESHED).exists()


def test_a_newly_qualifying_contract_is_added_to_an_open_return(year):
    contract = contract_with("150000.00")
    issue(year)
    AnnualReturn.objects.update(status=AnnualReturn.Status.RETURNED)
    newcomer = contract_with("100000.00", supplier=contract.supplier)

    run = issue(year)

    assert line_for(newcomer).annual_return == line_for(contract).annual_return
    assert run.summary["lines_added_to_open_returns"] == 1
    event = ReturnEvent.objects.get(kind=events.LINE_ADDED)
    assert event.comment == newcomer.reference


def test_a_new_supplier_on_a_re_issue_gets_a_return(year):
    contract_with("150000.00")
    issue(year)
    later = contract_with("150000.00")
    run = issue(year)
    assert run.summary["new_returns"] == 1
    assert AnnualReturn.objects.filter(supplier=later.supplier).exists()


# --- Telling suppliers ---------------------------------------------------------------


def test_each_active_contact_gets_one_issued_email(
    year, django_capture_on_commit_callbacks
):
    contract = contract_with("150000.00")
    active = factories.SupplierContactFactory(supplier=contract.supplier)
    gone = factories.SupplierContactFactory(supplier=contract.supplier, is_active=False)
    # A person who reports for two suppliers gets one email naming both returns.
    second = contract_with("250000.00")
    both = factories.SupplierContactFactory(supplier=contract.supplier).user
    factories.SupplierContactFactory(supplier=second.supplier, user=both)

    with django_capture_on_commit_callbacks(execute=True):
        run = issue(year)

    assert run.summary["emails_queued"] == 3
    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {active.user.email, both.email}
    assert gone.user.email not in by_person
    body = by_person[active.user.email].body
    annual_return = AnnualReturn.objects.get(supplier=contract.supplier)
    assert annual_return.reference in body
    assert contract.reference in body
    assert "target 15.00 credits" in body
    assert "30 June 2025" in body  # the deadline
    assert f"/returns/{annual_return.reference}/" in body
    both_body = by_person[both.email].body
    assert AnnualReturn.objects.get(supplier=second.supplier).reference in both_body
    assert annual_return.reference in both_body


def test_a_demo_issue_writes_no_ledger_rows(year):
    contract = contract_with("150000.00")
    factories.SupplierContactFactory(supplier=contract.supplier)
    issue(year, send_emails=False)
    assert not Notification.objects.exists()


# --- The daily job -------------------------------------------------------------------


def test_the_daily_job_issues_ready_years_whose_issue_date_has_come():
    due = ready_year(first_year=2023)  # issue date 14 April 2024
    not_ready = factories.ReportingYearFactory(first_year=2024)
    contract_with("150000.00")
    contract_with(
        "150000.00",
        period_ends=(datetime.date(2023, 6, 30),),
        starts_on=datetime.date(2023, 4, 1),
    )

    runs = years_issue_due(today=datetime.date(2025, 6, 1))  # a beat that was down

    assert [run.year for run in runs] == [due]
    not_ready.refresh_from_db()
    assert not_ready.issued_at is None
    assert not AnnualReturn.objects.filter(year=not_ready).exists()
    assert AnnualReturn.objects.filter(year=due).count() == 1
    assert years_issue_due(today=datetime.date(2025, 6, 2)) == []  # run twice


def test_the_daily_job_waits_for_the_issue_date(year):
    contract_with("150000.00")
    assert years_issue_due(today=datetime.date(2025, 4, 13)) == []
    assert len(years_issue_due(today=datetime.date(2025, 4, 14))) == 1


def test_the_daily_task_is_scheduled_at_half_past_six_london():
    from django.conf import settings

    from returns.tasks import issue_ready_years

    entry = settings.CELERY_BEAT_SCHEDULE["issue-ready-years"]
    assert entry["task"] == issue_ready_years.name
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Europe/London"


# --- Two runs at once ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_leave_one_return_per_supplier_and_one_line_per_contract():
    year = ready_year()
    contracts = []
    for _ in range(5):
        supplier = factories.SupplierFactory()
        factories.SupplierContactFactory(supplier=supplier)
        contracts += [contract_with("150000.00", supplier=supplier) for _ in range(3)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            returns_issue(year=year, send_emails=True)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert AnnualReturn.objects.filter(year=year).count() == 5
    assert ReturnLine.objects.count() == 15
    assert ReturnEvent.objects.filter(kind=events.ISSUED).count() == 5
    assert Notification.objects.count() == 5
    runs = IssueRun.objects.filter(year=year, status=IssueRun.Status.SUCCEEDED)
    assert sorted(run.summary["new_returns"] for run in runs) == [0, 5]


# --- The command ---------------------------------------------------------------------


def test_the_command_dry_runs_unless_told_to_commit(year):
    import io

    from django.core.management import call_command

    contract_with("150000.00")
    output = io.StringIO()
    call_command("issue_returns", "--year", "2024/25", stdout=output)
    assert "Dry run 2024/25: 1 returns, 1 lines" in output.getvalue()
    assert not AnnualReturn.objects.exists()

    call_command("issue_returns", "--year", "2024-25", "--commit", stdout=output)
    assert AnnualReturn.objects.count() == 1
    assert IssueRun.objects.filter(dry_run=False).count() == 1


def test_the_command_refuses_a_year_not_ready_or_not_opened():
    from django.core.management import CommandError, call_command

    factories.ReportingYearFactory()
    with pytest.raises(CommandError, match="not been marked ready"):
        call_command("issue_returns", "--year", "2024/25", "--commit")
    with pytest.raises(CommandError, match="No reporting year 2031/32"):
        call_command("issue_returns", "--year", "2031/32")
