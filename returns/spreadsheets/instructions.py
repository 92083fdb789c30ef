"""The Instructions sheet of a return workbook."""

from __future__ import annotations

from django.conf import settings
from openpyxl.styles import Alignment, Font

from core.exports import neutralise
from core.xlsx.titles import sheet_title
from returns.models import AnnualReturn

from . import layout

HEADER_FONT = Font(bold=True)

# The portal's own words for the links and buttons the instructions name
# (tests/returns/test_workbook_context.py checks each is on its page).
LINK_SPREADSHEET = "Fill in the return in a spreadsheet"
LINK_UPLOAD = "Upload the filled-in spreadsheet"
BUTTON_CHECK = "Check the spreadsheet"
BUTTON_SAVE = "Save these figures"
BUTTON_CHECK_ANSWERS = "Check your answers"
BUTTON_SUBMIT = "Accept and submit"


def write_instructions(sheet, annual_return: AnnualReturn) -> None:
    """The workbook's first sheet: what to fill in and how, in the words of the
    portal's own links and buttons."""
    sheet.title = sheet_title(layout.INSTRUCTIONS)
    year = annual_return.year
    deadline = annual_return.effective_deadline
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    paragraphs = [
        (f"Social value return {annual_return.reference}", True),
        (f"{annual_return.supplier.name}, reporting year {year.label}", True),
        ("", False),
        (
            f"Deadline: the end of {deadline:%A %-d %B %Y} (UK time). Upload this file "
            "before then, check the preview, and confirm. Then submit the return online.",
            False,
        ),
        ("", False),
        ("What to fill in", True),
        (
            "On the 'Return' sheet there is one row for each of your contracts in this "
            "return. For each contract, type what you delivered in the year in the "
            "yellow columns, one column for each measure. Leave a measure blank if you "
            "delivered none of it. The units are under each heading, and the 'Measures' "
            "sheet explains every measure.",
            False,
        ),
        (
            "People, placements, projects and attendees are whole numbers. Hours and "
            "pounds may have up to 2 decimal places. Nothing can be negative.",
            False,
        ),
        (
            "If you delivered nothing on a contract this year, leave its figures blank "
            "and say why in 'Nothing delivered this year: why'.",
            False,
        ),
        (
            "If a contract is below its target, say why and give a recovery plan with a "
            "date no later than the end of the contract. If the contract has ended, say "
            "how you will make it good instead, with no date.",
            False,
        ),
        ("", False),
        ("What credits are", True),
        (
            f"Each measure is worth a number of credits per unit (see 'Measures'). Your "
            f"target on each contract is {year.credits_per_100k} credits for every "
            "£100,000 of spend in the year. The 'Credits delivered' column works this "
            "out as you type; the portal works it out again when you upload, so you "
            "cannot change it.",
            False,
        ),
        ("", False),
        ("Context beside each contract", True),
        (
            "On the right of each row, 'Delivery plan (read only)' shows what the "
            "contract's delivery plan commits to over the whole contract, and 'Last "
            "year's figures (read only)' what you reported for it last year. Start "
            "from them if you are not sure what was delivered. They are there to read: "
            "the portal ignores any change to them.",
            False,
        ),
        ("", False),
        ("How to upload", True),
        (
            f"Sign in at {base_url}/ and open this return from 'Your returns'. Choose "
            f"'{LINK_SPREADSHEET}', then under '{LINK_UPLOAD}' choose this file and "
            f"'{BUTTON_CHECK}'. Nothing is saved until you have seen the preview and "
            f"chosen '{BUTTON_SAVE}'. If a colleague changed a contract online after "
            "you downloaded this file, the preview shows both and asks which to keep.",
            False,
        ),
        (
            f"Then, back on the return, choose '{BUTTON_CHECK_ANSWERS}' and "
            f"'{BUTTON_SUBMIT}' to submit it.",
            False,
        ),
        (
            "Do not change the contract references, add or remove columns, or rename "
            "the sheets. Rows you delete leave those contracts as they are online.",
            False,
        ),
    ]
    sheet.column_dimensions["A"].width = 110
    for row, (text, bold) in enumerate(paragraphs, start=1):
        cell = sheet.cell(row=row, column=1, value=neutralise(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = HEADER_FONT
