"""Completion by framework counts each (return, framework) pair once (issue 12: the
database takes the pairs first, then adds up the returns' figures)."""

import datetime

import pytest

from returns.figures import completion, completion_by_framework
from returns.models import AnnualReturn
from tests import factories
from tests.returns.test_completion_figures import london, year  # noqa: F401

pytestmark = pytest.mark.django_db

S = AnnualReturn.Status
TODAY = datetime.date(2025, 7, 5)


def test_one_framework_shows_the_whole_years_figures(year):  # noqa: F811
    """Every return of the hand-built year (late, on time, extended, overdue, not
    required, sent back) with lines in one framework, some lines excluded; another
    year's return in the same framework counts nowhere."""
    lot = factories.LotFactory(framework__name="Only")
    for annual_return in AnnualReturn.objects.filter(year=year):
        factories.ReturnLineFactory(annual_return=annual_return, contract__lot=lot)
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__lot=lot,
            excluded_at=london(2025, 5, 1, 9, 0),
            excluded_reason="novated",
        )
    other_year = factories.issued_return(
        year=factories.ReportingYearFactory(first_year=2023), status=S.APPROVED
    )
    factories.ReturnLineFactory(annual_return=other_year, contract__lot=lot)
    (row,) = completion_by_framework(year=year, today=TODAY)
    whole = completion(year=year, today=TODAY)
    assert row["framework"] == "Only"
    assert {key: row[key] for key in whole} == whole
