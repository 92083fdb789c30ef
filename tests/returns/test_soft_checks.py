"""Soft checks (issue 23, part 1): each at its boundary (exactly at the threshold is
not flagged, just past it is), the same on the line form and the spreadsheet upload,
warnings never errors, explanations before submitting, kept in history, and the
declaration."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from returns.models import AnnualReturn, LineFlag, ReturnEvent
from returns.selectors.flags import flags_by_line
from returns.services import line_save
from returns.services.lines import LineInput, explanation_key, lines_save
from returns.services.submission import (
    NO_OWN_FIGURES_DECLARATION,
    ReturnNotReady,
    return_submit,
)
from returns.spreadsheets import layout
from returns.spreadsheets.workbook import build_return_workbook
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db

Code = LineFlag.Code
MAY_2025 = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(MAY_2025, tick=False):
        yield


@pytest.fixture
def annual_return(supplier):
    year = factories.ReportingYearFactory()  # 2024/25: thresholds 3, 5, 3
    return factories.AnnualReturnFactory(
        supplier=supplier, year=year, status=AnnualReturn.Status.IN_PROGRESS
    )


def a_line(annual_return, *, last_year: dict | None = None, **fields):
    """A line (spend £200,000, target 20) whose contract had `last_year` figures on
    the 2023/24 return."""
    fields.setdefault("target_credits", Decimal("20.00"))
    fields.setdefault("contract__ends_on", datetime.date(2027, 3, 31))
    line = factories.ReturnLineFactory(annual_return=annual_return, **fields)
    if last_year is not None:
        previous = factories.AnnualReturnFactory(
            supplier=annual_return.supplier,
            year=factories.ReportingYearFactory(first_year=2023),
            status=AnnualReturn.Status.APPROVED,
        )
        old = factories.ReturnLineFactory(
            annual_return=previous, contract=line.contract
        )
        for code, quantity in last_year.items():
            factories.ReturnEntryFactory(
                line=old, measure=factories.measure(code), quantity=Decimal(quantity)
            )
    return line


def flags_after_saving(line, quantities: dict) -> set[tuple[str, str]]:
    line_save(
        line=line,
        user=None,
        expected_version=None,
        quantities=quantities,
        shortfall_reason="Slow start",
        recovery_plan="More next year",
        recovery_by=datetime.date(2026, 3, 31),
    )
    return set(LineFlag.objects.filter(line=line).values_list("code", "measure_code"))


# (last year's figures, this year's figures, the flags expected)
BOUNDARIES = [
    ({"VOL": "12"}, {"VOL": "36"}, set()),  # exactly 3 times: not flagged
    ({"VOL": "12"}, {"VOL": "36.01"}, {(Code.ABOVE_LAST_YEAR, "VOL")}),
    ({"VOL": "12"}, {"VOL": "4"}, set()),  # exactly a third: not flagged
    ({"VOL": "12"}, {"VOL": "3.99"}, {(Code.BELOW_LAST_YEAR, "VOL")}),
    ({"VOL": "0"}, {"VOL": "1"}, set()),  # 0 → 1: under the floor
    ({"VOL": "5"}, {"VOL": "100"}, set()),  # last year at the floor: no check
    ({"VOL": "5.01"}, {"VOL": "100"}, {(Code.ABOVE_LAST_YEAR, "VOL")}),
    ({"VOL": "12"}, {"TRN": "1"}, set()),  # a blank is not compared
    (None, {"VOL": "1200"}, set()),  # 60.00 credits: exactly 3 times the target
    (None, {"VOL": "1201"}, {(Code.ABOVE_TARGET, "")}),  # 60.05
    (None, {"APP-NEW": "5"}, set()),  # £200,000 ÷ £15,000 = 13.3: plausible
    (None, {"EMP-PT": "16"}, {(Code.ABOVE_TARGET, "")}),  # £12,500 × 16 = spend
    (
        None,
        {"EMP-PT": "17"},
        {(Code.ABOVE_TARGET, ""), (Code.IMPLAUSIBLE_FOR_SPEND, "EMP-PT")},
    ),
    (None, {"CAR": "7", "VOL": "7", "TRN": "7"}, {(Code.SAME_FIGURE_EVERYWHERE, "")}),
    (None, {"CAR": "7", "VOL": "7"}, set()),  # two alike happen
    (None, {"CAR": "7", "VOL": "7", "TRN": "8"}, set()),
    (None, {"CAR": "0", "VOL": "0", "TRN": "0"}, set()),
]


@pytest.mark.parametrize(("last_year", "typed", "expected"), BOUNDARIES)
def test_each_check_at_its_boundary_on_a_save(
    annual_return, last_year, typed, expected
):
    line = a_line(annual_return, last_year=last_year)
    assert flags_after_saving(line, typed) == expected


def test_more_than_the_delivery_plan_for_the_whole_contract(annual_return):
    line = a_line(annual_return, target_credits=Decimal("100"))
    factories.DeliveryPlanItemFactory(contract=line.contract, committed_quantity=4)
    # The plan: 4 full-time jobs, 40 credits at this year's value.
    assert flags_after_saving(line, {"EMP-FT": "4"}) == set()
    assert flags_after_saving(line, {"EMP-FT": "4", "VOL": "1"}) == {
        (Code.ABOVE_PLAN, "")
    }


def test_the_thresholds_are_the_years(annual_return):
    year = annual_return.year
    year.flag_ratio = Decimal("2")
    year.flag_target_ratio = Decimal("10")
    year.save()
    line = a_line(annual_return, last_year={"VOL": "12"})
    assert flags_after_saving(line, {"VOL": "24.01"}) == {(Code.ABOVE_LAST_YEAR, "VOL")}
    message = LineFlag.objects.get().message
    assert message == (
        "Staff volunteering in the community: 24.01 hours is more than twice last "
        "year's 12 hours (2023/24)"
    )


def test_a_flag_goes_when_the_figure_is_put_right_and_keeps_its_explanation_while_it_applies(
    annual_return,
):
    line = a_line(annual_return, last_year={"VOL": "12"})
    flags_after_saving(line, {"VOL": "40"})
    line_save(
        line=line,
        user=None,
        expected_version=None,
        quantities={"VOL": "41"},
        explanations={(Code.ABOVE_LAST_YEAR, "VOL"): "A new volunteering scheme"},
    )
    flag = LineFlag.objects.get()
    assert flag.explanation == "A new volunteering scheme"
    assert "41 hours" in flag.message
    flags_after_saving(line, {"VOL": "50"})
    flag.refresh_from_db()
    assert flag.explanation == "A new volunteering scheme"  # still applies
    assert flags_after_saving(line, {"VOL": "30"}) == set()
    kinds = list(
        LineFlag.history.filter(id=flag.pk)
        .order_by("history_id")
        .values_list("history_type", "explanation")
    )
    assert kinds[0] == ("+", "")
    assert ("~", "A new volunteering scheme") in kinds
    assert kinds[-1][0] == "-"


def test_an_explanation_too_long_is_refused_and_nothing_changes(annual_return):
    line = a_line(annual_return, last_year={"VOL": "12"})
    flags_after_saving(line, {"VOL": "40"})
    with pytest.raises(ValidationError) as refused:
        line_save(
            line=line,
            user=None,
            expected_version=None,
            quantities={"VOL": "45"},
            explanations={(Code.ABOVE_LAST_YEAR, "VOL"): "x" * 2001},
        )
    key = explanation_key(Code.ABOVE_LAST_YEAR, "VOL")
    assert refused.value.message_dict[key] == [
        "The explanation must be 2,000 characters or fewer"
    ]
    assert "40 hours" in LineFlag.objects.get().message
    assert line.entries.get().quantity == Decimal("40")


# The line form: a warning, never an error; the save goes through.


def _line_url(line, name="supplier:line"):
    return reverse(
        name, kwargs={"reference": line.annual_return.reference, "line_id": line.pk}
    )


@pytest.mark.parametrize(
    ("typed", "flagged"), [("36", False), ("36.01", True), ("4", False), ("3.99", True)]
)
def test_the_line_form_saves_and_warns_at_the_boundary(
    supplier_client, annual_return, typed, flagged
):
    line = a_line(annual_return, last_year={"VOL": "12"})
    response = supplier_client.post(
        _line_url(line),
        {
            "version": line.version,
            "q_VOL": typed,
            "shortfall_reason": "Slow start",
            "recovery_plan": "More next year",
            "recovery_by_day": "31",
            "recovery_by_month": "3",
            "recovery_by_year": "2026",
            "action": "stay",
        },
    )
    assert response.status_code == 302
    assert line.entries.get().quantity == Decimal(typed)
    assert LineFlag.objects.filter(line=line).exists() is flagged
    page = supplier_client.get(_line_url(line)).content.decode()
    assert ("last year&#x27;s 12 hours" in page) is flagged
    assert ("Why is this figure right?" in page) is flagged


def test_the_line_form_warns_while_typing_without_saving(
    supplier_client, annual_return
):
    line = a_line(annual_return, last_year={"VOL": "12"})
    url = _line_url(line, "supplier:line_checks")
    quiet = supplier_client.post(url, {"version": 1, "q_VOL": "36"})
    assert quiet.status_code == 200
    assert "Warning" not in quiet.content.decode()
    loud = supplier_client.post(url, {"version": 1, "q_VOL": "120"}).content.decode()
    assert "120 hours is more than 3 times last year&#x27;s 12 hours" in loud
    assert 'id="soft-check-VOL"' in loud and 'hx-swap-oob="true"' in loud
    assert not line.entries.exists() and not LineFlag.objects.exists()


def test_the_line_form_saves_the_explanation_given_beside_the_warning(
    supplier_client, annual_return
):
    line = a_line(annual_return, last_year={"VOL": "12"})
    key = explanation_key(Code.ABOVE_LAST_YEAR, "VOL")
    supplier_client.post(
        _line_url(line),
        {
            "version": line.version,
            "q_VOL": "120",
            key: "A company-wide volunteering week on this estate",
            "shortfall_reason": "Slow start",
            "recovery_plan": "More next year",
            "recovery_by_day": "31",
            "recovery_by_month": "3",
            "recovery_by_year": "2026",
            "action": "stay",
        },
    )
    flag = LineFlag.objects.get()
    assert flag.explanation == "A company-wide volunteering week on this estate"
    assert flag.explained_by is not None


def test_signed_out_while_typing_the_page_is_left_as_it_is(client, annual_return):
    line = a_line(annual_return)
    url = _line_url(line, "supplier:line_checks")
    assert client.post(url, {"q_VOL": "1"}, HTTP_HX_REQUEST="true").status_code == 204
    assert client.post(url, {"q_VOL": "1"}).status_code == 302


def test_another_suppliers_line_checks_are_not_found(annual_return):
    line = a_line(annual_return)
    other = factories.SupplierContactFactory().user
    from django.test import Client

    client = Client()
    signed_in(client, other)
    response = client.post(_line_url(line, "supplier:line_checks"), {"q_VOL": "1"})
    assert response.status_code == 404


# The spreadsheet upload: the same rules, listed on the preview, never blocking.


def _workbook(annual_return, values: dict) -> io.BytesIO:
    book = load_workbook(io.BytesIO(build_return_workbook(annual_return).content))
    sheet = book[layout.RETURN]
    codes = [c.value for c in sheet[layout.CODE_ROW]]
    rows = {
        sheet.cell(row=r, column=1).value: r
        for r in range(layout.FIRST_LINE_ROW, sheet.max_row + 1)
    }
    for (reference, code), value in values.items():
        sheet.cell(row=rows[reference], column=codes.index(code) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "return.xlsx"
    return out


@pytest.mark.parametrize(
    ("typed", "flagged"), [(36, False), (36.01, True), (4, False), (3.99, True)]
)
def test_the_upload_preview_warns_at_the_boundary_and_confirms(
    supplier_client, annual_return, typed, flagged
):
    line = a_line(annual_return, last_year={"VOL": "12"}, contract__reference="C-1")
    reasons = {
        ("C-1", "shortfall_reason"): "Slow start",
        ("C-1", "recovery_plan"): "More next year",
        ("C-1", "recovery_by"): datetime.datetime(2026, 3, 31),
    }
    upload = _workbook(annual_return, {("C-1", "VOL"): typed, **reasons})
    preview = supplier_client.post(
        reverse("supplier:spreadsheet_upload", args=[annual_return.reference]),
        {"file": upload},
    )
    assert preview.status_code == 200, preview.context["plan"].problems
    plan = preview.context["plan"]
    assert bool(plan.flags) is flagged
    assert ("Figures to explain" in preview.content.decode()) is flagged
    assert not LineFlag.objects.exists()  # the preview saves nothing
    done = supplier_client.post(
        reverse("supplier:spreadsheet_confirm", args=[annual_return.reference]),
        {"plan": preview.context["token"], "file_name": "return.xlsx"},
    )
    assert done.status_code == 302
    assert line.entries.get().quantity == Decimal(str(typed))
    assert LineFlag.objects.filter(line=line).exists() is flagged


def test_the_upload_preview_lists_warnings_beside_the_errors(
    supplier_client, annual_return
):
    a_line(annual_return, last_year={"VOL": "12"}, contract__reference="C-1")
    a_line(annual_return, contract__reference="C-2")
    upload = _workbook(
        annual_return,
        {("C-1", "VOL"): 120, ("C-1", "shortfall_reason"): "Slow", ("C-2", "VOL"): -1},
    )
    preview = supplier_client.post(
        reverse("supplier:spreadsheet_upload", args=[annual_return.reference]),
        {"file": upload},
    )
    plan = preview.context["plan"]
    assert plan.problems
    assert [reference for reference, _ in plan.flags] == ["C-1"]


# Submission: every flag explained, and the declaration.


def _ready_line(annual_return):
    line = a_line(annual_return, last_year={"VOL": "12"})
    line_save(line=line, user=None, expected_version=None, quantities={"VOL": "40"})
    line_save(
        line=line,
        user=None,
        expected_version=None,
        quantities={"VOL": "40", "EMP-FT": "2"},
    )
    return line


def test_submission_waits_for_every_explanation_and_names_the_flag(
    annual_return, supplier_user
):
    line = _ready_line(annual_return)
    with pytest.raises(ReturnNotReady) as refused:
        return_submit(
            annual_return=annual_return,
            user=supplier_user,
            declared_by_name="Asha Patel",
            declared_own_figures=True,
        )
    [message] = refused.value.errors["lines"]
    assert message == (
        f"{line.contract.reference}: explain this before submitting: Staff "
        "volunteering in the community: 40 hours is more than 3 times last year's "
        "12 hours (2023/24)"
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    assert not ReturnEvent.objects.filter(kind="submitted").exists()

    line_save(
        line=line,
        user=supplier_user,
        expected_version=None,
        quantities={"VOL": "40", "EMP-FT": "2"},
        explanations={(Code.ABOVE_LAST_YEAR, "VOL"): "A volunteering week"},
    )
    return_submit(
        annual_return=annual_return,
        user=supplier_user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED
    history = LineFlag.history.filter(line_id=line.pk).order_by("history_id")
    assert history.last().explanation == "A volunteering week"
    assert history.last().history_user == supplier_user


def test_the_task_list_says_what_is_left_to_explain(supplier_client, annual_return):
    _ready_line(annual_return)
    page = supplier_client.get(
        reverse("supplier:check", args=[annual_return.reference])
    ).content.decode()
    assert "Explain the figure flagged on this contract" in page


def test_submission_needs_the_declaration_and_records_it(annual_return, supplier_user):
    line = _ready_line(annual_return)
    factories.explain_flags(annual_return)
    with pytest.raises(ReturnNotReady) as refused:
        return_submit(
            annual_return=annual_return,
            user=supplier_user,
            declared_by_name="Asha Patel",
            declared_own_figures=False,
        )
    assert refused.value.errors["declared_own_figures"] == [NO_OWN_FIGURES_DECLARATION]
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    return_submit(
        annual_return=annual_return,
        user=supplier_user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    event = ReturnEvent.objects.get(annual_return=annual_return, kind="submitted")
    declaration = event.snapshot["declaration"]
    assert declaration["own_contract_and_year_only"] is True
    assert declaration["by"] == supplier_user.pk
    assert declaration["by_name"] == "Asha Patel"
    assert declaration["at"] == event.at.isoformat()
    assert line.pk


def test_the_check_page_refuses_without_the_declaration_box(
    supplier_client, annual_return
):
    _ready_line(annual_return)
    factories.explain_flags(annual_return)
    check = reverse("supplier:check", args=[annual_return.reference])
    refused = supplier_client.post(check, {"declared_by_name": "Asha Patel"})
    assert refused.status_code == 200
    assert NO_OWN_FIGURES_DECLARATION in refused.content.decode()
    done = supplier_client.post(
        check, {"declared_by_name": "Asha Patel", "declared_own_figures": "yes"}
    )
    assert done.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED


# Queries: a return's flags are computed in a few queries, never per line.


def _return_of(count: int):
    # The soft checks are measured here: the same training figure on 300 contracts
    # would also be double counting's SAME_PEOPLE (tests/returns/
    # test_double_counting.py), set out of reach.
    year = factories.ReportingYearFactory(flag_same_people_contracts=10_000)
    last_year = factories.ReportingYearFactory(first_year=2023)
    supplier = factories.SupplierFactory()
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier, year=year, status=AnnualReturn.Status.IN_PROGRESS
    )
    previous = factories.AnnualReturnFactory(supplier=supplier, year=last_year)
    changes = []
    for _ in range(count):
        line = factories.ReturnLineFactory(annual_return=annual_return)
        old = factories.ReturnLineFactory(
            annual_return=previous, contract=line.contract
        )
        factories.ReturnEntryFactory(
            line=old, measure=factories.measure("VOL"), quantity=12
        )
        factories.DeliveryPlanItemFactory(contract=line.contract)
        changes.append(
            LineInput(line.pk, line.version, {"VOL": "40", "CAR": "7", "TRN": "7"})
        )
    return annual_return, changes


def test_the_flags_of_a_300_line_return_take_a_few_queries(
    django_assert_max_num_queries,
):
    annual_return, changes = _return_of(300)
    # The soft checks' queries, and double counting's fixed few (issue 23's part 2
    # runs after every save that changed a line, for the whole return), and the
    # contract summary's refresh (issue 25: a fixed few, whatever the lines).
    with django_assert_max_num_queries(50):
        lines_save(annual_return=annual_return, changes=changes, user=None)
    by_line = flags_by_line(annual_return)
    assert len(by_line) == 300
    assert {f.code for flags in by_line.values() for f in flags} == {
        Code.ABOVE_LAST_YEAR
    }
