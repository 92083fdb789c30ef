"""Demo step: the team's import history, made by the real import service.

The consortium's valuations for the latest quarter, imported again from a CSV (so
every row is "unchanged", and the history shows an import), and an address book of
contacts checked and waiting for the team to confirm. Idempotent: skipped when the
demo's imports are there."""

from __future__ import annotations

import datetime
import io
from typing import TYPE_CHECKING

from core.exports import csv_bytes

if TYPE_CHECKING:
    from demo.consortium import DemoBuild

DEMO_PREFIX = "demo-"
ROWS = 40


def _latest_quarter_end(today: datetime.date) -> datetime.date:
    for months_back in range(0, 4):
        month = today.month - months_back
        year = today.year
        if month < 1:
            month += 12
            year -= 1
        if month in (3, 6, 9, 12):
            day = 31 if month in (3, 12) else 30
            candidate = datetime.date(year, month, day)
            if candidate < today:
                return candidate
    return datetime.date(today.year - 1, 12, 31)


def build_imports(build: DemoBuild) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import SupplierContact, User
    from frameworks.imports.runs import import_run_command, import_run_start
    from frameworks.models import ImportRun, Valuation

    if ImportRun.objects.filter(file_name__startswith=DEMO_PREFIX).exists():
        return
    team = User.objects.filter(email="team@example.org").first()
    quarter = _latest_quarter_end(build.today)
    valuations = (
        Valuation.objects.filter(period_end__lte=quarter)
        .order_by("-period_end", "contract__reference")
        .values_list("contract__reference", "period_end", "amount")[:ROWS]
    )
    if valuations:
        data = csv_bytes(
            ["Contract reference", "Quarter ending", "Spend in quarter (£, excl. VAT)"],
            [(ref, f"{day:%d/%m/%Y}", amount) for ref, day, amount in valuations],
        )
        import_run_command(
            file=io.BytesIO(data),
            name=f"{DEMO_PREFIX}valuations-{quarter:%Y-%m}.csv",
            commit=True,
            acting_user=team,
        )
    contacts = (
        SupplierContact.objects.filter(is_active=True, supplier__is_active=True)
        .select_related("user", "supplier")
        .order_by("supplier__reference", "user__email")[:ROWS]
    )
    rows = [
        (
            contact.supplier.reference,
            contact.user.full_name or contact.user.email,
            contact.user.email,
            contact.phone,
            "Yes" if contact.is_primary else "No",
        )
        for contact in contacts
    ]
    if rows:
        # Uploaded as on the import page and checked, waiting for the team to
        # confirm it (its file is deleted if nobody does within a day).
        import_run_start(
            upload=SimpleUploadedFile(
                f"{DEMO_PREFIX}address-book.csv",
                csv_bytes(
                    ["Supplier reference", "Name", "Email", "Phone", "Primary contact"],
                    rows,
                ),
                content_type="text/csv",
            ),
            acting_user=team,
        )
    build.log(
        f"imports: {ImportRun.objects.filter(file_name__startswith=DEMO_PREFIX).count()}"
    )
