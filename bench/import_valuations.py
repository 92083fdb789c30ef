"""Importing quarterly valuations: 20,000 rows (5,000 contracts × 4 quarters) checked,
applied, applied again (nothing changes) and re-imported with new amounts (every row
updated, with history); and 2,000 rows, to show the queries grow with batches of
1,000 rows, not with rows.

    python -m bench import_valuations [--rows=20000]
"""

import datetime
import io
from decimal import Decimal

from .harness import print_table, setup_django, test_database, timed

QUARTERS = [
    datetime.date(2024, 6, 30),
    datetime.date(2024, 9, 30),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 3, 31),
]
SPEND = "Spend in quarter (£, excl. VAT)"


def _contracts(count: int, prefix: str) -> list[str]:
    from frameworks.models import Contract, Framework, Lot, Member, Supplier

    framework, _ = Framework.objects.get_or_create(
        reference="FW-BENCH",
        defaults={
            "name": "Bench",
            "starts_on": datetime.date(2020, 4, 1),
            "ends_on": datetime.date(2030, 3, 31),
        },
    )
    lot, _ = Lot.objects.get_or_create(
        framework=framework, number="1", defaults={"name": "Lot"}
    )
    member, _ = Member.objects.get_or_create(
        reference="M-BENCH", defaults={"name": "Member"}
    )
    supplier, _ = Supplier.objects.get_or_create(
        reference="S-BENCH", defaults={"name": "Supplier"}
    )
    references = [f"{prefix}-{n:06d}" for n in range(count)]
    Contract.objects.bulk_create(
        [
            Contract(
                reference=reference,
                title="Bench contract",
                member=member,
                supplier=supplier,
                lot=lot,
                starts_on=datetime.date(2023, 4, 1),
                ends_on=datetime.date(2027, 3, 31),
            )
            for reference in references
        ],
        batch_size=1000,
    )
    return references


def _workbook(references: list[str], bump: int = 0) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Valuations")
    sheet.append(["Contract reference", "Quarter ending", SPEND])
    for index, reference in enumerate(references):
        for quarter in QUARTERS:
            sheet.append([reference, quarter, 25000 + (index % 1000) + bump + 0.5])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _run(results: list, rows: int, prefix: str) -> None:
    from core.xlsx import read_table
    from frameworks.imports.services import import_apply, import_check
    from frameworks.models import Valuation

    references = _contracts(rows // len(QUARTERS), prefix)
    first = _workbook(references)
    second = _workbook(references, bump=7)
    name = f"valuations-{rows}.xlsx"
    with timed(
        results, f"read the xlsx only ({len(first) // 1024} KB)", rows, cpu=True
    ):
        read_table(first, name=name, max_bytes=10**9, max_rows=10**6)
    with timed(results, "check (nothing written)", rows, cpu=True):
        report = import_check(file=first, name=name)
    assert report.ok, report.errors[:3]
    with timed(results, "apply: create", rows, cpu=True):
        report = import_apply(file=first, name=name)
    assert report.counts["Valuations"]["created"] == rows
    with timed(results, "apply the same file again: nothing changes", rows, cpu=True):
        report = import_apply(file=first, name=name)
    assert report.counts["Valuations"]["unchanged"] == rows
    with timed(results, "apply new amounts: update with history", rows, cpu=True):
        report = import_apply(file=second, name=name)
    assert report.counts["Valuations"]["updated"] == rows
    assert (
        Valuation.history.filter(contract__reference__startswith=prefix).count()
        == 2 * rows
    )
    sample = Valuation.objects.filter(contract__reference=references[0]).first()
    assert sample.amount == Decimal("25007.50")


def main(argv: list[str]) -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    rows = 20_000
    for option in argv:
        if option.startswith("--rows="):
            rows = int(option.split("=", 1)[1])
    settings.SPREADSHEET_MAX_ROWS = max(settings.SPREADSHEET_MAX_ROWS, rows)
    settings.SPREADSHEET_MAX_BYTES = max(
        settings.SPREADSHEET_MAX_BYTES, 50 * 1024 * 1024
    )
    with test_database():
        print(f"database: {connection.vendor}")
        for size, prefix in ((2_000, "SMALL"), (rows, "BIG")):
            results: list = []
            _run(results, size, prefix)
            print_table(results)
            print()
