"""Uploading a return workbook: round trip, conflicts, and refusals that change nothing."""

import datetime
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from returns.models import ReturnEntry, ReturnEvent, ReturnLine
from returns.spreadsheets import layout
from returns.spreadsheets.workbook import build_return_workbook
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    year = factories.ReportingYearFactory()
    contact = factories.SupplierContactFactory(supplier__name="Acme Build Ltd")
    annual_return = factories.AnnualReturnFactory(
        year=year, supplier=contact.supplier, status="in_progress"
    )
    for reference in ("C-0001", "C-0002", "C-0003"):
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            contract__ends_on=datetime.date(2027, 3, 31),
        )
    return annual_return, contact.user


def _codes(sheet):
    return [c.value for c in sheet[layout.CODE_ROW]]


def _fill(content: bytes, values: dict[tuple[str, str], object]) -> bytes:
    """Types values as a person would: (contract reference, column code) → value."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[layout.RETURN]
    codes = _codes(sheet)
    rows = {
        sheet.cell(row=r, column=1).value: r
        for r in range(layout.FIRST_LINE_ROW, sheet.max_row + 1)
    }
    for (reference, code), value in values.items():
        sheet.cell(row=rows[reference], column=codes.index(code) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, annual_return, content: bytes, name="return.xlsx"):
    url = reverse("supplier:spreadsheet_upload", args=[annual_return.reference])
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"file": upload})


def _confirm(client, annual_return, response, *, replace=False):
    data = {"plan": response.context["token"], "file_name": "return.xlsx"}
    if replace:
        data["replace_online"] = "yes"
    url = reverse("supplier:spreadsheet_confirm", args=[annual_return.reference])
    return client.post(url, data)


def _online(annual_return) -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = {}
    for ref, code, qty in ReturnEntry.objects.filter(
        line__annual_return=annual_return
    ).values_list("line__contract__reference", "measure__code", "quantity"):
        found.setdefault(ref, {})[code] = qty
    return found


FILLED = {
    ("C-0001", "EMP-FT"): 2,
    ("C-0001", "VOL"): 12.5,
    ("C-0002", "APP-NEW"): 1,
    ("C-0002", "shortfall_reason"): "Works started late",
    ("C-0002", "recovery_plan"): "Two more apprentices in spring",
    ("C-0002", "recovery_by"): datetime.datetime(2026, 9, 30),
    ("C-0003", "nothing_delivered_reason"): "Contract paused all year",
}


def test_round_trip_saves_exactly_the_figures_in_the_file(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(build_return_workbook(annual_return).content, FILLED)
    preview = _upload(client, annual_return, content)
    assert preview.status_code == 200, preview.context.get("plan").problems
    plan = preview.context["plan"]
    assert plan.summary().startswith("3 of 3 contracts change")
    assert not ReturnEntry.objects.filter(line__annual_return=annual_return).exists()

    done = _confirm(client, annual_return, preview)
    assert done.status_code == 302
    assert _online(annual_return) == {
        "C-0001": {"EMP-FT": Decimal("2.00"), "VOL": Decimal("12.50")},
        "C-0002": {"APP-NEW": Decimal("1.00")},
    }
    second = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-0002"
    )
    assert second.shortfall_reason == "Works started late"
    assert second.recovery_by == datetime.date(2026, 9, 30)
    third = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-0003"
    )
    assert third.nothing_delivered_reason == "Contract paused all year"
    assert ReturnEvent.objects.filter(
        annual_return=annual_return, kind="uploaded"
    ).exists()
    # Uploading the same file again changes nothing.
    again = _upload(client, annual_return, content)
    assert again.context["plan"].changes == []


def test_credits_column_of_the_file_is_never_read(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content,
        {("C-0001", "EMP-FT"): 1, ("C-0001", "credits"): 9999},
    )
    preview = _upload(client, annual_return, content)
    change = preview.context["plan"].changes[0]
    assert change.credits == Decimal("10.00")  # EMP-FT is worth 10 a person


def _libreoffice_resave(content: bytes, tmp_path) -> bytes:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice not found: apt-get install -y libreoffice-calc-nogui")
    source = tmp_path / "in" / "return.xlsx"
    source.parent.mkdir()
    source.write_bytes(content)
    out = tmp_path / "out"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (out / "return.xlsx").read_bytes()


@pytest.mark.office
def test_round_trip_through_libreoffice_with_text_numbers_blank_rows_and_widths(
    client, setting, tmp_path
):
    annual_return, user = setting
    signed_in(client, user)
    book = load_workbook(io.BytesIO(build_return_workbook(annual_return).content))
    sheet = book[layout.RETURN]
    codes = _codes(sheet)
    row = layout.FIRST_LINE_ROW
    sheet.cell(row=row, column=codes.index("EMP-FT") + 1, value="3")  # text
    sheet.cell(row=row, column=codes.index("VOL") + 1, value=" 7.25 ")
    sheet.column_dimensions["B"].width = 80
    sheet.insert_rows(row + 1)  # an extra blank row between lines
    out = io.BytesIO()
    book.save(out)
    resaved = _libreoffice_resave(out.getvalue(), tmp_path)

    preview = _upload(client, annual_return, resaved)
    assert preview.status_code == 200, preview.context["plan"].problems
    _confirm(client, annual_return, preview)
    assert _online(annual_return) == {
        "C-0001": {"EMP-FT": Decimal("3.00"), "VOL": Decimal("7.25")}
    }


def test_a_line_changed_online_since_download_is_shown_and_kept_unless_replaced(
    client, setting
):
    from returns.services.lines import line_save

    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-0001", "EMP-FT"): 4}
    )
    line = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-0001"
    )
    line_save(
        line=line, user=user, expected_version=line.version, quantities={"EMP-FT": "6"}
    )

    preview = _upload(client, annual_return, content)
    plan = preview.context["plan"]
    assert [c.reference for c in plan.conflicts] == ["C-0001"]
    assert plan.conflicts[0].cells[0][1:] == ("", "6", "4")
    assert b"Changed online since you downloaded the file" in preview.content

    _confirm(client, annual_return, preview)
    assert _online(annual_return)["C-0001"]["EMP-FT"] == Decimal("6.00")

    preview = _upload(client, annual_return, content)
    _confirm(client, annual_return, preview, replace=True)
    assert _online(annual_return)["C-0001"]["EMP-FT"] == Decimal("4.00")


def test_rows_missing_from_the_file_leave_their_lines_unchanged(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    book = load_workbook(io.BytesIO(build_return_workbook(annual_return).content))
    sheet = book[layout.RETURN]
    sheet.protection.sheet = False
    sheet.delete_rows(layout.FIRST_LINE_ROW + 2)  # C-0003
    out = io.BytesIO()
    book.save(out)
    preview = _upload(client, annual_return, out.getvalue())
    assert preview.context["plan"].unchanged_missing == ["C-0003"]
    assert b"left as they are online: C-0003" in preview.content


def test_edits_to_locked_spend_are_ignored_with_a_warning(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content,
        {("C-0001", "spend"): 1, ("C-0001", "EMP-FT"): 1},
    )
    preview = _upload(client, annual_return, content)
    plan = preview.context["plan"]
    assert plan.ok
    assert any("spend of C-0001 cannot be changed" in w for w in plan.warnings)
    _confirm(client, annual_return, preview)
    assert ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-0001"
    ).spend == Decimal("200000.00")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({("C-0001", "EMP-FT"): "ten"}, "'ten' is not a number"),
        ({("C-0001", "EMP-FT"): -1}, "is negative"),
        ({("C-0001", "EMP-FT"): 1.5}, "is not a whole number of people"),
        ({("C-0001", "VOL"): 1.255}, "more than 2 decimal places"),
        ({("C-0001", "recovery_by"): "soon"}, "'soon' is not a date"),
        ({("C-0001", "reference"): "C-0411"}, "contract C-0411 is not in this return"),
        ({("C-0002", "reference"): "C-0001"}, "contract C-0001 appears twice"),
    ],
)
def test_bad_cells_are_named_and_nothing_is_saved(client, setting, values, message):
    annual_return, user = setting
    signed_in(client, user)
    values = {**values, ("C-0003", "EMP-FT"): 2}
    content = _fill(build_return_workbook(annual_return).content, values)
    preview = _upload(client, annual_return, content)
    assert preview.status_code == 400
    problems = " | ".join(preview.context["plan"].problems)
    assert message in problems
    assert "Return!" in problems or "row " in problems
    assert "token" not in preview.context or not preview.context["token"]
    assert not ReturnEntry.objects.filter(line__annual_return=annual_return).exists()


def test_a_rule_the_web_form_enforces_is_reported_in_the_preview(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    # More jobs for people facing barriers than jobs created: the "part of" rule.
    content = _fill(
        build_return_workbook(annual_return).content,
        {("C-0001", "EMP-FT"): 1, ("C-0001", "EMP-BAR"): 3},
    )
    preview = _upload(client, annual_return, content)
    assert preview.status_code == 400
    assert any("C-0001" in p for p in preview.context["plan"].problems)
    assert not ReturnEntry.objects.filter(line__annual_return=annual_return).exists()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    return out.getvalue()


def _shared_strings_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/sharedStrings.xml",
            b"<sst>" + b"<si><t>" + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>",
        )
    return out.getvalue()


def _other_return_file(annual_return) -> bytes:
    other = factories.AnnualReturnFactory(
        supplier__name="Other Ltd", year=annual_return.year, status="in_progress"
    )
    factories.ReturnLineFactory(annual_return=other)
    return build_return_workbook(other).content


def _other_year_file(annual_return) -> bytes:
    year = factories.ReportingYearFactory(first_year=2023)
    other = factories.AnnualReturnFactory(
        supplier=annual_return.supplier, year=year, status="in_progress"
    )
    factories.ReturnLineFactory(annual_return=other)
    return build_return_workbook(other).content


def _too_many_rows() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = layout.RETURN
    for number in range(25_000):
        sheet.append([f"C-{number}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (
            lambda r: b"reference,EMP-FT\nC-0001,3\n",
            "return.xlsx",
            "not an Excel workbook",
        ),
        (
            lambda r: b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n",
            "return.pdf",
            "not an Excel workbook",
        ),
        (lambda r: b"", "return.xlsx", "The selected file is empty"),
        (
            lambda r: build_return_workbook(r).content[:2000],
            "return.xlsx",
            "not an Excel workbook",
        ),
        (lambda r: _zip_bomb(), "return.xlsx", "unpacks to more than"),
        (lambda r: _shared_strings_bomb(), "return.xlsx", "compressed far more"),
        (lambda r: _too_many_rows(), "return.xlsx", "more than 20,000 rows"),
        (_other_return_file, "return.xlsx", "This file is for Other Ltd 2024/25"),
        (_other_year_file, "return.xlsx", "This file is for Acme Build Ltd 2023/24"),
    ],
    ids=[
        "csv-renamed",
        "pdf",
        "empty",
        "truncated",
        "zip-bomb",
        "shared-strings-bomb",
        "too-many-rows",
        "other-supplier",
        "other-year",
    ],
)
def test_hostile_or_wrong_files_are_refused_naming_the_problem(
    client, setting, make, name, message
):
    annual_return, user = setting
    signed_in(client, user)
    response = _upload(client, annual_return, make(annual_return), name=name)
    assert response.status_code == 400
    assert message in response.context["error"], response.context["error"]
    assert not ReturnEntry.objects.exists()


def test_a_contact_of_another_supplier_cannot_upload_to_this_return(client, setting):
    annual_return, _ = setting
    stranger = factories.SupplierContactFactory().user
    signed_in(client, stranger)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-0001", "EMP-FT"): 1}
    )
    assert _upload(client, annual_return, content).status_code == 404
    url = reverse("supplier:spreadsheet_download", args=[annual_return.reference])
    assert client.get(url).status_code == 404


def test_the_team_uploads_for_a_supplier(client, setting):
    annual_return, _ = setting
    team = factories.TeamUserFactory()
    signed_in(client, team)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-0001", "EMP-FT"): 2}
    )
    url = reverse("team:spreadsheet_upload", args=[annual_return.reference])
    review = client.get(reverse("team:review_detail", args=[annual_return.reference]))
    assert url.encode() in review.content  # the review page offers the upload
    upload = io.BytesIO(content)
    upload.name = "return.xlsx"
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    confirm = reverse("team:spreadsheet_confirm", args=[annual_return.reference])
    client.post(confirm, {"plan": preview.context["token"], "file_name": "x.xlsx"})
    assert _online(annual_return) == {"C-0001": {"EMP-FT": Decimal("2.00")}}
    event = ReturnEvent.objects.get(annual_return=annual_return, kind="uploaded")
    assert event.actor == team and event.snapshot["entered_by"] == team.pk


def test_an_altered_preview_is_refused_and_saves_nothing(client, setting):
    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-0001", "EMP-FT"): 2}
    )
    preview = _upload(client, annual_return, content)
    url = reverse("supplier:spreadsheet_confirm", args=[annual_return.reference])
    response = client.post(url, {"plan": preview.context["token"] + "x"})
    assert response.status_code == 302
    assert not ReturnEntry.objects.exists()


def test_a_reason_longer_than_the_form_allows_is_refused_in_the_same_words_everywhere(
    client, setting
):
    """The spreadsheet, the line form and the service refuse the same text with the
    same words (a 5,000-character reason used to be saved from a file, and the line
    then could not be saved online)."""
    from django.core.exceptions import ValidationError

    from returns.forms.lines import LineForm
    from returns.services.line_rules import text_too_long
    from returns.services.lines import line_save

    annual_return, user = setting
    signed_in(client, user)
    long_reason = "Late start. " * 420  # 5,040 characters
    message = text_too_long("shortfall_reason")
    assert message == "The reason for the shortfall must be 4,000 characters or fewer"
    content = _fill(
        build_return_workbook(annual_return).content,
        {("C-0001", "EMP-FT"): 1, ("C-0001", "shortfall_reason"): long_reason},
    )
    preview = _upload(client, annual_return, content)
    assert preview.status_code == 400
    assert f"contract C-0001: {message}" in preview.context["plan"].problems
    assert not ReturnEntry.objects.filter(line__annual_return=annual_return).exists()

    line = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-0001"
    )
    with pytest.raises(ValidationError) as refused:
        line_save(
            line=line,
            user=user,
            expected_version=line.version,
            quantities={"EMP-FT": "1"},
            shortfall_reason=long_reason,
        )
    assert refused.value.message_dict["shortfall_reason"] == [message]
    form = LineForm(
        {"version": line.version, "shortfall_reason": long_reason},
        codes=["EMP-FT"],
        ended=False,
    )
    assert not form.is_valid()
    assert form.errors["shortfall_reason"] == [message]
    # The model says the same limit.
    assert ReturnLine._meta.get_field("shortfall_reason").max_length == 4000


def test_confirming_the_same_upload_twice_says_nothing_changed_and_records_nothing(
    client, setting
):
    from returns.views.spreadsheets import NOTHING_CHANGED

    annual_return, user = setting
    signed_in(client, user)
    content = _fill(
        build_return_workbook(annual_return).content, {("C-0001", "EMP-FT"): 2}
    )
    preview = _upload(client, annual_return, content)
    first = _confirm(client, annual_return, preview)
    assert first.status_code == 302
    assert "1 contract changed." in client.get(first["Location"]).content.decode()
    uploaded = ReturnEvent.objects.filter(annual_return=annual_return, kind="uploaded")
    assert uploaded.count() == 1
    assert "1 contract changed" in uploaded.get().comment
    version = ReturnLine.objects.get(contract__reference="C-0001").version

    second = _confirm(client, annual_return, preview)
    assert second.status_code == 302
    page = client.get(second["Location"]).content.decode()
    assert NOTHING_CHANGED in page.replace("&#x27;", "'")
    assert "Figures from the spreadsheet saved" not in page
    assert uploaded.count() == 1
    assert ReturnLine.objects.get(contract__reference="C-0001").version == version
