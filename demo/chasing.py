"""Demo step: the team's chasing in the latest issued year, so the completion page and
each return's chase history have something to show.

Runs after the issuing step (it needs issued returns; without any it logs and does
nothing). Deterministic (choices seeded by return reference) and idempotent (a year
that already has chase history is left alone). Writes the ledger and history rows the
daily reminder job would have written by `--today`, without sending any email.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from accounts.models import SupplierContact, User
from demo.consortium import DemoBuild, _insert
from demo.supplier_season import DEMO_SUPPLIER_EMAIL
from returns import events
from returns.models import (
    AnnualReturn,
    Notification,
    Reminder,
    ReportingYear,
    ReturnEvent,
)
from returns.services.reminders import (
    active_contacts_by_supplier,
    due_offsets,
    offset_words,
)

CALL_NOTES = [
    "Spoke to the social value lead: figures are with their finance team.",
    "Left a voicemail asking them to call back.",
    "They asked for the spreadsheet again; re-sent the link.",
    "New contact starting next month; current one will submit before leaving.",
]
EXTENSION_REASONS = [
    "Social value lead on long-term sick leave.",
    "Waiting for subcontractor figures on the largest contract.",
]
NOT_REQUIRED_REASONS = [
    "Contract novated to another supplier before the year started.",
    "Supplier went into administration; no return will come.",
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(hour, minute))
    )


def build_chasing(build: DemoBuild) -> None:
    year = (
        ReportingYear.objects.filter(issued_at__isnull=False)
        .order_by("-starts_on")
        .first()
    )
    if year is None:
        build.log("build_chasing: no issued year yet; nothing to chase")
        return
    if Reminder.objects.filter(annual_return__year=year).exists():
        return
    team = User.objects.filter(email="team@example.org").first()
    # The demo supplier's return stays open: it is what the supplier login shows.
    # (References carry the supplier's id, so which returns the rolls pick moves
    # with the database's id sequences; the demo supplier's must not be one.)
    demo_supplier_ids = set(
        SupplierContact.objects.filter(user__email=DEMO_SUPPLIER_EMAIL).values_list(
            "supplier_id", flat=True
        )
    )
    today = build.today
    returns = list(
        AnnualReturn.objects.filter(year=year)
        .select_related("year", "supplier")
        .order_by("reference")
    )
    reminders: list[Reminder] = []
    return_events: list[ReturnEvent] = []
    for annual_return in returns:
        rng = random.Random(f"demo:chasing:{annual_return.reference}")
        roll = rng.random()
        open_ = annual_return.status in (
            AnnualReturn.Status.NOT_STARTED,
            AnnualReturn.Status.IN_PROGRESS,
        )
        if open_ and roll < 0.03 and annual_return.supplier_id not in demo_supplier_ids:
            reason = rng.choice(NOT_REQUIRED_REASONS)
            annual_return.status_before_not_required = annual_return.status
            annual_return.status = AnnualReturn.Status.NOT_REQUIRED
            annual_return.not_required_reason = reason
            annual_return.save(
                update_fields=[
                    "status",
                    "status_before_not_required",
                    "not_required_reason",
                ]
            )
            return_events.append(
                ReturnEvent(
                    annual_return=annual_return,
                    kind=events.NOT_REQUIRED,
                    actor=team,
                    at=_at(today - datetime.timedelta(days=rng.randint(1, 10)), 11),
                    comment=reason,
                    snapshot={"from": annual_return.status_before_not_required},
                )
            )
        elif open_ and roll < 0.08 and not annual_return.extended_deadline:
            previous = annual_return.effective_deadline
            annual_return.extended_deadline = year.deadline + datetime.timedelta(
                days=rng.choice([14, 21, 28])
            )
            annual_return.extension_reason = rng.choice(EXTENSION_REASONS)
            annual_return.save(update_fields=["extended_deadline", "extension_reason"])
            return_events.append(
                ReturnEvent(
                    annual_return=annual_return,
                    kind=events.EXTENDED,
                    actor=team,
                    at=_at(today - datetime.timedelta(days=rng.randint(1, 10)), 12),
                    comment=annual_return.extension_reason,
                    snapshot={
                        "from": previous.isoformat(),
                        "to": annual_return.extended_deadline.isoformat(),
                    },
                )
            )
        still_open = annual_return.status != AnnualReturn.Status.NOT_REQUIRED
        if open_ and still_open and rng.random() < 0.15:
            days_ago = rng.randint(0, 6)
            reminders.append(
                Reminder(
                    annual_return=annual_return,
                    channel=rng.choice([Reminder.Channel.PHONE, Reminder.Channel.NOTE]),
                    sent_at=_at(today - datetime.timedelta(days=days_ago), 10, 15),
                    sent_by=team,
                    note=rng.choice(CALL_NOTES),
                )
            )
    _automatic_reminders(returns, today=today, reminders=reminders)
    _insert(Reminder, reminders)
    _insert(ReturnEvent, return_events)
    build.log(
        f"build_chasing: {len(reminders)} chase history rows, "
        f"{len(return_events)} extensions or not-required decisions in {year}"
    )


def _automatic_reminders(
    returns: list[AnnualReturn], *, today: datetime.date, reminders: list[Reminder]
) -> None:
    """The ledger rows and history the daily job would have left by today (as if it
    ran every day), without sending anything."""
    chased = [
        r
        for r in returns
        if r.status
        in (AnnualReturn.Status.NOT_STARTED, AnnualReturn.Status.IN_PROGRESS)
    ]
    contacts = active_contacts_by_supplier({r.supplier_id for r in chased})
    ledger: list[Notification] = []
    for annual_return in chased:
        people = contacts.get(annual_return.supplier_id, [])
        if not people:
            continue
        for offset, key in due_offsets(annual_return, today=today):
            day = annual_return.effective_deadline + datetime.timedelta(days=offset)
            sent_at = _at(day, 6, 30)
            ledger += [
                Notification(
                    recipient=user,
                    annual_return=annual_return,
                    kind=Notification.Kind.REMINDER,
                    key=key,
                    address=user.email,
                    status=Notification.Status.SENT,
                    created_at=sent_at,
                    attempts=1,
                    sent_at=sent_at,
                )
                for user in people
            ]
            emailed_to = sorted(user.email for user in people)
            emails = ", ".join(emailed_to)
            reminders.append(
                Reminder(
                    annual_return=annual_return,
                    channel=Reminder.Channel.EMAIL,
                    key=key,
                    emailed_to=emailed_to,
                    sent_at=sent_at,
                    sent_by=None,
                    note=f"Automatic reminder, {offset_words(offset)} "
                    f"({annual_return.effective_deadline:%-d %B %Y}). Emailed to {emails}.",
                )
            )
    _insert(Notification, ledger)
