"""The shared figures on a hand-built set of contracts over three years, checked
against sums worked out by hand (in the comments)."""

import datetime
from decimal import Decimal as D

import pytest

from returns import figures
from returns.models import AnnualReturn
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
APPROVED = AnnualReturn.Status.APPROVED
SUBMITTED = AnnualReturn.Status.SUBMITTED


@pytest.fixture
def world():
    years = {
        y: factories.ReportingYearFactory(first_year=y) for y in (2022, 2023, 2024)
    }
    supplier = factories.SupplierFactory(name="Acme Build Ltd")
    other_supplier = factories.SupplierFactory(name="Zenith Services Ltd")
    returns = {
        y: factories.AnnualReturnFactory(
            supplier=supplier, year=years[y], status=APPROVED
        )
        for y in years
    }
    other_2024 = factories.AnnualReturnFactory(
        supplier=other_supplier, year=years[2024], status=SUBMITTED
    )
    not_required = factories.AnnualReturnFactory(
        supplier=factories.SupplierFactory(),
        year=years[2024],
        status=AnnualReturn.Status.NOT_REQUIRED,
    )

    def contract(reference, ends_on, supplier=supplier):
        return factories.ContractFactory(
            reference=reference,
            supplier=supplier,
            starts_on=datetime.date(2022, 4, 1),
            ends_on=ends_on,
        )

    def line(annual_return, contract, target, delivered, **extra):
        return factories.ReturnLineFactory(
            annual_return=annual_return,
            contract=contract,
            target_credits=D(target),
            delivered_credits=D(delivered),
            **extra,
        )

    far = datetime.date(2028, 3, 31)
    a = contract("C-A", far)  # approved each year
    line(returns[2022], a, "10.00", "11.00")
    line(returns[2023], a, "12.00", "9.00")
    line(returns[2024], a, "14.00", "15.00")
    b = contract("C-B", far)  # below the threshold in 2023/24: no line that year
    line(returns[2022], b, "20.00", "25.00")
    line(returns[2024], b, "20.00", "10.00")
    c = contract("C-C", far)  # its 2023/24 line is excluded (novated)
    line(returns[2022], c, "5.00", "5.00")
    line(
        returns[2023],
        c,
        "50.00",
        "0.00",
        excluded_reason="Novated to another supplier",
        excluded_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    )
    line(returns[2024], c, "5.00", "5.00")
    d = contract("C-D", TODAY + datetime.timedelta(days=150))  # ends in five months
    line(returns[2023], d, "30.00", "10.00")
    line(returns[2024], d, "30.00", "20.00")
    e = contract("C-E", datetime.date(2025, 3, 31))  # ended short
    line(returns[2024], e, "8.00", "3.00")
    f = contract("C-F", far, supplier=other_supplier)  # submitted, awaiting review
    line(other_2024, f, "10.00", "7.00")
    g = factories.ContractFactory(reference="C-G", supplier=not_required.supplier)
    line(not_required, g, "99.00", "0.00")
    return {"years": years, "a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_contract_to_date_sums_its_counted_lines_over_all_years(world):
    rows = {r.reference: r for r in figures.to_date_rows(figures.contracts_to_date())}
    # A: targets 10 + 12 + 14 = 36; delivered 11 + 9 + 15 = 35
    assert (rows["C-A"].target, rows["C-A"].delivered, rows["C-A"].years) == (
        D("36.00"),
        D("35.00"),
        3,
    )
    # B: no line in 2023/24 adds nothing: 20 + 20 = 40; 25 + 10 = 35
    assert (rows["C-B"].target, rows["C-B"].delivered, rows["C-B"].years) == (
        D("40.00"),
        D("35.00"),
        2,
    )
    # C: the excluded 50.00 counts nowhere: 5 + 5 = 10; delivered 10
    assert (rows["C-C"].target, rows["C-C"].delivered) == (D("10.00"), D("10.00"))
    assert rows["C-C"].shortfall == D("0.00")
    # F: submitted, not approved: delivered 0, awaiting review 7
    assert (rows["C-F"].delivered, rows["C-F"].awaiting_review) == (D("0"), D("7.00"))
    # G: on a not-required return: not counted at all
    assert "C-G" not in rows


def test_at_risk_is_ending_within_183_days_and_below_target_soonest_first(world):
    at_risk = figures.contracts_at_risk(today=TODAY)
    # D ends in 150 days with 30 of 60; A, B end in 2028; E has already ended
    assert [r.reference for r in at_risk] == ["C-D"]
    assert at_risk[0].shortfall == D("30.00")
    assert at_risk[0].days_left(TODAY) == 150


def test_ended_short_is_ended_and_below_target(world):
    ended = figures.contracts_ended_short(today=TODAY)
    assert [(r.reference, r.shortfall) for r in ended] == [("C-E", D("5.00"))]


def test_year_figures_by_supplier_count_approved_only_and_show_awaiting_review(world):
    lines = figures.counted_lines(year=world["years"][2024])
    rows = {
        r["annual_return__supplier__name"]: r
        for r in figures.figures_by("supplier", lines=lines)
    }
    acme = rows["Acme Build Ltd"]
    # 2024/25 Acme: A 14/15, B 20/10, C 5/5, D 30/20, E 8/3
    assert acme["target"] == D("77.00")
    assert acme["delivered"] == D("53.00")
    assert acme["shortfall"] == D("24.00")
    assert acme["lines"] == 5
    zenith = rows["Zenith Services Ltd"]
    assert (zenith["target"], zenith["delivered"], zenith["awaiting_review"]) == (
        D("10.00"),
        D("0.00"),
        D("7.00"),
    )


def test_year_totals_equal_the_sum_of_line_values(world):
    totals = figures.totals(lines=figures.counted_lines(year=world["years"][2023]))
    # 2023/24: A 12/9, D 30/10 (C's excluded line is out)
    assert (totals["target"], totals["delivered"], totals["lines"]) == (
        D("42.00"),
        D("19.00"),
        2,
    )


def test_sums_of_awkward_decimals_are_exact_on_both_databases(world):
    year = factories.ReportingYearFactory(first_year=2030)
    annual_return = factories.AnnualReturnFactory(year=year, status=APPROVED)
    for target in ("0.10", "0.20", "0.70"):  # floats would give 0.9999999…
        factories.ReturnLineFactory(
            annual_return=annual_return,
            target_credits=D(target),
            delivered_credits=D(target),
        )
    totals = figures.totals(lines=figures.counted_lines(year=year))
    assert totals["target"] == D("1.00")
    assert totals["shortfall"] == D("0.00")


def test_figures_by_group_make_one_query_whatever_the_rows(
    world, django_assert_num_queries
):
    lines = figures.counted_lines()
    for group in figures.GROUPS:
        with django_assert_num_queries(1):
            figures.figures_by(group, lines=lines)
