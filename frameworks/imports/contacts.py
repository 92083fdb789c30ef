"""Supplier contacts from the consortium's address book.

Each row creates or links a person (by email) to a supplier as a `SupplierContact`.
For anyone who cannot sign in yet, the person is made without a usable password and
an open invitation is stored, unsent: the team sends them in bulk
(`accounts.services.invitations.invitations_send_bulk`, which refreshes the stored
invitation). Someone who already signs in is linked without one. Running the same
file again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from accounts.models import Invitation, SupplierContact, User
from core.xlsx import Table, cells

from ..models import Supplier
from .base import Column, FirstSeen, Kind, Report, RowChecker, Upsert, chunks, lookup

UNKNOWN_SUPPLIER = (
    "Expected the reference of a supplier already in the portal: import suppliers first"
)
TWO_PRIMARY = "Expected one primary contact per supplier: row {row} is already primary for {supplier}"
INACTIVE_SUPPLIER = "Expected an active supplier: {reference} has been deactivated"
DEACTIVATED_PERSON = (
    "Expected a person whose account is active: {email} has been deactivated"
)
NO_CONTACT_LIST = "Suppliers with no active contact"


@dataclass
class Plan:
    users: Upsert
    demote: Upsert
    contacts: Upsert
    invitations: Upsert
    suppliers_in_file: set[int] = field(default_factory=set)


class SupplierContacts(Kind):
    key = "contacts"
    label = "Supplier contacts"
    description = (
        "The people who report for each supplier. Each row links a person to a supplier "
        "and stores an invitation, to be sent later, for anyone who has not signed in yet."
    )
    columns = [
        Column("Supplier reference", example="S00001"),
        Column("Name", example="Alex Morgan"),
        Column(
            "Email",
            help="Work email; the person signs in with it.",
            example="alex.morgan@example.com",
        ),
        Column("Phone", required=False, example="0161 496 0000"),
        Column(
            "Primary contact",
            required=False,
            help="Yes for the one person who receives the return (blank: no).",
            example="Yes",
        ),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        suppliers = lookup(
            Supplier.objects.all(),
            "reference",
            (r.cell("Supplier reference").value for r in table.rows),
        )
        emails = sorted(
            {str(r.cell("Email").value or "").strip().lower() for r in table.rows}
            - {""}
        )
        users: dict[str, User] = {}
        for chunk in chunks(emails):
            for user in User.objects.filter(email__in=chunk):
                users[user.email.lower()] = user
        supplier_ids = [s.pk for s in suppliers.values()]
        contacts: dict[tuple[int, int], SupplierContact] = {}
        primaries: dict[int, SupplierContact] = {}
        invitations: dict[tuple[str, int], Invitation] = {}
        for chunk in chunks(supplier_ids):
            for contact in SupplierContact.objects.filter(supplier_id__in=chunk):
                contacts[(contact.user_id, contact.supplier_id)] = contact
                if contact.is_primary and contact.is_active:
                    primaries[contact.supplier_id] = contact
            for invitation in Invitation.objects.filter(
                supplier_id__in=chunk,
                accepted_at__isnull=True,
                withdrawn_at__isnull=True,
            ):
                invitations[(invitation.email.lower(), invitation.supplier_id)] = (
                    invitation
                )

        user_upsert = Upsert(User, "People", ["full_name"])
        demote = Upsert(
            SupplierContact, "Supplier contacts", ["phone", "is_primary", "is_active"]
        )
        demoted: set[int] = set()
        contact_upsert = Upsert(
            SupplierContact, "Supplier contacts", ["phone", "is_primary", "is_active"]
        )
        invitation_upsert = Upsert(
            Invitation,
            "Invitations stored (not sent)",
            ["full_name", "phone", "is_primary"],
            history=False,
        )
        seen = FirstSeen("supplier and email")
        primary_rows: dict[int, int] = {}
        planned_users: dict[str, User] = {}
        rows = []
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Supplier reference")
            name = check(cells.text, "Name", max_length=200)
            email = check(cells.email, "Email")
            phone = check(cells.text, "Phone", required=False, max_length=40) or ""
            is_primary = check(cells.yes_no, "Primary contact", default=False)
            supplier = suppliers.get(reference)
            if reference and supplier is None:
                check.fail(UNKNOWN_SUPPLIER, "Supplier reference")
            elif supplier is not None and not supplier.is_active:
                check.fail(
                    INACTIVE_SUPPLIER.format(reference=reference), "Supplier reference"
                )
            person = users.get(email) if email else None
            if person is not None and not person.is_active:
                check.fail(DEACTIVATED_PERSON.format(email=email), "Email")
            if (
                supplier
                and email
                and not seen.check(check, (supplier.pk, email), "Email")
            ):
                continue
            if supplier and is_primary:
                if supplier.pk in primary_rows:
                    check.fail(
                        TWO_PRIMARY.format(
                            row=primary_rows[supplier.pk], supplier=reference
                        ),
                        "Primary contact",
                    )
                else:
                    primary_rows[supplier.pk] = row.number
            if check.failed:
                continue
            rows.append((supplier, name, email, phone, is_primary))

        for supplier, name, email, phone, is_primary in rows:
            user = planned_users.get(email)
            if user is None:
                existing_user = users.get(email)
                if existing_user is None:
                    user = user_upsert.add(
                        None,
                        {"full_name": name},
                        {"email": email, "password": make_password(None)},
                    )
                elif not existing_user.full_name:
                    user = user_upsert.add(existing_user, {"full_name": name})
                else:
                    user = existing_user
                    user_upsert.unchanged += 1
                planned_users[email] = user
            values = {"phone": phone, "is_primary": is_primary, "is_active": True}
            existing = contacts.get((user.pk, supplier.pk)) if user.pk else None
            if existing is None:
                contact_upsert.add(None, values, {"user": user, "supplier": supplier})
            elif existing.is_primary and not is_primary:
                # Written before any promotion: one active primary per supplier.
                demote.add(existing, values)
                demoted.add(existing.pk)
            else:
                contact_upsert.add(existing, values)
            current = primaries.get(supplier.pk)
            if (
                is_primary
                and current is not None
                and current.user_id != user.pk
                and current.pk not in demoted
            ):
                demote.add(current, {"is_primary": False})
                demoted.add(current.pk)
            if user.pk is None or not user.has_usable_password():
                values = {"full_name": name, "phone": phone, "is_primary": is_primary}
                if user.pk:
                    values["user_id"] = user.pk
                else:
                    values["user"] = user
                invitation_upsert.add(
                    invitations.get((email, supplier.pk)),
                    values,
                    {"email": email, "supplier": supplier},
                )
        user_upsert.counted(report)
        contact_upsert.counted(report)
        report.count("Supplier contacts", updated=len(demote.update))
        invitation_upsert.counted(report)

        in_file = {s.pk for s, *_ in rows}
        without = (
            Supplier.objects.filter(is_active=True)
            .exclude(
                pk__in=SupplierContact.objects.filter(
                    is_active=True, user__is_active=True
                ).values("supplier_id")
            )
            .exclude(pk__in=in_file)
            .order_by("reference")
            .values_list("reference", "name")
        )
        listed = [f"{reference} {name}" for reference, name in without]
        if listed:
            report.lists[NO_CONTACT_LIST] = listed
        return Plan(user_upsert, demote, contact_upsert, invitation_upsert, in_file)

    def apply(self, plan: Plan, report: Report, *, acting_user) -> None:
        reason = f"Imported from {report.file_name}"
        plan.users.write(acting_user=acting_user, reason=reason)
        plan.demote.write(acting_user=acting_user, reason=reason)
        plan.contacts.write(acting_user=acting_user, reason=reason)
        for invitation in plan.invitations.create:
            invitation.invited_by = acting_user
        plan.invitations.write(acting_user=acting_user, reason=reason)
