"""`manage.py send_invitations`: invite supplier contacts who cannot sign in yet."""

import uuid

from django.core.management.base import BaseCommand, CommandParser

from accounts.selectors import contacts_without_account
from accounts.services import invitations_send_bulk


class Command(BaseCommand):
    help = (
        "Email an invitation to every active supplier contact who cannot sign in yet "
        "and has not been invited (for example after importing contacts). With "
        "--supplier, only that supplier's contacts; with --dry-run, only list them. "
        "Safe to run again: nobody already invited is emailed twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supplier", help="A supplier's reference.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be invited."
        )

    def handle(self, *args, supplier=None, dry_run=False, **options) -> None:
        contacts = contacts_without_account().filter(sent_invitation=False)
        if supplier:
            contacts = contacts.filter(supplier__reference__iexact=supplier)
        contacts = contacts.order_by("supplier__name", "user__email")
        if dry_run:
            for contact in contacts:
                self.stdout.write(f"{contact.supplier.reference}\t{contact.user.email}")
            self.stdout.write(f"{contacts.count()} contact(s) would be invited.")
            return
        queued = invitations_send_bulk(
            contact_ids=list(contacts.values_list("pk", flat=True)),
            invited_by=None,
            batch_key=f"command-{uuid.uuid4().hex}",
        )
        self.stdout.write(self.style.SUCCESS(f"{queued} invitation(s) queued."))
