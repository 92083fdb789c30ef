"""Export and import of a 300-line return workbook, against a bare openpyxl pass.

    python -m bench spreadsheet_round_trip [--lines 300] [--repeat 5]

Floors: for the export, openpyxl writing the same cells with no styling, validation or
signing; for the import, openpyxl's read-only pass over the same file, touching every
cell. The import is timed in its two parts: reading and checking the file (what the
preview costs before any rule runs), and applying it through `lines_save` (the bulk
form of the web form's `line_save`: the same rules and writer, all lines at once).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from bench.harness import setup_django, test_database


def _median(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _return_with_lines(lines: int):
    """A return of `lines` lines (half with a figure) and its contact's user."""
    import datetime
    from decimal import Decimal

    from returns.models import ReturnEntry
    from tests import factories

    year = factories.ReportingYearFactory()
    contact = factories.SupplierContactFactory(supplier__name="Bench Build Ltd")
    annual_return = factories.AnnualReturnFactory(
        year=year, supplier=contact.supplier, status="in_progress"
    )
    lot = factories.LotFactory()
    member = factories.MemberFactory()
    for number in range(lines):
        line = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=f"B-{number:05d}",
            contract__lot=lot,
            contract__member=member,
            contract__ends_on=datetime.date(2028, 3, 31),
        )
        if number % 2:
            ReturnEntry.objects.create(
                line=line, measure=factories.measure("EMP-FT"), quantity=Decimal(1)
            )
    return annual_return, contact.user


def measure(
    *, lines: int = 300, repeat: int = 5, annual_return=None, user=None
) -> list[dict]:
    """Rows of (what, median seconds, floor seconds) for benchmarks.md. Makes a
    return of `lines` lines unless given one (with a contact, `user`) whose lines
    the workbook then fills in."""
    from django.db import transaction
    from openpyxl import Workbook, load_workbook

    from returns.models import ReturnLine
    from returns.spreadsheets import layout
    from returns.spreadsheets.apply import upload_apply
    from returns.spreadsheets.reading import read_return_workbook
    from returns.spreadsheets.upload import check_upload
    from returns.spreadsheets.workbook import build_return_workbook

    if annual_return is None:
        annual_return, user = _return_with_lines(lines)
    else:
        lines = annual_return.lines.count()

    export_seconds, made = _median(lambda: build_return_workbook(annual_return), repeat)
    # The export writes every input cell of a line, blank or not (each carries its
    # style and protection); the floor writes as many cells, with "" for the blanks.
    sample = [
        [f"B-{n:05d}", "title", "member", "framework", "lot", 1.0, 2.0]
        + [""] * 19
        + ["", "", "", "", ""]
        for n in range(lines)
    ]

    def bare_export():
        book = Workbook()
        sheet = book.active
        for row in sample:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out

    export_floor, _ = _median(bare_export, repeat)

    book = load_workbook(io.BytesIO(made.content))
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    for row in range(layout.FIRST_LINE_ROW, layout.FIRST_LINE_ROW + lines):
        sheet.cell(row=row, column=codes.index("EMP-FT") + 1, value=2)
        sheet.cell(row=row, column=codes.index("VOL") + 1, value=7.5)
    out = io.BytesIO()
    book.save(out)
    filled = out.getvalue()

    def bare_read():
        workbook = load_workbook(io.BytesIO(filled), read_only=True, data_only=True)
        count = sum(
            1
            for row in workbook[layout.RETURN].iter_rows(values_only=True)
            for _ in row
        )
        workbook.close()
        return count

    import_floor, _ = _median(bare_read, repeat)

    def read_and_check():
        rows, identity = read_return_workbook(filled, name="bench.xlsx")
        return check_upload(
            annual_return=annual_return, return_rows=rows, identity_pieces=identity
        )

    check_seconds, plan = _median(read_and_check, repeat)
    assert plan.ok and len(plan.changes) == lines, plan.problems[:5]

    def apply_and_undo():
        with transaction.atomic():
            upload_apply(
                annual_return=annual_return,
                changes=plan.changes,
                user=user,
                replace_online=False,
            )
            transaction.set_rollback(True)

    apply_seconds, _ = _median(apply_and_undo, repeat)
    assert ReturnLine.objects.filter(annual_return=annual_return).count() == lines
    return [
        {
            "what": f"Export a {lines}-line return workbook",
            "seconds": export_seconds,
            "floor": export_floor,
            "floor_is": "openpyxl writing the same cells, unstyled",
        },
        {
            "what": f"Import a {lines}-line workbook: read and check",
            "seconds": check_seconds,
            "floor": import_floor,
            "floor_is": "openpyxl read-only pass over the same file",
        },
        {
            "what": f"Import a {lines}-line workbook: read, check and apply",
            "seconds": check_seconds + apply_seconds,
            "floor": import_floor,
            "floor_is": "openpyxl read-only pass over the same file",
        },
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench spreadsheet_round_trip")
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args, _ = parser.parse_known_args(argv)
    setup_django()
    with test_database():
        rows = measure(lines=args.lines, repeat=args.repeat)
    for row in rows:
        ratio = row["seconds"] / row["floor"] if row["floor"] else 0
        print(
            f"{row['what']:<52} {row['seconds']:>7.3f} s  floor {row['floor']:.3f} s  ×{ratio:.1f}"
        )
