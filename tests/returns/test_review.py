"""The team's review: approve, send back, reopen, exclude and include a line; the
review page's comparisons, big changes and what changed since the last submission."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from returns import events, figures
from returns.models import AnnualReturn, Notification, ReturnEvent
from returns.selectors import completeness
from returns.selectors import review as review_selectors
from returns.services import ReturnNotEditable, line_save, return_submit
from returns.services.review import (
    REASON_REQUIRED,
    ReviewRefused,
    line_exclude,
    line_include,
    return_approve,
    return_reopen,
    return_send_back,
)
from tests import factories

pytestmark = pytest.mark.django_db

SUBMITTED = AnnualReturn.Status.SUBMITTED
APPROVED = AnnualReturn.Status.APPROVED
RETURNED = AnnualReturn.Status.RETURNED


@pytest.fixture
def contact():
    return factories.SupplierContactFactory(
        is_primary=True, supplier__name="Acme Build Ltd"
    )


@pytest.fixture
def submitted(contact, django_capture_on_commit_callbacks):
    """A return the supplier filled in and submitted through the real services."""
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    for reference in ("C-1", "C-2"):
        line = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            target_credits=D("10"),
        )
        line_save(
            line=line, user=contact.user, expected_version=1, quantities={"EMP-FT": "1"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="Asha Patel",
            declared_own_figures=True,
        )
    mail.outbox.clear()
    annual_return.refresh_from_db()
    return annual_return


def _kinds(annual_return):
    return list(
        ReturnEvent.objects.filter(annual_return=annual_return)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )


# --- Services ---------------------------------------------------------------------


def test_approving_locks_the_return_records_who_and_emails_the_contacts(
    submitted, contact, team_user, django_capture_on_commit_callbacks
):
    other = factories.SupplierContactFactory(supplier=submitted.supplier)
    with django_capture_on_commit_callbacks(execute=True):
        approved = return_approve(annual_return=submitted, user=team_user)
    assert approved.status == APPROVED
    assert approved.approved_by == team_user
    assert approved.approved_at is not None
    event = ReturnEvent.objects.get(annual_return=submitted, kind=events.APPROVED)
    assert event.actor == team_user
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contact.user.email, other.user.email]
    )
    assert "approved" in mail.outbox[0].subject
    assert Notification.objects.filter(kind=Notification.Kind.APPROVED).count() == 2
    # Approval locks it: the supplier can no longer change a line.
    line = submitted.lines.first()
    with pytest.raises(ReturnNotEditable):
        line_save(
            line=line,
            user=contact.user,
            expected_version=line.version,
            quantities={"EMP-FT": "3"},
        )


def test_only_a_submitted_return_can_be_approved(submitted, team_user):
    return_approve(annual_return=submitted, user=team_user)
    with pytest.raises(ReviewRefused, match="only a submitted return"):
        return_approve(annual_return=submitted, user=team_user)
    assert _kinds(submitted).count(events.APPROVED) == 1


def test_a_supplier_cannot_approve_or_send_back(submitted, contact):
    with pytest.raises(PermissionDenied):
        return_approve(annual_return=submitted, user=contact.user)
    with pytest.raises(PermissionDenied):
        return_send_back(annual_return=submitted, user=contact.user, reason="x")
    submitted.refresh_from_db()
    assert submitted.status == SUBMITTED


def test_sending_back_needs_a_reason_and_changes_nothing_without_one(
    submitted, team_user
):
    with pytest.raises(ReviewRefused) as refused:
        return_send_back(annual_return=submitted, user=team_user, reason="   ")
    assert REASON_REQUIRED in refused.value.messages
    submitted.refresh_from_db()
    assert submitted.status == SUBMITTED
    assert events.RETURNED not in _kinds(submitted)


def test_sending_back_keeps_the_reason_and_line_comments_and_emails_the_contacts(
    submitted, contact, team_user, django_capture_on_commit_callbacks
):
    line = submitted.lines.get(contract__reference="C-2")
    with django_capture_on_commit_callbacks(execute=True):
        returned = return_send_back(
            annual_return=submitted,
            user=team_user,
            reason="The apprentices look too high",
            line_comments={line.pk: "Check EMP-FT against your payroll", 0: ""},
        )
    assert returned.status == RETURNED
    assert returned.returned_reason == "The apprentices look too high"
    event = ReturnEvent.objects.get(annual_return=submitted, kind=events.RETURNED)
    assert (event.actor, event.comment) == (team_user, "The apprentices look too high")
    assert event.snapshot["line_comments"] == {
        str(line.pk): "Check EMP-FT against your payroll"
    }
    # The supplier's task list reads the comment: "there is a problem" on that line.
    comments = review_selectors.line_comments(annual_return=returned)
    assert comments == {line.pk: "Check EMP-FT against your payroll"}
    task_line = completeness.lines_for_task_list(returned).get(pk=line.pk)
    task_line.sent_back_comment = comments[line.pk]
    assert completeness.line_state(task_line).status == completeness.PROBLEM
    assert [m.to[0] for m in mail.outbox] == [contact.user.email]
    assert "The apprentices look too high" in mail.outbox[0].body
    assert Notification.objects.filter(kind=Notification.Kind.RETURNED).count() == 1


def test_a_comment_on_a_line_of_another_return_is_refused(submitted, team_user):
    stranger = factories.ReturnLineFactory()
    with pytest.raises(ReviewRefused, match="is not on return"):
        return_send_back(
            annual_return=submitted,
            user=team_user,
            reason="Wrong",
            line_comments={stranger.pk: "Not yours"},
        )
    submitted.refresh_from_db()
    assert submitted.status == SUBMITTED


def test_a_returned_return_can_be_amended_and_resubmitted(
    submitted, contact, team_user
):
    return_send_back(annual_return=submitted, user=team_user, reason="Fix C-1")
    line = submitted.lines.get(contract__reference="C-1")
    line_save(
        line=line,
        user=contact.user,
        expected_version=line.version,
        quantities={"EMP-FT": "2"},
    )
    resubmitted = return_submit(
        annual_return=submitted,
        user=contact.user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    assert resubmitted.status == SUBMITTED
    assert review_selectors.line_comments(annual_return=resubmitted) == {}


def test_only_an_administrator_can_reopen_an_approved_return(
    submitted, contact, team_user, admin_user, django_capture_on_commit_callbacks
):
    return_approve(annual_return=submitted, user=team_user)
    with pytest.raises(PermissionDenied):
        return_reopen(annual_return=submitted, user=team_user, reason="Typo")
    with pytest.raises(ReviewRefused):
        return_reopen(annual_return=submitted, user=admin_user, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        reopened = return_reopen(
            annual_return=submitted, user=admin_user, reason="The valuation changed"
        )
    assert reopened.status == RETURNED
    assert reopened.approved_at is None and reopened.approved_by is None
    assert reopened.returned_reason == "The valuation changed"
    event = ReturnEvent.objects.get(annual_return=submitted, kind=events.REOPENED)
    assert event.actor == admin_user
    assert event.snapshot["from_status"] == APPROVED
    assert [m.to[0] for m in mail.outbox] == [contact.user.email]
    # A submitted return is not reopened: it is sent back.
    other = factories.AnnualReturnFactory(status=SUBMITTED)
    with pytest.raises(ReviewRefused, match="only an approved return"):
        return_reopen(annual_return=other, user=admin_user, reason="x")


def test_a_return_approved_again_after_reopening_emails_again(
    submitted, contact, team_user, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(annual_return=submitted, user=team_user)
        return_reopen(annual_return=submitted, user=admin_user, reason="Recheck")
    return_submit(
        annual_return=submitted,
        user=contact.user,
        declared_by_name="A P",
        declared_own_figures=True,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(annual_return=submitted, user=team_user)
    assert len(mail.outbox) == 1
    assert set(
        Notification.objects.filter(kind=Notification.Kind.APPROVED).values_list(
            "key", flat=True
        )
    ) == {"approval:1", "approval:2"}


def test_an_excluded_line_counts_nowhere_and_can_be_included_again(
    submitted, team_user
):
    line = submitted.lines.get(contract__reference="C-2")
    with pytest.raises(ReviewRefused):
        line_exclude(line=line, user=team_user, reason="")
    line_exclude(line=line, user=team_user, reason="Novated to Zenith")
    line.refresh_from_db()
    assert line.is_excluded and line.excluded_by == team_user
    assert line.excluded_reason == "Novated to Zenith"
    assert line.pk not in figures.counted_lines().values_list("pk", flat=True)
    totals = figures.totals(lines=figures.counted_lines(year=submitted.year))
    assert (totals["target"], totals["awaiting_review"]) == (D("10.00"), D("10.00"))
    with pytest.raises(ReviewRefused, match="already excluded"):
        line_exclude(line=line, user=team_user, reason="again")
    line_include(line=line, user=team_user, reason="Novation fell through")
    line.refresh_from_db()
    assert not line.is_excluded
    assert _kinds(submitted)[-2:] == [events.LINE_EXCLUDED, events.LINE_INCLUDED]
    event = ReturnEvent.objects.get(annual_return=submitted, kind=events.LINE_EXCLUDED)
    assert (event.actor, event.comment) == (team_user, "Novated to Zenith")


def test_a_line_of_an_approved_return_cannot_be_excluded(submitted, team_user):
    return_approve(annual_return=submitted, user=team_user)
    with pytest.raises(ReviewRefused, match="approved and locked"):
        line_exclude(line=submitted.lines.first(), user=team_user, reason="x")


# --- Figures for the review: big changes and the plan's share ----------------------


@pytest.mark.parametrize(
    ("value", "reference", "big"),
    [
        ("10", "4", True),  # +6 units, +150%
        ("12", "10", False),  # +2 units
        ("4", "0", False),  # from nothing, but under 5 units
        ("5", "0", True),  # from nothing to 5
        ("3", "10", True),  # -7 units, -70%
        ("16", "11", False),  # +5 units but +45%
        ("15", "10", True),  # exactly +50% and +5 units
        ("7", None, False),  # nothing to compare with
    ],
)
def test_big_change_is_half_again_and_five_units(value, reference, big):
    assert (
        figures.is_big_change(D(value), None if reference is None else D(reference))
        is big
    )


def test_the_plan_share_is_by_days_of_the_contract_in_the_year():
    # a two-year contract from 1 April 2024: 365 of its 730 days in 2024/25
    share = figures.plan_share(
        D("20"),
        contract_starts=datetime.date(2024, 4, 1),
        contract_ends=datetime.date(2026, 3, 31),
        year_starts=datetime.date(2024, 4, 1),
        year_ends=datetime.date(2025, 3, 31),
    )
    assert share == D("10.00")
    # a contract that starts half way through the year: 182 of its 365 days
    share = figures.plan_share(
        D("10"),
        contract_starts=datetime.date(2024, 10, 1),
        contract_ends=datetime.date(2025, 9, 30),
        year_starts=datetime.date(2024, 4, 1),
        year_ends=datetime.date(2025, 3, 31),
    )
    assert share == D("4.99")  # 10 × 182 / 365 = 4.986…


def test_line_comparisons_against_last_year_and_the_plan():
    last_year = factories.ReportingYearFactory(first_year=2023)
    year = factories.ReportingYearFactory(first_year=2024)
    contract = factories.ContractFactory(
        starts_on=datetime.date(2023, 4, 1), ends_on=datetime.date(2025, 3, 31)
    )
    old = factories.ReturnLineFactory(
        annual_return__year=last_year,
        annual_return__status=APPROVED,
        annual_return__supplier=contract.supplier,
        contract=contract,
    )
    factories.ReturnEntryFactory(
        line=old, measure=factories.measure("EMP-FT"), quantity=D("2")
    )
    factories.ReturnEntryFactory(
        line=old, measure=factories.measure("APP-NEW"), quantity=D("6")
    )
    factories.DeliveryPlanItemFactory(
        contract=contract,
        measure=factories.measure("EMP-FT"),
        committed_quantity=D("8"),
    )
    line = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__supplier=contract.supplier,
        contract=contract,
    )
    factories.ReturnEntryFactory(
        line=line, measure=factories.measure("EMP-FT"), quantity=D("12")
    )
    rows = {
        r.code: r for r in figures.line_comparisons(lines=[line], year=year)[line.pk]
    }
    # EMP-FT: 12 against last year's 2 (+10, +500%) and the plan's share:
    # 8 × 365 / 731 days (2024/25 of a contract over 2023/24 and 2024/25) = 3.99
    assert rows["EMP-FT"].last_year == D("2")
    assert rows["EMP-FT"].plan == D("3.99")
    assert rows["EMP-FT"].big_against_last_year and rows["EMP-FT"].big_against_plan
    # APP-NEW: none this year against 6 last year: -6, -100%
    assert (rows["APP-NEW"].this_year, rows["APP-NEW"].entered) == (D("0"), False)
    assert rows["APP-NEW"].big_against_last_year
    assert rows["APP-NEW"].plan is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_send_back_at_once_only_one_wins():
    import threading

    from django.db import connection

    annual_return = factories.AnnualReturnFactory(status=SUBMITTED)
    factories.ReturnLineFactory(annual_return=annual_return)
    people = [factories.TeamUserFactory(), factories.TeamUserFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def work(action, person):
        try:
            barrier.wait()
            if action == "approve":
                return_approve(annual_return=annual_return, user=person)
            else:
                return_send_back(
                    annual_return=annual_return, user=person, reason="Check"
                )
            outcomes.append(action)
        except ReviewRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=("approve", people[0])),
        threading.Thread(target=work, args=("send_back", people[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["approve", "refused"], ["refused", "send_back"])
    kinds = set(
        ReturnEvent.objects.filter(annual_return=annual_return).values_list(
            "kind", flat=True
        )
    )
    assert len(kinds & {events.APPROVED, events.RETURNED}) == 1
