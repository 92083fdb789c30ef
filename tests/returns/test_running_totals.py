"""Running totals since the first reporting year on the public impact report, and
how many returns a published year is based on (issue 22)."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from returns.models import AnnualReturn, YearMeasure
from returns.selectors import reports
from returns.services.reports import report_publish
from tests import factories

pytestmark = pytest.mark.django_db
S = AnnualReturn.Status


def _line(year, status, jobs, donations="0"):
    line = factories.ReturnLineFactory(
        annual_return__year=year, annual_return__status=status
    )
    factories.ReturnEntryFactory(line=line, quantity=D(jobs))
    if D(donations):
        factories.ReturnEntryFactory(
            line=line, measure=factories.measure("DON-CASH"), quantity=D(donations)
        )
    return line


@pytest.fixture
def years():
    y1 = factories.ReportingYearFactory(first_year=2023)
    y2 = factories.ReportingYearFactory(first_year=2024)
    y3 = factories.ReportingYearFactory(first_year=2025)  # after: never counted
    # A proxy value for jobs in 2023/24 only: each year is valued at its own rates.
    YearMeasure.objects.filter(year=y1, measure__code="EMP-FT").update(
        proxy_value=D("1000")
    )
    _line(y1, S.APPROVED, "3", donations="250")
    _line(y1, S.SUBMITTED, "40")  # not approved: counts nowhere
    _line(y2, S.APPROVED, "2", donations="100")
    _line(y2, S.IN_PROGRESS, "50")
    _line(y2, S.NOT_STARTED, "0")
    _line(y2, S.NOT_REQUIRED, "70")
    _line(y3, S.APPROVED, "11")
    return y1, y2, y3


def test_running_totals_add_each_approved_year_to_the_one_shown(years):
    y1, y2, _ = years
    running = reports.running_totals(year=y2)
    assert running.first_year == y1 and running.years == 2
    assert running.employment_opportunities == D("5.00")
    # 2023/24: 3 jobs x £1,000 + £250; 2024/25: £100 (no proxy for jobs that year).
    assert running.social_value_total == D("3350.00")
    report = reports.impact_report(year=y2)
    assert report.outcomes[0].quantity == D("2.00")
    assert report.outcomes[0].to_date == D("5.00")


def test_the_public_page_says_what_it_is_based_on_and_the_totals_since(years):
    _, y2, _ = years
    report_publish(year=y2, acting_user=factories.TeamUserFactory(), confirmed=True)
    content = Client().get(reverse("impact:report", args=[y2.slug])).content.decode()
    # 1 approved of 3 expected (the not-required return is not expected): 33%.
    assert (
        "based on 1 return the social value team has approved: 33% of the 3 returns expected"
        in content
    )  # noqa: E501
    assert "Since 2023/24" in content
    assert 'data-figure="running-employment">5<' in content
    assert 'data-figure="running-social-value">£3,350.00<' in content


def test_the_running_total_is_the_sum_of_each_years_report(years):
    """One figure: the report's running totals are its years' own figures added."""
    y1, y2, _ = years
    reports_by_year = [reports.impact_report(year=y) for y in (y1, y2)]
    running = reports.impact_report(year=y2).running
    assert running.employment_opportunities == sum(
        r.headline.quantity for r in reports_by_year
    )
    assert running.delivered == sum(r.totals["delivered"] for r in reports_by_year)
    assert running.social_value_total == sum(
        r.social_value_total for r in reports_by_year
    )


def test_the_report_workbook_has_the_running_totals_and_what_it_is_based_on(years):
    import io

    import openpyxl

    _, y2, _ = years
    report_publish(year=y2, acting_user=factories.TeamUserFactory(), confirmed=True)
    response = Client().get(reverse("impact:export", args=[y2.slug]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = {row[0]: row for row in book["Headlines"].iter_rows(values_only=True)}
    assert rows["Returns approved"][2] == 1
    assert rows["Returns expected"][2] == 3
    assert rows["Employment opportunities since 2023/24"][2] == 5
    assert rows["Contracts whose figures members confirmed"][2] == 0
