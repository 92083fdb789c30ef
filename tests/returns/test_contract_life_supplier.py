"""A contract's whole life for the supplier (issue 21, part 4): on each line and on
"Your contracts", target, delivered and shortfall for each year and to date, the end
date and the credits still needed before it, and earlier recovery plans with whether
their date has passed. A hand-built three-year case, worked out by hand."""

import datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns.models import AnnualReturn
from returns.selectors.contract_life import contract_life, contracts_life
from tests import factories
from tests.pages import Page

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)
APPROVED = AnnualReturn.Status.APPROVED


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _line(supplier, contract, first_year, status, target, delivered, **extra):
    return factories.ReturnLineFactory(
        annual_return=factories.AnnualReturnFactory(
            supplier=supplier,
            year=factories.ReportingYearFactory(first_year=first_year),
            status=status,
        ),
        contract=contract,
        target_credits=D(target),
        delivered_credits=D(delivered),
        **extra,
    )


@pytest.fixture
def three_years(supplier):
    """2022/23 approved, 5 of 20, with a plan dated 31 March 2024 (passed);
    2023/24 approved, 30 of 20; 2024/25 in progress, 8 of 20 entered, with a plan
    dated 31 December 2026 (not passed). The contract ends on 31 March 2027."""
    contract = factories.ContractFactory(
        supplier=supplier,
        reference="C-LIFE",
        title="Three years of works",
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
    )
    _line(
        supplier, contract, 2022, APPROVED, 20, 5,
        shortfall_reason="Late start",
        recovery_plan="Two apprentices next year",
        recovery_by=datetime.date(2024, 3, 31),
    )  # fmt: skip
    _line(supplier, contract, 2023, APPROVED, 20, 30)
    current = _line(
        supplier, contract, 2024, AnnualReturn.Status.IN_PROGRESS, 20, 8,
        shortfall_reason="Quiet year",
        recovery_plan="A school programme",
        recovery_by=datetime.date(2026, 12, 31),
    )  # fmt: skip
    return contract, current


def test_the_figures_of_a_three_year_contract(three_years):
    contract, _ = three_years
    life = contract_life(contract=contract, today=TODAY.date())
    assert [row.year.label for row in life.years] == ["2022/23", "2023/24", "2024/25"]
    assert [(r.target, r.delivered, r.pending, r.shortfall) for r in life.years] == [
        (D(20), D(5), D(0), D(15)),
        (D(20), D(30), D(0), D(0)),
        (D(20), D(0), D(8), D(20)),  # not approved: not delivered yet
    ]
    assert (life.target, life.delivered, life.pending) == (D(60), D(35), D(8))
    assert life.still_needed == D(25)
    assert life.still_needed_after_pending == D(17)
    assert [row.date_passed for row in life.recovery_plans] == [True, False]
    # The batch read gives the same figures as the team's contract page.
    (batch,) = contracts_life(
        contracts=type(contract).objects.filter(pk=contract.pk), today=TODAY.date()
    )
    assert (batch.target, batch.delivered, batch.still_needed) == (
        life.target,
        life.delivered,
        life.still_needed,
    )


def test_your_contracts_page_shows_each_year_and_to_date(supplier_client, three_years):
    contract, _ = three_years
    response = supplier_client.get(reverse("supplier:contracts"))
    assert response.status_code == 200
    page = Page(response.content.decode())
    assert page.cell("2022/23", "Target") == "20.00"
    assert page.cell("2022/23", "Shortfall") == "15.00"
    assert page.cell("2024/25", "Entered, not yet approved") == "8.00"
    assert page.figure("C-LIFE-target") == "60.00"
    assert page.figure("C-LIFE-delivered") == "35.00"
    assert page.figure("C-LIFE-shortfall") == "25.00"
    text = page.text
    assert (
        "25.00 credits still needed before the contract ends on 31 March 2027" in text
    )
    assert "17.00 once the figures you have entered are approved" in text
    assert "2022/23: Two apprentices next year By 31 March 2024. Date passed" in text
    assert "By 31 December 2026." in text


def test_the_line_shows_the_life_and_earlier_plans_only(supplier_client, three_years):
    _, current = three_years
    url = reverse(
        "supplier:line",
        kwargs={"reference": current.annual_return.reference, "line_id": current.pk},
    )
    page = Page(supplier_client.get(url).content.decode())
    assert (
        "This contract over its whole life: 25.00 credits still needed before 31 March 2027"
        in page.text
    )
    assert page.figure("life-target") == "60.00"
    assert "Two apprentices next year" in page.text
    # This year's plan is in the form, not among the earlier ones.
    assert "2024/25: A school programme" not in page.text


def test_another_suppliers_contracts_are_not_listed(supplier_client, three_years):
    other = factories.ReturnLineFactory(contract__reference="C-OTHER")
    assert other.annual_return.supplier != three_years[0].supplier
    page = supplier_client.get(reverse("supplier:contracts")).content.decode()
    assert "C-LIFE" in page and "C-OTHER" not in page


def test_the_page_queries_do_not_grow_with_contracts(supplier_client, supplier):
    annual_return = factories.AnnualReturnFactory(supplier=supplier)

    def add(count):
        for _ in range(count):
            factories.ReturnLineFactory(annual_return=annual_return)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert supplier_client.get(reverse("supplier:contracts")).status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(10)
    assert queries() == few


def test_one_contract_and_pages_of_fifty(supplier_client, supplier, three_years):
    contract, _ = three_years
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier, year=factories.ReportingYearFactory(first_year=2021)
    )
    for _ in range(50):
        factories.ReturnLineFactory(annual_return=annual_return)
    url = reverse("supplier:contracts")
    first = Page(supplier_client.get(url).content.decode())
    assert "51 contracts" in first.text
    assert 'aria-label="Contracts pages"' in supplier_client.get(url).content.decode()
    one = Page(supplier_client.get(url, {"contract": contract.pk}).content.decode())
    assert one.figure("C-LIFE-target") == "60.00"
    assert "See all your contracts" in one.text
    # The total still needed counts every contract, whichever page is shown.
    assert one.figure("still-needed") == first.figure("still-needed")
    for hostile in ("x", "0", "9" * 40, "1\x00"):
        response = supplier_client.get(url, {"contract": hostile, "page": hostile})
        assert response.status_code == 200
