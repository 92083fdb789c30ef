"""Demo step: two emails that failed for good, so the team desk's "Emails that failed"
has something to show, and a contact's address marked as bouncing.

- an open return's first contact: the team's "remind now" email refused by the mail
  server (550, mailbox unknown): not retried, and the address shows as bouncing on
  the return's chasing page and the completion page;
- a submitted return's first contact: the receipt failed on all six tries (the mail
  server kept dropping the connection).

Runs after the chasing step. Deterministic (the first such returns by reference, never
the demo supplier's) and idempotent (the ledger's unique key: a second run adds
nothing). Sends nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import SupplierContact, User
from demo.consortium import DemoBuild, _insert
from demo.supplier_season import DEMO_SUPPLIER_EMAIL
from returns.models import AnnualReturn, Notification, ReportingYear

REFUSED = (
    "SMTPRecipientsRefused: {{'{email}': (550, b'5.1.1 <{email}>: Recipient address "
    "rejected: User unknown in virtual mailbox table')}}"
)
DROPPED = "SMTPServerDisconnected: Connection unexpectedly closed"


def _first_return(year, statuses, exclude_suppliers) -> AnnualReturn | None:
    return (
        AnnualReturn.objects.filter(year=year, status__in=statuses)
        .exclude(supplier_id__in=exclude_suppliers)
        .filter(supplier__contacts__is_active=True)
        .order_by("reference")
        .first()
    )


def build_failed_emails(build: DemoBuild) -> None:
    year = (
        ReportingYear.objects.filter(issued_at__isnull=False)
        .order_by("-starts_on")
        .first()
    )
    if year is None:
        return
    demo_suppliers = set(
        SupplierContact.objects.filter(user__email=DEMO_SUPPLIER_EMAIL).values_list(
            "supplier_id", flat=True
        )
    )
    at = timezone.make_aware(
        datetime.datetime.combine(build.today, datetime.time(6, 31))
    )
    rows = []
    picks = [
        (
            (AnnualReturn.Status.NOT_STARTED, AnnualReturn.Status.IN_PROGRESS),
            Notification.Kind.REMINDER,
            True,
        ),
        ((AnnualReturn.Status.SUBMITTED,), Notification.Kind.RECEIPT, False),
    ]
    team = User.objects.filter(email="team@example.org").first()
    for statuses, kind, refused in picks:
        annual_return = _first_return(year, statuses, demo_suppliers)
        if annual_return is None:
            continue
        contact = (
            annual_return.supplier.contacts.filter(is_active=True)
            .select_related("user")
            .order_by("-is_primary", "user__email")
            .first()
        )
        email = contact.user.email
        rows.append(
            Notification(
                recipient=contact.user,
                annual_return=annual_return,
                kind=kind,
                key="manual:demo" if kind == Notification.Kind.REMINDER else "",
                requested_by=team if kind == Notification.Kind.REMINDER else None,
                address=email,
                status=Notification.Status.FAILED,
                created_at=at - datetime.timedelta(hours=9),
                attempts=1 if refused else 6,
                failed_at=at,
                refused=refused,
                last_error=REFUSED.format(email=email) if refused else DROPPED,
            )
        )
    _insert(Notification, rows)
    build.log(f"build_failed_emails: {len(rows)} failed emails in {year}")
