"""Every return of a year in one workbook, for the team: one row per line, one column
per measure, with the return's status and submission date; and the year's case
studies on a sheet of their own. Streamed with openpyxl's write-only mode, so a large
year is built in constant memory by a Celery task and offered when ready."""

from __future__ import annotations

import io
from collections import defaultdict

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.exports import neutralise
from core.xlsx.titles import sheet_title
from returns.models import (
    AnnualReturn,
    CaseStudy,
    ReportingYear,
    ReturnEntry,
    ReturnLine,
    YearExport,
)

from .workbook import year_measures_for

BOLD = Font(bold=True)
STATUS_LABELS = dict(AnnualReturn.Status.choices)


def _header(sheet, titles: list[str]) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def year_workbook(year: ReportingYear) -> tuple[bytes, int]:
    """The workbook's bytes and how many lines it holds."""
    probe = AnnualReturn(year=year)
    measures = [ym.measure for ym in year_measures_for(probe)]
    quantities: dict[int, dict[str, object]] = defaultdict(dict)
    for line_id, code, quantity in (
        ReturnEntry.objects.filter(line__annual_return__year=year)
        .values_list("line_id", "measure__code", "quantity")
        .iterator(chunk_size=5000)
    ):
        quantities[line_id][code] = float(quantity)

    book = Workbook(write_only=True)
    lines_sheet = book.create_sheet(sheet_title("Lines"))
    lines_sheet.freeze_panes = "C2"
    _header(
        lines_sheet,
        [
            "Return",
            "Supplier",
            "Status",
            "Submitted",
            "Approved",
            "Contract",
            "Contract title",
            "Member",
            "Framework",
            "Lot",
            "Spend in year (£)",
            "Target credits",
            "Credits delivered",
            "Excluded: why",
            "Nothing delivered: why",
            "Below target: why",
            "Recovery plan",
            "Recovery by",
            *(f"{m.code} {m.name} ({m.unit})" for m in measures),
        ],
    )
    count = 0
    rows = (
        ReturnLine.objects.filter(annual_return__year=year)
        .order_by("annual_return__reference", "contract__reference")
        .values_list(
            "pk",
            "annual_return__reference",
            "annual_return__supplier__name",
            "annual_return__status",
            "annual_return__submitted_at",
            "annual_return__approved_at",
            "contract__reference",
            "contract__title",
            "member__name",
            "lot__framework__name",
            "lot__number",
            "spend",
            "target_credits",
            "delivered_credits",
            "excluded_reason",
            "nothing_delivered_reason",
            "shortfall_reason",
            "recovery_plan",
            "recovery_by",
        )
        .iterator(chunk_size=5000)
    )
    for row in rows:
        (pk, reference, supplier, status, submitted, approved, *rest) = row
        contract, title, member, framework, lot, spend, target, delivered = rest[:8]
        texts = rest[8:12]
        recovery_by = rest[12]
        by_code = quantities.get(pk, {})
        lines_sheet.append(
            [
                reference,
                neutralise(supplier),
                STATUS_LABELS.get(status, status),
                _local(submitted),
                _local(approved),
                neutralise(contract),
                neutralise(title),
                neutralise(member),
                neutralise(framework),
                neutralise(lot),
                float(spend),
                float(target),
                float(delivered),
                *(neutralise(t) for t in texts),
                recovery_by,
                *(by_code.get(m.code) for m in measures),
            ]
        )
        count += 1

    studies = book.create_sheet(sheet_title("Case studies"))
    studies.freeze_panes = "A2"
    _header(
        studies,
        [
            "Return",
            "Supplier",
            "Contract",
            "Title",
            "People who benefited",
            "Consent",
            "Shared with member",
            "Publication",
            "Public title",
        ],
    )
    for study in (
        CaseStudy.objects.filter(line__annual_return__year=year, erased_at__isnull=True)
        .select_related("line__annual_return__supplier", "line__contract")
        .order_by("line__annual_return__reference", "pk")
        .iterator(chunk_size=2000)
    ):
        studies.append(
            [
                study.line.annual_return.reference,
                neutralise(study.line.annual_return.supplier.name),
                neutralise(study.line.contract.reference),
                neutralise(study.title),
                study.people_benefited,
                study.get_consent_display(),
                "yes" if study.share_with_member else "no",
                study.get_publication_display(),
                neutralise(study.public_title),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def year_export_request(*, year: ReportingYear, user) -> YearExport:
    """Records the request and queues the build once the request is committed."""
    from returns.tasks import build_year_export

    export = YearExport.objects.create(year=year, requested_by=user)
    transaction.on_commit(lambda: build_year_export.delay(export_id=export.pk))
    return export


def year_export_build(*, export_id: int) -> YearExport:
    """Builds the workbook for a requested export; a second run does nothing."""
    with transaction.atomic():
        export = YearExport.objects.select_for_update().get(pk=export_id)
        # A build interrupted by a lost worker is re-delivered as RUNNING: build again.
        if export.status == YearExport.Status.READY:
            return export
        export.status = YearExport.Status.RUNNING
        export.save(update_fields=["status"])
    try:
        content, count = year_workbook(export.year)
    except Exception as error:
        export.status = YearExport.Status.FAILED
        export.error = f"{type(error).__name__}: {error}"[:2000]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        raise
    name = f"social-value-returns-{export.year.slug}.xlsx"
    export.file.save(name, ContentFile(content), save=False)
    export.line_count = count
    export.status = YearExport.Status.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "line_count", "status", "finished_at"])
    return export
