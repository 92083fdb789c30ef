"""core.xlsx: reading hostile files safely, and strict cell parsers."""

import datetime
import io
import time
import zipfile
from decimal import Decimal

import pytest

from core.uploads import too_large
from core.xlsx import CellError, SpreadsheetRefused, cells, read_table, reading
from core.xlsx.reading import Cell
from tests.frameworks.sheets import csv_file, xlsx


def cell(value, header="Spend"):
    return Cell(value, "Valuations", 7, "C", header)


def test_reads_header_and_rows_with_positions_skipping_blank_rows():
    data = xlsx(
        ["Contract reference", "Amount"], ["C-1", 10], [None, None], ["C-2", 20]
    )
    table = read_table(data, name="v.xlsx")
    assert table.header == ["Contract reference", "Amount"]
    assert [r.number for r in table.rows] == [2, 4]
    found = table.rows[1].cell("amount")
    assert (found.value, found.row, found.column, found.sheet) == (20, 4, "B", "Sheet1")


def test_reads_csv_with_a_bom_and_names_the_file_as_the_sheet():
    data = b"\xef\xbb\xbf" + csv_file(["Reference", "Name"], ["M1", "Homes"])
    table = read_table(data, name="members.csv")
    assert table.sheet == "members.csv"
    assert table.rows[0].cell("Reference").value == "M1"


def test_a_value_under_no_heading_is_a_problem():
    table = read_table(xlsx(["A"], ["x", "stray"]), name="f.xlsx")
    assert table.problems[0].column == "B"
    assert "no heading" in table.problems[0].message


def test_refuses_a_file_that_is_not_a_spreadsheet():
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(b"%PDF-1.4 not a sheet", name="returns.pdf")
    assert "not an Excel workbook" in str(refused.value)


def test_refuses_a_file_named_xlsx_that_is_not_one():
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(b"hello, world", name="fake.xlsx")
    assert refused.value.problem.message == reading.NOT_AN_XLSX


def test_refuses_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SpreadsheetRefused):
        read_table(out.getvalue(), name="f.xlsx")


def test_refuses_an_old_excel_file():
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="f.xls")
    assert refused.value.problem.message == reading.OLD_EXCEL


def test_refuses_a_file_over_the_size_limit(settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(b"x" * 1001, name="big.csv")
    # The file's own size and the limit, in the words every upload uses.
    assert str(refused.value) == too_large(1001, 1000)
    assert (
        str(refused.value)
        == "The selected file is 1001 bytes: it must be smaller than 1000 bytes"
    )


def _bomb(member_size: int) -> bytes:
    """A valid workbook whose sheet is padded with a huge run of spaces."""
    base = xlsx(["A"], ["x"])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * member_size)
            target.writestr(item.filename, data)
    return out.getvalue()


def test_refuses_a_zip_bomb_quickly_without_unpacking_it():
    data = _bomb(50 * 1024 * 1024)  # 50 MB of spaces in about 50 KB
    assert len(data) < 200 * 1024
    started = time.perf_counter()
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(data, name="bomb.xlsx")
    assert time.perf_counter() - started < 0.5
    assert refused.value.problem.message == reading.COMPRESSED_TOO_FAR


def test_refuses_a_workbook_that_unpacks_past_the_limit(settings):
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 4000
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(xlsx(["A"], *[["some text here"] * 5] * 20), name="f.xlsx")
    assert "unpacks to more than" in str(refused.value)


def test_refuses_billion_laughs_in_the_sheet():
    base = xlsx(["Heading"], ["text"])
    doctype = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = doctype + data.replace(b">text<", b">&lol3;<")
            target.writestr(item.filename, data)
    started = time.perf_counter()
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(out.getvalue(), name="laughs.xlsx")
    assert time.perf_counter() - started < 1
    assert refused.value.problem.message == reading.XML_ENTITIES


def test_refuses_too_many_rows_even_when_the_dimension_header_lies(settings):
    settings.SPREADSHEET_MAX_ROWS = 50
    data = xlsx(["A"], *[[n] for n in range(51)])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"<dimension" in sheet
    with pytest.raises(SpreadsheetRefused) as refused:
        read_table(data, name="rows.xlsx")
    assert "more than 50 rows" in str(refused.value)
    assert (
        len(read_table(xlsx(["A"], *[[n] for n in range(50)]), name="ok.xlsx").rows)
        == 50
    )


def test_money_accepts_pounds_and_refuses_negative_and_too_many_places():
    assert cells.money(cell("£1,250.5")) == Decimal("1250.50")
    assert cells.money(cell(0.1 + 0.2)) == Decimal("0.30")
    assert cells.money(cell(125000)) == Decimal("125000.00")
    with pytest.raises(CellError) as error:
        cells.money(cell(-5))
    assert error.value.problem.message == cells.MONEY_NEGATIVE
    assert str(error.value).startswith("Sheet Valuations, row 7, column C (Spend)")
    with pytest.raises(CellError, match="2 decimal places"):
        cells.money(cell("10.123"))
    with pytest.raises(CellError, match="amount in pounds"):
        cells.money(cell("ten pounds"))
    with pytest.raises(CellError, match="empty"):
        cells.money(cell(None))


def test_dates_in_uk_or_iso_form_and_quarter_ends():
    assert cells.date(cell("30/06/2024")) == datetime.date(2024, 6, 30)
    assert cells.date(cell("2024-06-30")) == datetime.date(2024, 6, 30)
    assert cells.date(cell(datetime.datetime(2024, 6, 30))) == datetime.date(
        2024, 6, 30
    )
    with pytest.raises(CellError, match="Expected a date"):
        cells.date(cell("06/31/2024"))
    with pytest.raises(CellError, match="quarter end"):
        cells.quarter_end(cell("2024-06-29"))
    assert cells.quarter_end(cell("31/03/2025")) == datetime.date(2025, 3, 31)


def test_yes_no_integers_text_and_email():
    assert cells.yes_no(cell("Yes")) is True
    assert cells.yes_no(cell(None), default=False) is False
    with pytest.raises(CellError):
        cells.yes_no(cell("maybe"))
    assert cells.integer(cell("12")) == 12
    with pytest.raises(CellError, match="whole number"):
        cells.integer(cell("1.5"))
    assert cells.text(cell(123.0)) == "123"
    with pytest.raises(CellError, match="at most 3"):
        cells.text(cell("abcd"), max_length=3)
    assert cells.email(cell("Alex@Example.COM")) == "alex@example.com"
    with pytest.raises(CellError):
        cells.email(cell("not an email"))
