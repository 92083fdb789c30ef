"""The return workbook a supplier downloads: prefilled, locked where it must be,
validated, with its identity signed in a sheet nobody sees."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from returns.spreadsheets import layout
from returns.spreadsheets.workbook import build_return_workbook
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual_return():
    year = factories.ReportingYearFactory()
    annual_return = factories.AnnualReturnFactory(
        year=year, supplier__name="Acme Build Ltd", status="in_progress"
    )
    first = factories.ReturnLineFactory(
        annual_return=annual_return, contract__reference="C-0001"
    )
    factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-0002",
        shortfall_reason='=HYPERLINK("http://x","y")',
    )
    factories.ReturnEntryFactory(
        line=first, measure=factories.measure("EMP-FT"), quantity=Decimal("3")
    )
    factories.ReturnEntryFactory(
        line=first, measure=factories.measure("VOL"), quantity=Decimal("12.5")
    )
    return annual_return


def _open(annual_return):
    made = build_return_workbook(annual_return)
    return made, load_workbook(io.BytesIO(made.content))


def test_workbook_is_named_after_supplier_and_year(annual_return):
    made, _ = _open(annual_return)
    assert made.filename == "social-value-return-acme-build-ltd-2024-25.xlsx"


def test_workbook_has_instructions_return_measures_and_a_very_hidden_identity(
    annual_return,
):
    _, book = _open(annual_return)
    assert book.sheetnames == [
        layout.INSTRUCTIONS,
        layout.RETURN,
        layout.MEASURES,
        layout.IDENTITY,
    ]
    assert book[layout.IDENTITY].sheet_state == "veryHidden"
    instructions = " ".join(
        str(c.value) for c in book[layout.INSTRUCTIONS]["A"] if c.value
    )
    assert "Deadline: the end of Monday 30 June 2025" in instructions
    assert "10 credits for every £100,000" in instructions


def test_return_sheet_is_prefilled_locked_and_carries_the_online_figures(
    annual_return,
):
    _, book = _open(annual_return)
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    assert codes[:7] == [
        "reference",
        "title",
        "member",
        "framework",
        "lot",
        "spend",
        "target",
    ]
    assert "EMP-FT" in codes and "VOL" in codes
    row = layout.FIRST_LINE_ROW
    assert sheet.cell(row=row, column=1).value == "C-0001"
    assert sheet.cell(row=row, column=6).value == 200000
    assert sheet.cell(row=row, column=codes.index("EMP-FT") + 1).value == 3
    assert sheet.cell(row=row, column=codes.index("VOL") + 1).value == 12.5
    assert sheet.protection.sheet is True
    assert sheet.cell(row=row, column=6).protection.locked is True
    assert sheet.cell(row=row, column=codes.index("VOL") + 1).protection.locked is False
    credits = sheet.cell(row=row, column=codes.index("credits") + 1).value
    assert credits.startswith("=ROUND(SUMPRODUCT(")
    assert sheet.freeze_panes == f"C{layout.FIRST_LINE_ROW}"


def test_measure_columns_validate_whole_numbers_or_decimals_not_negative(
    annual_return,
):
    _, book = _open(annual_return)
    sheet = book[layout.RETURN]
    kinds = {dv.type: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    from openpyxl.utils import get_column_letter

    people = get_column_letter(codes.index("EMP-FT") + 1)
    hours = get_column_letter(codes.index("VOL") + 1)
    assert people in kinds["whole"] and hours in kinds["decimal"]
    for dv in sheet.data_validations.dataValidation:
        if dv.type in ("whole", "decimal"):
            assert dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"


def test_text_that_looks_like_a_formula_is_written_as_text(annual_return):
    _, book = _open(annual_return)
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    cell = sheet.cell(
        row=layout.FIRST_LINE_ROW + 1, column=codes.index("shortfall_reason") + 1
    )
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x","y")'


def test_identity_names_the_return_and_each_lines_version(annual_return):
    _, book = _open(annual_return)
    pieces = [c.value for c in book[layout.IDENTITY]["A"] if c.value]
    identity = layout.read_identity(pieces)
    assert identity["return"] == annual_return.pk
    assert identity["supplier_name"] == "Acme Build Ltd"
    line = annual_return.lines.get(contract__reference="C-0001")
    assert identity["lines"][str(line.pk)]["v"] == line.version
    assert identity["lines"][str(line.pk)]["q"] == {"EMP-FT": "3.00", "VOL": "12.50"}


def test_each_kind_of_cell_is_formatted_for_what_it_holds(annual_return):
    _, book = _open(annual_return)
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]

    def cell(row, code):
        return sheet.cell(row=row, column=codes.index(code) + 1)

    for row in (layout.FIRST_LINE_ROW, layout.FIRST_LINE_ROW + 1):
        for code in ("EMP-FT", "VOL", "shortfall_reason", "recovery_by"):
            assert cell(row, code).protection.locked is False
            assert cell(row, code).fill.fgColor.rgb == "00FFF7D6"
        assert cell(row, "shortfall_reason").alignment.wrap_text is True
        assert cell(row, "recovery_by").number_format == "dd/mm/yyyy"
        assert cell(row, "spend").number_format == "#,##0.00"
        assert cell(row, "target").number_format == "0.00"
        assert cell(row, "credits").number_format == "0.00"
        for code in ("reference", "spend", "target", "credits"):
            assert cell(row, code).protection.locked is True
            assert cell(row, code).fill.fill_type is None
        assert cell(row, "VOL").font.name == "Calibri"
