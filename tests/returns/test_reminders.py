"""Automatic reminders: the schedule exactly, none twice, none after submission, one
reminder after an outage, and an extension starts a new schedule."""

import datetime
import zoneinfo
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from returns.models import AnnualReturn, Notification, Reminder
from returns.services import reminders_due, reminders_send
from returns.services.chasing import return_extend
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
DEADLINE = datetime.date(2025, 6, 30)  # the 2024/25 factory year's deadline
OFFSETS = [-14, -7, -1, 1, 7, 14, 28]


def at_london(day: datetime.date, hour: int = 6, minute: int = 30):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def run_on(day: datetime.date, hour: int = 6, minute: int = 30) -> dict:
    """The daily job as the beat runs it, at 06:30 London on `day`."""
    with time_machine.travel(at_london(day, hour, minute), tick=False):
        return reminders_send()


def days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


def sent_days(outbox_log: list[tuple[datetime.date, str]]) -> list[datetime.date]:
    return sorted({day for day, _ in outbox_log})


def simulate(start, end, *, skip=(), each_day=None) -> list[tuple[datetime.date, str]]:
    """Runs the job on every day from start to end (twice a day, to prove a re-run
    sends nothing), except the days in `skip`; returns (day, recipient) per email."""
    log = []
    for day in days(start, end):
        if each_day:
            each_day(day)
        if day in skip:
            continue
        before = len(mail.outbox)
        run_on(day)
        after_first = len(mail.outbox)
        assert run_on(day, 11, 0) == {"emails": 0, "returns": 0}, day
        assert len(mail.outbox) == after_first
        log += [(day, message.to[0]) for message in mail.outbox[before:]]
    return log


def test_a_season_sends_exactly_the_schedule_none_twice_none_after_submission():
    year = factories.ReportingYearFactory()
    assert year.deadline == DEADLINE and year.reminder_offsets == OFFSETS
    open_return = factories.issued_return(year=year)
    submits = factories.issued_return(year=year)
    contact = open_return.supplier.contacts.get().user
    submitter = submits.supplier.contacts.get().user

    def submit_on_the_3rd_of_july(day):
        if day == datetime.date(2025, 7, 3):
            AnnualReturn.objects.filter(pk=submits.pk).update(
                status=AnnualReturn.Status.SUBMITTED,
                submitted_at=at_london(day, 9),
                first_submitted_at=at_london(day, 9),
            )

    log = simulate(
        year.issue_on, datetime.date(2025, 9, 30), each_day=submit_on_the_3rd_of_july
    )

    schedule = [DEADLINE + datetime.timedelta(days=o) for o in OFFSETS]
    assert [day for day, to in log if to == contact.email] == schedule
    assert [day for day, to in log if to == submitter.email] == schedule[:4]
    assert Counter(to for _, to in log) == {contact.email: 7, submitter.email: 4}
    ledger = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert ledger.count() == 11
    assert set(ledger.values_list("status", flat=True)) == {"sent"}
    assert set(
        ledger.filter(annual_return=open_return).values_list("key", flat=True)
    ) == {f"2025-06-30:{o}" for o in OFFSETS}
    # Each automatic email is in the return's chase history.
    history = Reminder.objects.filter(annual_return=open_return)
    assert history.count() == 7
    assert set(history.values_list("channel", flat=True)) == {"email"}
    assert history.filter(sent_by__isnull=True).count() == 7
    assert "1 day before the deadline" in history.order_by("sent_at")[2].note


def test_the_email_says_which_return_and_its_deadline():
    annual_return = factories.issued_return()
    run_on(DEADLINE - datetime.timedelta(days=7))
    [message] = mail.outbox
    assert annual_return.reference in message.subject
    assert annual_return.reference in message.body
    assert "Monday 30 June 2025" in message.body
    assert f"/returns/{annual_return.reference}/" in message.body


def test_after_a_five_day_outage_one_reminder_goes_not_five():
    year = factories.ReportingYearFactory(reminder_offsets=[-3, -2, -1, 1, 2, 7])
    annual_return = factories.issued_return(year=year)
    outage = set(days(datetime.date(2025, 6, 27), datetime.date(2025, 7, 1)))

    log = simulate(year.issue_on, datetime.date(2025, 7, 10), skip=outage)

    # -3, -2, -1, 1 fell in the outage: on 2 July only the latest due (+2) goes.
    assert [day for day, _ in log] == [
        datetime.date(2025, 7, 2),
        datetime.date(2025, 7, 7),
    ]
    statuses = dict(
        Notification.objects.filter(annual_return=annual_return).values_list(
            "key", "status"
        )
    )
    assert statuses == {
        "2025-06-30:-3": "skipped",
        "2025-06-30:-2": "skipped",
        "2025-06-30:-1": "skipped",
        "2025-06-30:1": "skipped",
        "2025-06-30:2": "sent",
        "2025-06-30:7": "sent",
    }


def test_an_extension_starts_a_new_schedule(team_user):
    year = factories.ReportingYearFactory()
    annual_return = factories.issued_return(year=year)
    contact = annual_return.supplier.contacts.get().user

    def extend_on_the_2nd_of_july(day):
        if day == datetime.date(2025, 7, 2):
            with time_machine.travel(at_london(day, 10), tick=False):
                return_extend(
                    annual_return=AnnualReturn.objects.get(pk=annual_return.pk),
                    deadline=datetime.date(2025, 7, 31),
                    reason="Finance director in hospital",
                    acting_user=team_user,
                )

    log = simulate(
        year.issue_on, datetime.date(2025, 9, 30), each_day=extend_on_the_2nd_of_july
    )
    old = [DEADLINE + datetime.timedelta(days=o) for o in (-14, -7, -1, 1)]
    new = [datetime.date(2025, 7, 31) + datetime.timedelta(days=o) for o in OFFSETS]
    assert [day for day, to in log if to == contact.email] == old + new
    assert Notification.objects.filter(key__startswith="2025-07-31:").count() == 7


def test_no_reminder_falls_before_the_return_was_issued():
    year = factories.ReportingYearFactory()
    late = factories.issued_return(year=year, issued_on=datetime.date(2025, 6, 25))
    log = simulate(datetime.date(2025, 6, 1), datetime.date(2025, 7, 2))
    assert [day for day, _ in log] == [
        datetime.date(2025, 6, 29),
        datetime.date(2025, 7, 1),
    ]
    # On the issue day itself a due reminder counts ("on or after").
    year2 = factories.ReportingYearFactory(first_year=2023)
    factories.issued_return(
        year=year2, issued_on=year2.deadline - datetime.timedelta(days=7)
    )
    assert [
        d.offset
        for d in reminders_due(today=year2.deadline - datetime.timedelta(days=7))
    ] == [-7]
    assert late.pk


def test_one_email_per_person_listing_all_their_open_returns():
    year = factories.ReportingYearFactory()
    shared = factories.UserFactory()
    first = factories.issued_return(year=year)
    second = factories.issued_return(year=year)
    for annual_return in (first, second):
        factories.SupplierContactFactory(supplier=annual_return.supplier, user=shared)

    run_on(DEADLINE - datetime.timedelta(days=14))

    to_shared = [m for m in mail.outbox if m.to == [shared.email]]
    assert len(to_shared) == 1
    assert first.reference in to_shared[0].body
    assert second.reference in to_shared[0].body
    assert len(mail.outbox) == 3  # each supplier's own contact, and the shared one


@pytest.mark.parametrize(
    "status",
    [
        AnnualReturn.Status.SUBMITTED,
        AnnualReturn.Status.APPROVED,
        AnnualReturn.Status.NOT_REQUIRED,
        AnnualReturn.Status.RETURNED,
    ],
)
def test_no_reminder_once_submitted_or_not_required(status):
    factories.issued_return(status=status)
    assert run_on(DEADLINE + datetime.timedelta(days=1)) == {"emails": 0, "returns": 0}
    assert not mail.outbox
    assert not Notification.objects.exists()


def test_inactive_contacts_and_returns_without_contacts_get_nothing():
    annual_return = factories.issued_return(contacts=0)
    factories.SupplierContactFactory(supplier=annual_return.supplier, is_active=False)
    assert run_on(DEADLINE + datetime.timedelta(days=1)) == {"emails": 0, "returns": 0}
    assert not Reminder.objects.exists()


def test_a_pending_row_left_by_a_crash_is_sent_by_the_next_run_once():
    annual_return = factories.issued_return()
    contact = annual_return.supplier.contacts.get().user
    Notification.objects.create(
        recipient=contact,
        annual_return=annual_return,
        kind=Notification.Kind.REMINDER,
        key="2025-06-30:-1",
    )
    run_on(DEADLINE - datetime.timedelta(days=1), 7, 0)
    run_on(DEADLINE - datetime.timedelta(days=1), 8, 0)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(key="2025-06-30:-1").status == "sent"
    assert set(
        Notification.objects.exclude(key="2025-06-30:-1").values_list(
            "status", flat=True
        )
    ) == {"skipped"}


@pytest.mark.parametrize(
    ("utc", "expected_offsets"),
    [
        # 23:59 London on 28 June (BST, UTC+1) is still 28 June: nothing due yet.
        (datetime.datetime(2025, 6, 28, 22, 59, tzinfo=datetime.UTC), []),
        # 00:30 London on 29 June is 23:30 UTC on 28 June: the -1 reminder is due.
        (datetime.datetime(2025, 6, 28, 23, 30, tzinfo=datetime.UTC), [-1]),
    ],
)
def test_the_day_is_londons_not_utcs(utc, expected_offsets):
    factories.issued_return()
    run_on(DEADLINE - datetime.timedelta(days=7))  # the -7 reminder went on 23 June
    with time_machine.travel(utc, tick=False):
        assert timezone.localdate() in (
            datetime.date(2025, 6, 28),
            datetime.date(2025, 6, 29),
        )
        reminders_send()
    offsets = [
        int(k.split(":")[1])
        for k in Notification.objects.filter(status="sent")
        .exclude(key="2025-06-30:-7")
        .values_list("key", flat=True)
    ]
    assert offsets == expected_offsets


def test_the_schedule_runs_through_the_clock_change():
    """The clocks go back at 02:00 on 26 October 2025: the day before, the day of and
    the day after each get their reminder once."""
    year = factories.ReportingYearFactory(
        first_year=2024, reminder_offsets=[117, 118, 119]
    )
    factories.issued_return(year=year)
    log = simulate(datetime.date(2025, 10, 24), datetime.date(2025, 10, 28))
    assert [d for d, _ in log] == [
        datetime.date(2025, 10, 25),
        datetime.date(2025, 10, 26),
        datetime.date(2025, 10, 27),
    ]


def test_the_command_runs_the_same_service(capsys):
    from django.core.management import call_command

    factories.issued_return()
    call_command("send_reminders", "--today", "2025-06-29")
    call_command("send_reminders", "--today", "2025-06-29")
    out = capsys.readouterr().out
    assert "1 email(s) sent" in out and "0 email(s) sent" in out
    assert len(mail.outbox) == 1
