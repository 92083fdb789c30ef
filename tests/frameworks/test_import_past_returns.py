"""Past returns: a year of the consortium's Excel becomes approved, imported returns,
so last year's figures and each contract's to-date position exist on day one."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from frameworks.imports import past_returns
from frameworks.imports.services import ImportRefused, import_apply
from returns.figures import contract_to_date
from returns.models import AnnualReturn, ReportingYear, ReturnEntry, ReturnLine
from tests import factories
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db

HEADER = [
    "Year",
    "Supplier reference",
    "Contract reference",
    "Spend (£, excl. VAT)",
    "Target credits",
    "EMP-FT",
    "APP-NEW",
    "CAR",
    "VOL",
    "Reasons",
    "Submitted on",
]


@pytest.fixture
def contracts(db):
    supplier = factories.SupplierFactory(reference="S1")
    other = factories.SupplierFactory(reference="S2")
    return {
        "C-1": factories.ContractFactory(reference="C-1", supplier=supplier),
        "C-2": factories.ContractFactory(reference="C-2", supplier=supplier),
        "C-9": factories.ContractFactory(reference="C-9", supplier=other),
    }


def consortium_file():
    """Two years of one supplier's returns, laid out as the consortium keeps them."""
    return xlsx(
        HEADER,
        [
            "2022/23",
            "S1",
            "C-1",
            250000,
            25,
            1,
            1,
            10,
            None,
            "Late start",
            "12/06/2023",
        ],
        [
            "2022/23",
            "S1",
            "C-2",
            120000,
            12,
            None,
            None,
            None,
            None,
            "Design stage",
            None,
        ],
        ["2023/24", "S1", "C-1", 300000, 30, 2, None, 5, 40.5, None, "2024-06-20"],
        ["2023-24", "S1", "C-2", 150000.5, 15.01, 1, 1, None, None, None, "2024-06-21"],
    )


def test_past_returns_create_years_approved_imported_returns_lines_and_entries(
    contracts, team_user
):
    report = import_apply(
        file=consortium_file(), name="past.xlsx", acting_user=team_user
    )
    assert report.kind == "past_returns"
    assert report.counts["Reporting years"]["created"] == 2
    assert report.counts["Returns"]["created"] == 2
    assert report.counts["Return lines"]["created"] == 4
    assert report.counts["Entries"]["created"] == 8

    years = ReportingYear.objects.order_by("starts_on")
    assert [y.label for y in years] == ["2022/23", "2023/24"]
    assert all(y.issued_at for y in years)
    annual_return = AnnualReturn.objects.get(year__label="2022/23")
    assert annual_return.source == AnnualReturn.Source.IMPORTED
    assert annual_return.status == AnnualReturn.Status.APPROVED
    assert annual_return.reference == f"SV-2022-23-{annual_return.supplier_id:05d}"
    assert annual_return.approved_at.date() == datetime.date(2023, 6, 12)

    line = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-1"
    )
    # EMP-FT 1 × 10 + APP-NEW 1 × 10 + CAR 10 × 0.2 = 22.00
    assert line.delivered_credits == Decimal("22.00")
    assert line.shortfall_reason == "Late start"
    nothing = ReturnLine.objects.get(
        annual_return=annual_return, contract__reference="C-2"
    )
    assert nothing.delivered_credits == 0
    assert nothing.nothing_delivered_reason == "Design stage"
    assert not nothing.entries.exists()


def test_a_contracts_to_date_position_equals_the_hand_computed_sums(contracts):
    import_apply(file=consortium_file(), name="past.xlsx")
    c1 = contract_to_date(contract_id=contracts["C-1"].pk)
    # Target 25 + 30; delivered 22.00 + (EMP-FT 2 × 10 + CAR 5 × 0.2 + VOL 40.5 × 0.05)
    assert c1.target == Decimal("55.00")
    assert c1.delivered == Decimal("22.00") + Decimal("23.03")
    c2 = contract_to_date(contract_id=contracts["C-2"].pk)
    assert c2.target == Decimal("27.01")
    assert c2.delivered == Decimal("20.00")  # 0 + EMP-FT 1 × 10 + APP-NEW 1 × 10
    assert c1.years == 2


def test_importing_past_returns_twice_changes_nothing(contracts):
    import_apply(file=consortium_file(), name="past.xlsx")
    counts = (ReturnLine.history.count(), ReturnEntry.history.count())
    again = import_apply(file=consortium_file(), name="past.xlsx")
    assert again.totals["created"] == 0 and again.totals["updated"] == 0
    assert (ReturnLine.history.count(), ReturnEntry.history.count()) == counts


def test_credits_match_the_credits_service(contracts):
    import_apply(file=consortium_file(), name="past.xlsx")
    call_command("recompute_credits", "--check")


def test_past_return_problems_are_refused_and_nothing_is_written(contracts):
    data = xlsx(
        HEADER,
        ["2022/23", "S1", "C-1", 250000, 25, 1, None, None, None, None, None],
        ["2022", "S1", "C-2", 1, 1, None, None, None, None, None, None],
        ["2022/23", "S1", "C-9", 1, 1, None, None, None, None, None, None],
        ["2022/23", "S1", "C-2", 1, 1, 1.5, None, None, None, None, None],
        ["2022/23", "S1", "C-1", 1, 1, None, None, None, None, None, None],
    )
    with pytest.raises(ImportRefused) as refused:
        import_apply(file=data, name="past.xlsx")
    found = {(p.row, p.column): p.message for p in refused.value.report.errors}
    assert found == {
        (3, "A"): past_returns.YEAR,
        (4, "C"): "Expected a contract of supplier S1: C-9 is S2's",
        (5, "F"): "Expected a whole number, like 12",
        (
            6,
            "C",
        ): "Expected each year and contract once in the file: it is also on row 2",
    }
    assert not ReportingYear.objects.filter(label="2022/23").exists()
    assert not AnnualReturn.objects.exists()


def test_an_unknown_measure_column_is_refused(contracts):
    with pytest.raises(ImportRefused) as refused:
        import_apply(
            file=xlsx(HEADER[:5] + ["EMP-XX"], ["2022/23", "S1", "C-1", 1, 1, 2]),
            name="past.xlsx",
        )
    assert refused.value.report.errors[0].column == "F"


def test_a_year_issued_through_the_portal_is_not_overwritten(contracts):
    year = factories.ReportingYearFactory(first_year=2022)
    issued = factories.AnnualReturnFactory(
        supplier=contracts["C-1"].supplier, year=year
    )
    with pytest.raises(ImportRefused) as refused:
        import_apply(
            file=xlsx(HEADER[:5], ["2022/23", "S1", "C-1", 1, 1]), name="past.xlsx"
        )
    assert issued.reference in refused.value.report.errors[0].message


def test_blanking_a_figure_imported_earlier_is_refused_not_deleted(contracts):
    import_apply(file=consortium_file(), name="past.xlsx")
    with pytest.raises(ImportRefused) as refused:
        import_apply(
            file=xlsx(
                HEADER,
                [
                    "2022/23",
                    "S1",
                    "C-1",
                    250000,
                    25,
                    None,
                    1,
                    10,
                    None,
                    None,
                    "12/06/2023",
                ],
            ),
            name="past.xlsx",
        )
    assert refused.value.report.errors[0].column == "F"
    assert "Enter 0" in refused.value.report.errors[0].message
