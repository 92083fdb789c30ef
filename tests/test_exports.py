import io
from decimal import Decimal

from openpyxl import load_workbook

from core.exports import xlsx_bytes


def test_xlsx_export_neutralises_formulas_and_keeps_numbers():
    data = xlsx_bytes(
        ["Name", "Spend (£)"],
        [['=HYPERLINK("x")', Decimal("100000.50")], ["Acme", 3]],
        title="Suppliers",
    )
    sheet = load_workbook(io.BytesIO(data))["Suppliers"]
    assert sheet["A1"].value == "Name" and sheet["A1"].font.bold
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["B2"].value == 100000.5
    assert sheet.freeze_panes == "A2"
