"""The downloadable template of each kind: its headings on the first sheet (the one
the import reads) and a guidance sheet saying what each column takes."""

import io

from core.exports import neutralise
from core.xlsx.titles import sheet_title

from .base import Kind


def template_bytes(kind: Kind) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headings = (
        kind.template_columns()
        if hasattr(kind, "template_columns")
        else [c.name for c in kind.columns]
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(kind.label)
    sheet.append([neutralise(h) for h in headings])
    bold = Font(bold=True)
    for index, _heading in enumerate(headings, start=1):
        sheet.cell(row=1, column=index).font = bold
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, min(40, len(headings[index - 1]) + 4)
        )
    sheet.freeze_panes = "A2"

    guidance = workbook.create_sheet(sheet_title("Guidance"))
    guidance.append([kind.label])
    guidance["A1"].font = Font(bold=True, size=14)
    guidance.append([kind.description])
    guidance.append(
        [
            "Fill in the first sheet, one row per record, and keep its headings as "
            "they are. Only the first sheet is read. Rows are matched on their "
            "reference: importing a row again updates it, and nothing missing from "
            "the file is ever deleted."
        ]
    )
    guidance.append([])
    guidance.append(["Column", "Heading required", "What to enter", "Example"])
    for cell in guidance[5]:
        cell.font = bold
    for column in kind.columns:
        example = column.example
        guidance.append(
            [
                neutralise(column.name),
                "Yes" if column.required else "No",
                neutralise(column.help),
                example if not isinstance(example, str) else neutralise(example),
            ]
        )
        if hasattr(example, "year"):
            guidance.cell(row=guidance.max_row, column=4).number_format = "dd/mm/yyyy"
    if kind.key == "past_returns":
        guidance.append(
            [
                "One column per measure code",
                "No",
                "The quantity delivered that year (blank: none). Headed with the "
                "measure's code, like EMP-FT.",
                2,
            ]
        )
    for letter, width in zip("ABCD", (32, 16, 70, 20), strict=True):
        guidance.column_dimensions[letter].width = width
    for row in guidance.iter_rows(min_row=2, max_row=3):
        row[0].alignment = Alignment(wrap_text=False)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
