"""The spreadsheet carries the context (issue 21, part 6): each contract's delivery
plan and last year's figures beside its row, read only, ignored by the upload; the
instructions name the portal's links and buttons as the pages do."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from returns.models import ReturnEntry
from returns.spreadsheets import instructions, layout
from returns.spreadsheets.workbook import build_return_workbook
from tests import factories
from tests.returns.test_spreadsheet_upload import _confirm, _fill, _upload
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status="in_progress"
    )
    planned = factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-PLAN",
        contract__ends_on=datetime.date(2027, 3, 31),
    )
    factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-NEW",
        contract__ends_on=datetime.date(2027, 3, 31),
    )
    factories.DeliveryPlanItemFactory(
        contract=planned.contract,
        measure=factories.measure("EMP-FT"),
        committed_quantity=Decimal("4"),
    )
    factories.DeliveryPlanItemFactory(
        contract=planned.contract,
        measure=factories.measure("VOL"),
        committed_quantity=Decimal("120.5"),
    )
    last_year = factories.ReturnLineFactory(
        annual_return__supplier=contact.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2023),
        contract=planned.contract,
        target_credits=Decimal("20.00"),
        delivered_credits=Decimal("11.00"),
    )
    factories.ReturnEntryFactory(
        line=last_year, measure=factories.measure("EMP-FT"), quantity=1
    )
    factories.ReturnEntryFactory(
        line=last_year, measure=factories.measure("TRN"), quantity=1
    )
    return annual_return, contact.user


def _rows(content: bytes) -> dict[str, dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content))[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    found = {}
    for row in sheet.iter_rows(min_row=layout.FIRST_LINE_ROW):
        found[row[0].value] = {
            code: (cell.value, cell.protection.locked)
            for code, cell in zip(codes, row, strict=False)
        }
    return found


def test_each_row_carries_its_plan_and_last_years_figures_read_only(setting):
    annual_return, _ = setting
    rows = _rows(build_return_workbook(annual_return).content)
    plan, plan_locked = rows["C-PLAN"]["plan"]
    assert plan == (
        "Over the whole contract: Jobs created, full-time: 4 people; "
        "Staff volunteering in the community: 120.50 hours"
    )
    last, last_locked = rows["C-PLAN"]["last_year"]
    assert last == (
        "2023/24: Jobs created, full-time: 1 person; Training courses completed: "
        "1 person. 11.00 credits of a target of 20.00"
    )
    assert plan_locked and last_locked
    assert rows["C-NEW"]["plan"][0] == "No delivery plan recorded"
    assert rows["C-NEW"]["last_year"][0] == "Not on last year's return"


def test_an_edit_to_the_context_is_ignored_with_a_warning(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content,
        {("C-PLAN", "plan"): "40 jobs", ("C-PLAN", "EMP-FT"): 2},
    )
    preview = _upload(client, annual_return, content)
    plan = preview.context["plan"]
    assert plan.ok
    assert any(
        "'Delivery plan (read only)' of C-PLAN is there to read" in w
        for w in plan.warnings
    )
    _confirm(client, annual_return, preview)
    assert ReturnEntry.objects.get(
        line__annual_return=annual_return, line__contract__reference="C-PLAN"
    ).quantity == Decimal("2")


def test_an_unchanged_download_uploads_without_a_warning(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-NEW", "EMP-FT"): 1}
    )
    plan = _upload(client, annual_return, content).context["plan"]
    assert plan.ok and plan.warnings == []


def test_the_instructions_name_the_portals_links_and_buttons(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    sheet = load_workbook(io.BytesIO(build_return_workbook(annual_return).content))[
        layout.INSTRUCTIONS
    ]
    text = " ".join(str(c.value or "") for c in sheet["A"])
    reference = annual_return.reference
    pages = {
        instructions.LINK_SPREADSHEET: reverse(
            "supplier:return_detail", args=[reference]
        ),
        instructions.LINK_UPLOAD: reverse(
            "supplier:spreadsheet_upload", args=[reference]
        ),
        instructions.BUTTON_CHECK: reverse(
            "supplier:spreadsheet_upload", args=[reference]
        ),
        instructions.BUTTON_CHECK_ANSWERS: reverse(
            "supplier:return_detail", args=[reference]
        ),
        "Your returns": reverse("supplier:home"),
    }
    for words, url in pages.items():
        assert f"'{words}'" in text, words
        assert words in client.get(url).content.decode(), (words, url)
    assert f"'{instructions.BUTTON_SAVE}'" in text
    assert f"'{instructions.BUTTON_SUBMIT}'" in text
    assert "Delivery plan (read only)" in text


def test_the_buttons_named_are_the_pages_own():
    from django.template.loader import get_template

    preview = get_template("returns/spreadsheets/preview.html").template.source
    check = get_template("returns/supplier/check_answers.html").template.source
    assert f">{instructions.BUTTON_SAVE}<" in preview
    assert f">{instructions.BUTTON_SUBMIT}<" in check
