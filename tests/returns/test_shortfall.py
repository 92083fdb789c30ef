"""Shortfall, in a year and to date over each contract's life, on a hand-built set of
contracts over three years; every expected figure is worked out by hand beside it.

    contract  framework member  2022/23  2023/24        2024/25          ends
    C-A       FW-A      North   10/11    12/9           14/15            2028
    C-B       FW-A      North   20/25    (below thresh) 20/10            2028
    C-C       FW-A      South    5/5     50/0 excluded   5/5             2028
    C-D       FW-B      North            30/10          30/20            in 150 days
    C-E       FW-B      South                            8/3             ended 31 Mar 2025
    C-F       FW-B      South                           10/7 submitted   2028 (Zenith)
    C-G       (a not-required return: counts nowhere)   99/0

(target/delivered; all of Acme's returns approved.)
"""

import datetime
import io
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

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
    acme = factories.SupplierFactory(name="Acme Build Ltd")
    zenith = factories.SupplierFactory(name="Zenith Services Ltd")
    fw_a = factories.FrameworkFactory(name="FW-A Construction")
    fw_b = factories.FrameworkFactory(name="FW-B Maintenance")
    lot_a = factories.LotFactory(framework=fw_a)
    lot_b = factories.LotFactory(framework=fw_b)
    north = factories.MemberFactory(name="North Homes")
    south = factories.MemberFactory(name="South Homes")
    returns = {
        y: factories.AnnualReturnFactory(supplier=acme, year=years[y], status=APPROVED)
        for y in years
    }
    zenith_2024 = factories.AnnualReturnFactory(
        supplier=zenith, year=years[2024], status=SUBMITTED
    )
    not_required = factories.AnnualReturnFactory(
        year=years[2024], status=AnnualReturn.Status.NOT_REQUIRED
    )
    far = datetime.date(2028, 3, 31)

    def contract(reference, lot, member, ends_on=far, supplier=acme):
        return factories.ContractFactory(
            reference=reference,
            supplier=supplier,
            lot=lot,
            member=member,
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

    a = contract("C-A", lot_a, north)
    line(returns[2022], a, "10.00", "11.00")
    line(returns[2023], a, "12.00", "9.00")
    line(returns[2024], a, "14.00", "15.00")
    b = contract("C-B", lot_a, north)
    line(returns[2022], b, "20.00", "25.00")
    line(returns[2024], b, "20.00", "10.00")
    c = contract("C-C", lot_a, south)
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
    d = contract("C-D", lot_b, north, ends_on=TODAY + datetime.timedelta(days=150))
    line(returns[2023], d, "30.00", "10.00")
    line(returns[2024], d, "30.00", "20.00")
    e = contract("C-E", lot_b, south, ends_on=datetime.date(2025, 3, 31))
    line(returns[2024], e, "8.00", "3.00")
    f = contract("C-F", lot_b, south, supplier=zenith)
    line(zenith_2024, f, "10.00", "7.00")
    g = factories.ContractFactory(reference="C-G", supplier=not_required.supplier)
    line(not_required, g, "99.00", "0.00")
    return {
        "years": years,
        "acme": acme,
        "zenith": zenith,
        "fw_a": fw_a,
        "fw_b": fw_b,
        "north": north,
        "south": south,
    }


def _figures(row):
    return (row.target, row.delivered, row.awaiting_review, row.shortfall)


def _by(group, **kwargs):
    rows = figures.shortfall_by(group, lines=figures.shortfall_lines(**kwargs))
    return {row.name: row for row in rows}


def test_a_year_by_supplier_sums_contract_shortfalls_and_counts_approved_only(world):
    rows = _by("supplier", year=world["years"][2024])
    acme = rows["Acme Build Ltd"]
    # A 14/15 (0), B 20/10 (10), C 5/5 (0), D 30/20 (10), E 8/3 (5)
    assert _figures(acme) == (D("77.00"), D("53.00"), D("0.00"), D("25.00"))
    assert (acme.contracts, acme.contracts_short) == (5, 3)
    # F submitted: not delivered, awaiting review 7, short by its whole target
    zenith = rows["Zenith Services Ltd"]
    assert _figures(zenith) == (D("10.00"), D("0.00"), D("7.00"), D("10.00"))
    total = figures.shortfall_total(list(rows.values()))
    assert _figures(total) == (D("87.00"), D("53.00"), D("7.00"), D("35.00"))


def test_to_date_by_contract_adds_every_year_with_a_line(world):
    rows = _by("contract")
    assert set(rows) == {"C-A", "C-B", "C-C", "C-D", "C-E", "C-F"}  # not C-G
    # A: 10+12+14 = 36; 11+9+15 = 35
    assert _figures(rows["C-A"]) == (D("36.00"), D("35.00"), D("0.00"), D("1.00"))
    assert rows["C-A"].years == 3
    # B: no line in 2023/24 adds nothing: 40/35
    assert _figures(rows["C-B"]) == (D("40.00"), D("35.00"), D("0.00"), D("5.00"))
    assert rows["C-B"].years == 2
    # C: the excluded 50 counts nowhere: 10/10
    assert _figures(rows["C-C"]) == (D("10.00"), D("10.00"), D("0.00"), D("0.00"))
    assert rows["C-C"].years == 2
    # D: 60/30
    assert _figures(rows["C-D"]) == (D("60.00"), D("30.00"), D("0.00"), D("30.00"))
    assert rows["C-D"].framework == "FW-B Maintenance"
    assert rows["C-D"].member == "North Homes"


def test_to_date_by_supplier_framework_and_member(world):
    suppliers = _by("supplier")
    # Acme: A 36/35 (1), B 40/35 (5), C 10/10 (0), D 60/30 (30), E 8/3 (5)
    assert _figures(suppliers["Acme Build Ltd"]) == (
        D("154.00"),
        D("113.00"),
        D("0.00"),
        D("41.00"),
    )
    assert suppliers["Acme Build Ltd"].contracts_short == 4
    frameworks = _by("framework")
    # FW-A: A, B, C = 86/80, short 1 + 5 + 0
    assert _figures(frameworks["FW-A Construction"]) == (
        D("86.00"),
        D("80.00"),
        D("0.00"),
        D("6.00"),
    )
    # FW-B: D, E, F = 78/33, awaiting 7, short 30 + 5 + 10
    assert _figures(frameworks["FW-B Maintenance"]) == (
        D("78.00"),
        D("33.00"),
        D("7.00"),
        D("45.00"),
    )
    members = _by("member")
    # North: A, B, D = 136/100, short 1 + 5 + 30
    assert _figures(members["North Homes"]) == (
        D("136.00"),
        D("100.00"),
        D("0.00"),
        D("36.00"),
    )
    # South: C, E, F = 28/13, awaiting 7, short 0 + 5 + 10
    assert _figures(members["South Homes"]) == (
        D("28.00"),
        D("13.00"),
        D("7.00"),
        D("15.00"),
    )


def test_a_year_without_counted_lines_for_a_group_shows_no_row(world):
    rows = _by("member", year=world["years"][2023])
    # 2023/24: A 12/9 and D 30/10, both North; C's line is excluded
    assert list(rows) == ["North Homes"]
    assert _figures(rows["North Homes"]) == (
        D("42.00"),
        D("19.00"),
        D("0.00"),
        D("23.00"),
    )


def test_filters_narrow_the_lines(world):
    rows = _by("contract", supplier_id=world["zenith"].pk)
    assert list(rows) == ["C-F"]
    rows = _by("contract", framework_id=world["fw_a"].pk)
    assert list(rows) == ["C-A", "C-B", "C-C"]
    rows = _by("contract", member_id=world["south"].pk)
    assert list(rows) == ["C-C", "C-E", "C-F"]
    rows = _by("contract", search="zenith")
    assert list(rows) == ["C-F"]


def test_at_risk_and_ended_short_with_filters(world):
    at_risk = figures.contracts_at_risk(today=TODAY, lines=figures.shortfall_lines())
    assert [(r.reference, r.shortfall) for r in at_risk] == [("C-D", D("30.00"))]
    south_only = figures.shortfall_lines(member_id=world["south"].pk)
    assert figures.contracts_at_risk(today=TODAY, lines=south_only) == []
    ended = figures.contracts_ended_short(today=TODAY, lines=south_only)
    assert [(r.reference, r.shortfall) for r in ended] == [("C-E", D("5.00"))]


# --- Pages ------------------------------------------------------------------------


def test_the_overview_page_shows_to_date_figures_by_supplier(world, team_client):
    response = team_client.get(
        reverse("team:shortfall"), {"period": "to-date", "by": "supplier"}
    )
    assert response.status_code == 200
    names = [row.name for row in response.context["page_obj"]]
    # largest shortfall first: Acme 41, Zenith 10
    assert names == ["Acme Build Ltd", "Zenith Services Ltd"]
    total = response.context["total"]
    assert _figures(total) == (D("164.00"), D("113.00"), D("7.00"), D("51.00"))
    assert b"To date, over each contract" in response.content


def test_the_overview_defaults_to_the_current_year(world, team_client):
    world["years"][2024].issued_at = datetime.datetime(2025, 4, 14, tzinfo=datetime.UTC)
    world["years"][2024].save()
    response = team_client.get(reverse("team:shortfall"))
    assert response.context["year"] == world["years"][2024]
    assert response.context["total"].target == D("87.00")


def test_only_below_target_and_drill_down_from_a_supplier(world, team_client):
    response = team_client.get(
        reverse("team:shortfall"),
        {"period": "to-date", "by": "contract", "short": "on", "sort": "name"},
    )
    names = [row.name for row in response.context["page_obj"]]
    assert names == ["C-A", "C-B", "C-D", "C-E", "C-F"]  # C-C is on target
    response = team_client.get(
        reverse("team:shortfall"),
        {"period": "2024-25", "by": "contract", "supplier": world["acme"].pk},
    )
    names = [row.name for row in response.context["page_obj"]]
    assert names == ["C-B", "C-D", "C-E", "C-A", "C-C"]  # 10, 10, 5, 0, 0


def test_a_bad_filter_value_is_ignored_not_an_error(world, team_client):
    response = team_client.get(
        reverse("team:shortfall"),
        {"period": "1999-00", "by": "nonsense", "framework": "x", "page": "99"},
    )
    assert response.status_code == 200
    assert response.context["year"] is None  # falls back to to date
    assert response.context["group"] == "supplier"


def test_the_xlsx_export_holds_every_row_and_the_total(world, team_client):
    response = team_client.get(
        reverse("team:shortfall"),
        {"period": "to-date", "by": "member", "format": "xlsx"},
    )
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "Member",
        "Target",
        "Delivered (approved)",
        "Awaiting review",
        "Shortfall",
    )
    assert rows[1][:5] == ("North Homes", 136, 100, 0, 36)
    assert rows[2][:5] == ("South Homes", 28, 13, 7, 15)
    assert rows[3][:5] == ("Total", 164, 113, 7, 51)


@pytest.mark.parametrize("group", ["contract", "supplier", "framework", "member"])
def test_a_single_year_downloads_by_every_group(world, team_client, group):
    """ "Shortfall 2024/25" is not a valid sheet title: the download answered 500."""
    response = team_client.get(
        reverse("team:shortfall"), {"period": "2024-25", "by": group, "format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Shortfall 2024-25"]
    assert book.active.cell(row=1, column=1).value == group.capitalize()


@time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=datetime.UTC))
def test_at_risk_and_ended_short_pages_and_exports(world, team_client):
    response = team_client.get(reverse("team:shortfall_at_risk"))
    assert [row.reference for row, _ in response.context["rows"]] == ["C-D"]
    assert response.context["rows"][0][1] == 150  # days left
    response = team_client.get(reverse("team:shortfall_ended_short"))
    assert [row.reference for row, _ in response.context["rows"]] == ["C-E"]
    response = team_client.get(
        reverse("team:shortfall_ended_short"), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "C-E"
    assert rows[1][9] == 5  # shortfall


def test_a_formula_in_a_name_is_neutralised_in_the_export(world, team_client):
    world["acme"].name = "=HYPERLINK(1)"
    world["acme"].save()
    response = team_client.get(
        reverse("team:shortfall"),
        {"period": "to-date", "by": "supplier", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names


def test_suppliers_and_members_cannot_see_the_shortfall_pages(
    world, supplier_client, member_client
):
    for name in ("team:shortfall", "team:shortfall_at_risk"):
        assert supplier_client.get(reverse(name)).status_code == 403
        assert member_client.get(reverse(name)).status_code == 403


# --- Query counts do not grow with the rows ---------------------------------------


def _grow(contracts: int) -> None:
    year = factories.ReportingYearFactory(first_year=2024)
    annual_return = factories.AnnualReturnFactory(year=year, status=APPROVED)
    for n in range(contracts):
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__ends_on=TODAY + datetime.timedelta(days=30 + n),
            target_credits=D("20.00"),
            delivered_credits=D("5.00"),
        )


PAGES = [
    ("team:shortfall", {"period": "to-date", "by": "contract"}),
    ("team:shortfall", {"period": "2024-25", "by": "supplier"}),
    ("team:shortfall", {"period": "to-date", "by": "member", "format": "xlsx"}),
    ("team:shortfall_at_risk", {}),
    ("team:shortfall_ended_short", {}),
]


def _query_counts(client) -> list[int]:
    counts = []
    for name, params in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), params).status_code == 200
        counts.append(len(queries))
    return counts


@time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=datetime.UTC))
def test_query_counts_are_equal_at_two_sizes_ten_times_apart(team_client):
    _grow(4)
    small = _query_counts(team_client)
    _grow(36)  # 40 contracts: ten times as many
    large = _query_counts(team_client)
    assert small == large
    assert max(large) <= 15
