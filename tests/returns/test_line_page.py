"""The faster line page (issue 21, part 5): themes open or folded by what the
delivery plan and last year name, a sticky credit total that is right after a
refused save, "save and go to the next contract that needs something", statuses
that explain themselves, and the wording of figures and dates."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from returns.models import LineQuery
from returns.services import line_save
from returns.services.review import return_send_back
from returns.services.submission import return_submit
from tests import factories

pytestmark = pytest.mark.django_db

MAY_2025 = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(MAY_2025, tick=False):
        yield


@pytest.fixture
def annual_return(supplier):
    return factories.AnnualReturnFactory(supplier=supplier)


@pytest.fixture
def line(annual_return):
    return factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("20.00")
    )


def line_url(line):
    return reverse(
        "supplier:line",
        kwargs={"reference": line.annual_return.reference, "line_id": line.pk},
    )


def task_list_url(annual_return):
    return reverse("supplier:return_detail", args=[annual_return.reference])


def post_line(client, line, **fields):
    return client.post(line_url(line), {"version": line.version, **fields})


def _folded(page: str) -> list[str]:
    """The themes in <details> (folded unless `open`)."""
    return re.findall(
        r'<details class="govuk-details">\s*<summary[^>]*>'
        r'<span class="govuk-details__summary-text">([^(<]+) \(',
        page,
    )


def test_themes_the_plan_or_last_year_name_are_open_and_the_others_folded(
    supplier_client, line
):
    factories.DeliveryPlanItemFactory(
        contract=line.contract, measure=factories.measure("APP-NEW")
    )
    last_year_line = factories.ReturnLineFactory(
        annual_return__supplier=line.annual_return.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2023),
        contract=line.contract,
    )
    factories.ReturnEntryFactory(
        line=last_year_line, measure=factories.measure("VOL"), quantity=12
    )
    page = supplier_client.get(line_url(line)).content.decode()
    folded = [name.strip() for name in _folded(page)]
    # Skills (the plan) and Community (last year) are open; the rest are folded,
    # in <details>, which needs no JavaScript to open.
    assert "Skills" not in folded and "Community" not in folded
    assert {"Employment", "Supply chain", "Environment", "Wellbeing"} <= set(folded)
    assert 'id="id_q_APP-NEW"' in page and 'id="id_q_EMP-FT"' in page


def test_with_no_plan_and_no_last_year_every_theme_is_open(supplier_client, line):
    page = supplier_client.get(line_url(line)).content.decode()
    assert _folded(page) == []


def test_a_folded_theme_with_a_figure_is_open(supplier_client, line):
    factories.DeliveryPlanItemFactory(
        contract=line.contract, measure=factories.measure("APP-NEW")
    )
    factories.ReturnEntryFactory(line=line, measure=factories.measure("WEL"))
    page = supplier_client.get(line_url(line)).content.decode()
    assert "Wellbeing" not in [name.strip() for name in _folded(page)]


def test_the_total_is_in_a_sticky_summary(supplier_client, line):
    page = supplier_client.get(line_url(line)).content.decode()
    summary = page.split('class="app-sticky-summary"', 1)[1].split("</div>\n</div>")[0]
    assert 'id="live-credits"' in summary
    assert "0.00 credits delivered of a target of 20.00" in summary


def test_after_a_refused_save_the_total_is_of_the_figures_kept(supplier_client, line):
    # 3 × 1 + 1 × 0.5 + 0.5 × 0.05 = 3.525 → 3.53; the save is refused (a date
    # without its month and year), so nothing is stored.
    response = post_line(
        supplier_client,
        line,
        **{
            "q_TRN": "3",
            "q_WEL": "1",
            "q_VOL": "0.5",
            "recovery_by_day": "5",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the month and year" in page
    assert "3.53 credits delivered of a target of 20.00 (not saved yet)" in page
    assert "0.00 credits delivered" not in page
    assert not line.entries.exists()


def test_a_date_error_names_the_missing_part(supplier_client, line):
    page = post_line(
        supplier_client,
        line,
        **{"q_TRN": "1", "recovery_by_day": "5", "recovery_by_month": "2"},
    ).content.decode()
    assert "Enter the year" in page
    year_input = re.search(r'<input [^>]*id="id_recovery_by_year"', page).group(0)
    day_input = re.search(r'<input [^>]*id="id_recovery_by_day"', page).group(0)
    assert "govuk-input--error" in year_input
    assert "govuk-input--error" not in day_input


def test_wording_of_people_rates_and_dates(supplier_client, line):
    factories.DeliveryPlanItemFactory(
        contract=line.contract,
        measure=factories.measure("EMP-FT"),
        committed_quantity=Decimal("1"),
    )
    line_save(line=line, user=None, expected_version=line.version, quantities={})
    page = supplier_client.get(line_url(line)).content.decode()
    assert "Delivery plan: 1 person over the contract." in page
    assert "0.5 credits each" in page  # wellbeing support
    assert "10 credits each" in page
    assert (
        "Every credit must be delivered by the end of the contract, 31 March 2027"
        in page
    )


def _three_lines(annual_return):
    return [
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=f"C-{n}",
            target_credits=Decimal("10.00"),
        )
        for n in (1, 2, 3)
    ]


def test_save_and_next_goes_to_the_next_contract_that_needs_something(
    supplier_client, annual_return
):
    first, second, third = _three_lines(annual_return)
    # The second is already complete: the next after the first is the third.
    line_save(
        line=second,
        user=None,
        expected_version=second.version,
        quantities={"EMP-FT": "2"},
    )
    response = post_line(supplier_client, first, action="next", **{"q_EMP-FT": "1"})
    assert response["Location"] == line_url(third)
    # From the third, wrapping round: nothing left, so check your answers. (Three
    # different figures: the same one on three contracts would be flagged.)
    response = post_line(
        supplier_client, third, action="next", follow=True, **{"q_EMP-FT": "3"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "supplier:check", args=[annual_return.reference]
    )
    page = supplier_client.get(response["Location"]).content.decode()
    assert "No other contract needs anything" in page


def test_save_and_next_stays_when_the_save_is_refused(supplier_client, annual_return):
    first, _, _ = _three_lines(annual_return)
    response = post_line(supplier_client, first, action="next", **{"q_EMP-FT": "x"})
    assert response.status_code == 200
    assert "Save and go to the next contract that needs something" in (
        response.content.decode()
    )


def test_after_submission_the_task_list_says_submitted_and_read_only(
    supplier_client, supplier_user, line
):
    line_save(
        line=line, user=None, expected_version=line.version, quantities={"EMP-FT": "2"}
    )
    return_submit(
        annual_return=line.annual_return,
        user=supplier_user,
        declared_by_name="Sam Supplier",
        declared_own_figures=True,
    )
    page = supplier_client.get(task_list_url(line.annual_return)).content.decode()
    assert "Fill in what you delivered" not in page
    assert "The return is submitted and read only" in page
    status = page.split('id="contracts-1-status"', 1)[1].split("</div>", 1)[0]
    assert "Submitted" in status


def test_a_line_amended_after_a_send_back_shows_as_amended(
    supplier_client, supplier_user, annual_return
):
    first, second, _ = _three_lines(annual_return)
    for each in (first, second, _):
        line_save(
            line=each,
            user=None,
            expected_version=each.version,
            quantities={"EMP-FT": "1"},
        )
    factories.explain_flags(annual_return)  # the same people figure on 3 contracts
    return_submit(
        annual_return=annual_return,
        user=supplier_user,
        declared_by_name="Sam",
        declared_own_figures=True,
    )
    with time_machine.travel(MAY_2025 + datetime.timedelta(minutes=1), tick=False):
        return_send_back(
            annual_return=annual_return,
            user=factories.TeamUserFactory(),
            reason="Check the jobs",
            line_comments={first.pk: "Was it 2?", second.pk: "And here?"},
        )
    with time_machine.travel(MAY_2025 + datetime.timedelta(minutes=2), tick=False):
        first.refresh_from_db()
        post_line(supplier_client, first, action="stay", **{"q_EMP-FT": "2"})
        page = supplier_client.get(task_list_url(annual_return)).content.decode()
    first_status = page.split('id="contracts-1-status"', 1)[1].split("</div>", 1)[0]
    second_status = page.split('id="contracts-2-status"', 1)[1].split("</div>", 1)[0]
    assert "Amended" in first_status and "problem" not in first_status
    assert "There is a problem" in second_status


def test_an_open_query_says_so_without_looking_like_an_error(supplier_client, line):
    LineQuery.objects.create(
        line=line, raised_by=factories.UserFactory(), text="Is the spend right?"
    )
    page = supplier_client.get(task_list_url(line.annual_return)).content.decode()
    status = page.split('id="contracts-1-status"', 1)[1].split("</div>", 1)[0]
    assert "Query open" in status and "govuk-tag--purple" in status
    assert "govuk-tag--red" not in page
