"""Completion figures on a hand-built year equal the hand-counted ones."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from returns.figures import completion, completion_by_framework, submissions_by_day
from returns.models import AnnualReturn
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


def london(y, m, d, hour, minute):
    return datetime.datetime(y, m, d, hour, minute, tzinfo=LONDON)


@pytest.fixture
def year():
    """The 2024/25 factory year (deadline Monday 30 June 2025), one return each:"""
    year = factories.ReportingYearFactory()

    def make(name, status, **fields):
        return factories.issued_return(
            year=year,
            supplier=factories.SupplierFactory(name=name),
            status=status,
            **fields,
        )

    make("A not started, overdue", S.NOT_STARTED)
    make(
        "B in progress, extended",
        S.IN_PROGRESS,
        extended_deadline=datetime.date(2025, 7, 31),
    )
    make(
        "C at 23:59 on the deadline",
        S.SUBMITTED,
        first_submitted_at=london(2025, 6, 30, 23, 59),
        submitted_at=london(2025, 6, 30, 23, 59),
    )
    make(
        "D at 00:30 the day after",
        S.SUBMITTED,
        first_submitted_at=london(2025, 7, 1, 0, 30),
        submitted_at=london(2025, 7, 1, 0, 30),
    )
    make(
        "E approved, on its extended deadline",
        S.APPROVED,
        extended_deadline=datetime.date(2025, 7, 3),
        first_submitted_at=london(2025, 7, 3, 16, 0),
        submitted_at=london(2025, 7, 3, 16, 0),
    )
    make(
        "F sent back for amendment",
        S.RETURNED,
        first_submitted_at=london(2025, 6, 20, 10, 0),
        submitted_at=london(2025, 6, 20, 10, 0),
    )
    make(
        "G sent back and resubmitted late",
        S.SUBMITTED,
        first_submitted_at=london(2025, 6, 10, 10, 0),
        submitted_at=london(2025, 7, 2, 10, 0),
    )
    make("H not required", S.NOT_REQUIRED, status_before_not_required=S.NOT_STARTED)
    make("I in progress, overdue", S.IN_PROGRESS)
    return year


def test_completion_figures_equal_the_hand_count(year, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = completion(year=year, today=datetime.date(2025, 7, 5))
    assert figures == {
        "expected": 8,  # all but H
        "submitted": 5,  # C, D, E, F, G (F and G once each)
        "on_time": 4,  # C (23:59), E (its extension), F, G (first submission)
        "late": 1,  # D (00:30)
        "overdue": 2,  # A, I (B is extended, F is with the supplier)
        "not_yet_due": 1,  # B (extended): on time + late + not yet due + overdue = 8
        "not_required": 1,
        "not_started": 1,
        "in_progress": 2,
        "awaiting_review": 3,  # C, D, G
        "returned": 1,
        "approved": 1,
        "completion_rate": Decimal("62.5"),
        "on_time_rate": Decimal("50.0"),
        "late_rate": Decimal("12.5"),
        "not_yet_due_rate": Decimal("12.5"),
        "overdue_rate": Decimal("25.0"),
    }


def test_overdue_starts_the_day_after_the_deadline(year):
    assert completion(year=year, today=datetime.date(2025, 6, 30))["overdue"] == 0
    assert completion(year=year, today=datetime.date(2025, 7, 1))["overdue"] == 2
    assert completion(year=year, today=datetime.date(2025, 8, 1))["overdue"] == 3


def test_submissions_are_counted_on_their_london_day(year):
    by_day = submissions_by_day(year=year)
    assert by_day[datetime.date(2025, 6, 30)] == 1  # C, 22:59 UTC
    assert by_day[datetime.date(2025, 7, 1)] == 1  # D, 23:30 UTC on 30 June
    assert sum(by_day.values()) == 5


@pytest.mark.parametrize(
    ("submitted", "on_time"),
    [(london(2025, 10, 26, 23, 59), 1), (london(2025, 10, 27, 0, 30), 0)],
)
def test_on_time_on_the_day_the_clocks_go_back(submitted, on_time):
    year = factories.ReportingYearFactory(deadline=datetime.date(2025, 10, 26))
    factories.issued_return(
        year=year,
        status=S.SUBMITTED,
        first_submitted_at=submitted,
        submitted_at=submitted,
    )
    assert completion(year=year, today=datetime.date(2025, 11, 1))["on_time"] == on_time


def test_nothing_expected_gives_no_rate():
    year = factories.ReportingYearFactory()
    figures = completion(year=year, today=datetime.date(2025, 7, 1))
    assert figures["expected"] == 0 and figures["completion_rate"] is None


def test_by_framework_a_return_counts_under_each_of_its_frameworks():
    year = factories.ReportingYearFactory()
    roads = factories.LotFactory(framework__name="Roads")
    homes = factories.LotFactory(framework__name="Homes")
    both = factories.issued_return(
        year=year,
        status=S.SUBMITTED,
        first_submitted_at=london(2025, 6, 1, 9, 0),
    )
    factories.ReturnLineFactory(annual_return=both, contract__lot=roads)
    factories.ReturnLineFactory(annual_return=both, contract__lot=roads)
    factories.ReturnLineFactory(annual_return=both, contract__lot=homes)
    roads_only = factories.issued_return(year=year)
    factories.ReturnLineFactory(annual_return=roads_only, contract__lot=roads)
    excluded = factories.issued_return(year=year)
    factories.ReturnLineFactory(
        annual_return=excluded,
        contract__lot=homes,
        excluded_at=london(2025, 5, 1, 9, 0),
        excluded_reason="novated",
    )
    rows = {
        row["framework"]: row
        for row in completion_by_framework(year=year, today=datetime.date(2025, 7, 5))
    }
    assert set(rows) == {"Roads", "Homes"}
    assert (rows["Roads"]["expected"], rows["Roads"]["submitted"]) == (2, 1)
    assert rows["Roads"]["overdue"] == 1
    assert rows["Roads"]["completion_rate"] == Decimal("50.0")
    assert (rows["Homes"]["expected"], rows["Homes"]["submitted"]) == (1, 1)
