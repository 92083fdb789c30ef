"""Members' monthly extracts: the API's contract figures of the current reporting
year as a CSV in the file storage, once per member per month."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exports import csv_bytes
from returns.figures import ZERO
from returns.models import Measure
from returns.selectors.reports import MEMBER_EXPORT_HEADER
from returns.selectors.years import current_reporting_year

from . import selectors
from .models import ApiToken, ExtractFile, ScheduledExtract
from .opendata import _plain

# The member's own spreadsheet's columns (one list), with the lot beside the framework.
HEADER = list(MEMBER_EXPORT_HEADER)
HEADER.insert(HEADER.index("Framework") + 1, "Lot")


def member_scope(member) -> ApiToken:
    """The scope of a member's token, unsaved: the extract reads exactly what the
    member's token reads."""
    return ApiToken(scope=ApiToken.Scope.MEMBER, member=member)


def extract_csv(*, member, year) -> tuple[bytes, int]:
    scope = member_scope(member)
    contract_ids = list(
        selectors.year_contracts(scope, year=year, filters={})
        .order_by("reference")
        .values_list("pk", flat=True)
    )
    rows = selectors.year_contract_rows(scope, year=year, contract_ids=contract_ids)
    measures = list(Measure.objects.filter(is_active=True).order_by("position", "code"))
    header = HEADER + [f"{m.name} ({m.unit})" for m in measures]

    def line(row):
        to_date = row.to_date
        return [
            year.label,
            row.reference,
            row.title,
            row.supplier,
            row.framework,
            row.lot,
            row.local_authority,
            row.status_label,
            *[
                _plain(value) if value is not None else None
                for value in (
                    row.spend,
                    row.target,
                    row.delivered,
                    row.shortfall,
                    to_date.target if to_date else None,
                    to_date.delivered if to_date else None,
                    to_date.shortfall if to_date else None,
                    to_date.years if to_date else None,
                    row.employment_opportunities,
                    *(
                        row.quantities.get(m.code, ZERO) if row.approved else None
                        for m in measures
                    ),
                )
            ],
        ]

    return csv_bytes(header, (line(row) for row in rows)), len(rows)


def extracts_write(*, today: datetime.date | None = None) -> int:
    """Writes this month's extract of every member whose extract is on and who has
    none for the month yet. Safe to run twice, or twice at once: the unique
    (extract, month) row decides who writes, and a loser's file is removed.
    Returns how many files were written. Called by the monthly beat job and by
    `manage.py write_member_extracts`."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    year = current_reporting_year()
    if year is None:
        return 0
    written = 0
    due = (
        ScheduledExtract.objects.filter(is_active=True)
        .exclude(files__month=month)
        .select_related("member")
    )
    for extract in due:
        body, rows = extract_csv(member=extract.member, year=year)
        name = f"{extract.member.reference}-{month:%Y-%m}.csv"
        try:
            with transaction.atomic():
                made = ExtractFile(extract=extract, month=month, rows=rows)
                made.file.save(name, ContentFile(body), save=False)
                try:
                    made.save()
                except IntegrityError:
                    made.file.delete(save=False)
                    raise
        except IntegrityError:
            continue  # another run wrote this month's file first
        written += 1
    return written
