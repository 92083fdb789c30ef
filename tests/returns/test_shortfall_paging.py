"""The shortfall tables page, sort and total in the database (issue 12): every page
holds the rows a sort of all rows in Python would put there, the total is the sum of
every row (not only the page's), and an out-of-range page is read as Django's
`Paginator.get_page` reads it."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns import figures
from returns.models import AnnualReturn
from tests import factories

pytestmark = pytest.mark.django_db

APPROVED = AnnualReturn.Status.APPROVED
SUBMITTED = AnnualReturn.Status.SUBMITTED
TODAY = datetime.date(2025, 6, 15)


@pytest.fixture
def lines():
    """Seven suppliers, one contract each over two years, whose names sort
    differently by case and whose shortfalls tie; the odd pennies of a float sum
    (25,000.10 × 3 + 24,999.70) on one of them."""
    years = [factories.ReportingYearFactory(first_year=y) for y in (2023, 2024)]
    names = ["beta", "Alpha", "alpha two", "Gamma", "delta", "Epsilon", "zeta"]
    figures_by_name = {
        "beta": [("10.00", "4.00"), ("10.00", "6.00")],  # short 10.00 to date
        "Alpha": [("20.00", "25.00"), ("5.00", "5.00")],  # not short
        "alpha two": [("12.50", "2.50"), ("0.00", "0.00")],  # short 10.00
        "Gamma": [("25000.10", "25000.10"), ("25000.10", "0.00")],
        "delta": [("25000.10", "0.00"), ("24999.70", "0.00")],
        "Epsilon": [("3.33", "1.11"), ("3.33", "1.11")],
        "zeta": [("1.00", "0.50"), ("1.00", "0.50")],
    }
    for name in names:
        supplier = factories.SupplierFactory(name=name)
        contract = factories.ContractFactory(supplier=supplier, ends_on=TODAY)
        for year, (target, delivered) in zip(years, figures_by_name[name], strict=True):
            factories.ReturnLineFactory(
                annual_return=factories.AnnualReturnFactory(
                    supplier=supplier,
                    year=year,
                    status=SUBMITTED if name == "zeta" else APPROVED,
                ),
                contract=contract,
                target_credits=D(target),
                delivered_credits=D(delivered),
            )
    return figures.shortfall_lines()


def _by_python(rows, *, sort):
    if sort == "shortfall":
        return sorted(rows, key=lambda row: (-row.shortfall, row.name.lower(), row.key))
    return sorted(rows, key=lambda row: (row.name.lower(), row.key))


@pytest.mark.parametrize("group", ["contract", "supplier", "member"])
@pytest.mark.parametrize("sort", ["name", "shortfall"])
def test_every_page_holds_the_rows_python_would_put_there(lines, group, sort):
    every = list(figures.ShortfallTable(group, lines=lines))
    expected = _by_python(every, sort=sort)
    table = figures.ShortfallTable(group, lines=lines, sort=sort)
    pages = [table.page(number, 3)[0] for number in (1, 2, 3)]
    assert [row for page in pages for row in page] == expected
    assert pages[0].paginator.count == len(expected)
    assert pages[2].number == 3 and not pages[2].has_next()


def test_the_total_is_every_row_and_the_sums_are_exact(lines):
    table = figures.ShortfallTable("supplier", lines=lines)
    page, total = table.page(1, 2)
    every = list(figures.ShortfallTable("supplier", lines=lines))
    assert total == figures.shortfall_total(every)
    assert total == table.total()
    by_name = {row.name: row for row in every}
    # 25,000.10 + 24,999.70: exact on SQLite too (a float sum rounded once).
    assert by_name["delta"].target == D("49999.80")
    assert by_name["delta"].shortfall == D("49999.80")
    assert by_name["Gamma"].shortfall == D("25000.10")
    # Over-delivery on one year does not make good another contract's shortfall.
    assert by_name["Alpha"].shortfall == D("0.00")
    assert by_name["Epsilon"].shortfall == D("4.44")
    # Submitted returns: awaiting review, not delivered.
    assert by_name["zeta"].delivered == D("0.00")
    assert by_name["zeta"].awaiting_review == D("1.00")
    assert total.contracts == 7 and total.contracts_short == 6


def test_only_short_groups(lines):
    table = figures.ShortfallTable("supplier", lines=lines, short_only=True)
    page, total = table.page(1, 50)
    assert "Alpha" not in [row.name for row in page]
    assert page.paginator.count == 6
    assert total.shortfall == figures.shortfall_total(list(page)).shortfall


@pytest.mark.parametrize(
    ("asked", "shown"), [("2", 2), ("x", 1), ("", 1), (None, 1), ("99", 3), ("0", 3)]
)
def test_a_page_number_is_read_as_get_page_reads_it(lines, asked, shown):
    page, total = figures.ShortfallTable("supplier", lines=lines).page(asked, 3)
    assert page.number == shown
    assert len(page) == (1 if shown == 3 else 3)
    assert total.contracts == 7


def test_an_empty_table_has_one_empty_page(lines):
    empty = figures.shortfall_lines(search="no such contract")
    page, total = figures.ShortfallTable("contract", lines=empty).page("1", 50)
    assert list(page) == [] and page.number == 1 and page.paginator.num_pages == 1
    assert total.target == D("0.00") and total.contracts == 0


@pytest.mark.parametrize("group", ["contract", "supplier"])
def test_an_empty_first_page_is_one_query(lines, group):
    empty = figures.shortfall_lines(search="no such contract")
    with CaptureQueriesContext(connection) as queries:
        page, total = figures.ShortfallTable(group, lines=empty).page("1", 50)
    assert len(queries) == 1
    assert list(page) == [] and page.paginator.count == 0
    assert (total.target, total.shortfall, total.contracts) == (D("0.00"), D("0.00"), 0)


def test_to_date_by_contract_is_the_total_then_the_page(lines):
    """To date by contract the total is a query of its own (in one query the
    window over every contract's row made the database sort them all); the page
    and total are those of the lines."""
    table = figures.ShortfallTable(
        "contract", lines=figures.to_date_summary(), to_date=True, sort="shortfall"
    )
    with CaptureQueriesContext(connection) as queries:
        page, total = table.page(2, 3)
        rows = list(page)
    assert len(queries) == 2
    from_lines = figures.ShortfallTable(
        "contract", lines=figures.shortfall_lines(), to_date=True, sort="shortfall"
    )
    page_of_lines, total_of_lines = from_lines.page(2, 3)
    assert rows == list(page_of_lines)
    assert total == total_of_lines
    assert page.paginator.count == page_of_lines.paginator.count == 7


def test_a_page_with_its_total_is_one_query(lines):
    table = figures.ShortfallTable("contract", lines=lines, sort="shortfall")
    with CaptureQueriesContext(connection) as queries:
        page, total = table.page(2, 3)
        rows = list(page)
    assert len(queries) == 1
    # The contract rows carry their contract's details and years with a line.
    assert all(row.title and row.supplier and row.years == 2 for row in rows)


def test_at_risk_and_ended_short_lists_page_in_the_database(lines):
    every = figures.contracts_ended_short(today=TODAY + datetime.timedelta(days=1))
    table = figures.ended_short_list(today=TODAY + datetime.timedelta(days=1))
    page, total = table.page(2, 2)
    assert list(page) == every[2:4]
    assert page.paginator.count == len(every) == 6
    assert total == figures.shortfall_total_of_contracts(every)
