"""One figure, every page: each figure is worked out once, by hand, below, and every
page and export that shows it must show the same.

    contract  supplier  framework  2023/24               2024/25                  ends
    C-MOVE    Acme      FW-A       North 20/5            South 20/30              2028
    C-SWAP    Zenith    FW-B       North 10/2            South 10/20              31 Mar 2025
    C-END     Acme      FW-B       North 10/10           North 30/10              31 Mar 2025
    C-RISK    Zenith    FW-A       North 25/0 excluded   North 50/20              in 100 days
    C-WAIT    Baker     FW-B                             South 15/12 submitted    2028

(target/delivered; every return approved but Baker's, which awaits review.) C-MOVE
and C-SWAP were re-assigned from North to South for 2024/25: a year groups by the
member on its line, to date by the member a contract has now, with its whole life.

Add a row to `FIGURE_CHECKS` (or to `EXPECTED_*`) for a new page or export that
shows one of these figures.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from returns.models import AnnualReturn
from returns.templatetags.figures_format import figure
from tests import factories
from tests.pages import Page, Workbook

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
ENDED = datetime.date(2025, 3, 31)
FAR = datetime.date(2028, 3, 31)
APPROVED = AnnualReturn.Status.APPROVED
SUBMITTED = AnnualReturn.Status.SUBMITTED

NORTH, SOUTH = "North Homes", "South Homes"
ACME, ZENITH, BAKER = "Acme Build Ltd", "Zenith Services Ltd", "Baker Works Ltd"
FW_A, FW_B = "FW-A Construction", "FW-B Maintenance"

# --- The figures, worked out by hand ------------------------------------------------
# (target, delivered (approved), awaiting review, shortfall) of each row.

Y1, Y2, TO_DATE = "2023-24", "2024-25", "to-date"

EXPECTED_BY_CONTRACT = {
    Y1: {
        "C-MOVE": (20, 5, 0, 15),
        "C-SWAP": (10, 2, 0, 8),
        "C-END": (10, 10, 0, 0),
    },
    Y2: {
        "C-MOVE": (20, 30, 0, 0),
        "C-SWAP": (10, 20, 0, 0),
        "C-END": (30, 10, 0, 20),
        "C-RISK": (50, 20, 0, 30),
        "C-WAIT": (15, 0, 12, 15),
    },
    TO_DATE: {
        "C-MOVE": (40, 35, 0, 5),
        "C-SWAP": (20, 22, 0, 0),
        "C-END": (40, 20, 0, 20),
        "C-RISK": (50, 20, 0, 30),  # the excluded 2023/24 line counts nowhere
        "C-WAIT": (15, 0, 12, 15),
    },
}
# Groups: (target, delivered, awaiting, shortfall, contracts, contracts below target).
EXPECTED_BY_GROUP = {
    (Y1, "member"): {NORTH: (40, 17, 0, 23, 3, 2)},
    (Y1, "supplier"): {ACME: (30, 15, 0, 15, 2, 1), ZENITH: (10, 2, 0, 8, 1, 1)},
    (Y1, "framework"): {FW_A: (20, 5, 0, 15, 1, 1), FW_B: (20, 12, 0, 8, 2, 1)},
    (Y2, "member"): {NORTH: (80, 30, 0, 50, 2, 2), SOUTH: (45, 50, 12, 15, 3, 1)},
    (Y2, "supplier"): {
        ACME: (50, 40, 0, 20, 2, 1),
        ZENITH: (60, 40, 0, 30, 2, 1),
        BAKER: (15, 0, 12, 15, 1, 1),
    },
    (Y2, "framework"): {FW_A: (70, 50, 0, 30, 2, 1), FW_B: (55, 30, 12, 35, 3, 2)},
    # To date, each contract whole, under the member it has now: C-MOVE and C-SWAP
    # count for South only, with their 2023/24 lines.
    (TO_DATE, "member"): {NORTH: (90, 40, 0, 50, 2, 2), SOUTH: (75, 57, 12, 20, 3, 2)},
    (TO_DATE, "supplier"): {
        ACME: (80, 55, 0, 25, 2, 2),
        ZENITH: (70, 42, 0, 30, 2, 1),
        BAKER: (15, 0, 12, 15, 1, 1),
    },
    (TO_DATE, "framework"): {FW_A: (90, 55, 0, 35, 2, 2), FW_B: (75, 42, 12, 35, 3, 2)},
}
EXPECTED_TOTALS = {
    Y1: (40, 17, 0, 23, 3, 2),
    Y2: (125, 80, 12, 65, 5, 3),
    TO_DATE: (165, 97, 12, 70, 5, 4),
}
# In a year a contract row names its line's member (the snapshot); to date the
# member the contract has now.
EXPECTED_MEMBER_SHOWN = {
    Y1: {"C-MOVE": NORTH, "C-SWAP": NORTH},
    Y2: {"C-MOVE": SOUTH, "C-SWAP": SOUTH},
    TO_DATE: {"C-MOVE": SOUTH, "C-SWAP": SOUTH, "C-END": NORTH},
}
# Contract lists (to date): which contracts, filtered by member or not.
EXPECTED_LISTS = {
    ("at-risk", None): ["C-RISK"],
    ("at-risk", NORTH): ["C-RISK"],
    ("at-risk", SOUTH): [],
    # C-SWAP is short in North's year but not over its life: never ended short.
    ("ended-short", None): ["C-END"],
    ("ended-short", NORTH): ["C-END"],
    ("ended-short", SOUTH): [],
}


# --- The data -------------------------------------------------------------------


@pytest.fixture
def world():
    years = {
        Y1: factories.ReportingYearFactory(first_year=2023),
        Y2: factories.ReportingYearFactory(first_year=2024),
    }
    suppliers = {
        name: factories.SupplierFactory(name=name) for name in (ACME, ZENITH, BAKER)
    }
    members = {name: factories.MemberFactory(name=name) for name in (NORTH, SOUTH)}
    lots = {
        name: factories.LotFactory(framework=factories.FrameworkFactory(name=name))
        for name in (FW_A, FW_B)
    }
    returns = {}

    def annual_return(year, supplier, status=APPROVED):
        key = (year, supplier)
        if key not in returns:
            returns[key] = factories.AnnualReturnFactory(
                year=years[year],
                supplier=suppliers[supplier],
                status=status,
                submitted_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
            )
        return returns[key]

    def contract(reference, supplier, framework, member, ends_on):
        return factories.ContractFactory(
            reference=reference,
            title=f"Works {reference}",
            supplier=suppliers[supplier],
            lot=lots[framework],
            member=members[member],
            starts_on=datetime.date(2023, 4, 1),
            ends_on=ends_on,
        )

    def line(year, contract, member, target, delivered, status=APPROVED, **extra):
        factories.ReturnLineFactory(
            annual_return=annual_return(year, contract.supplier.name, status),
            contract=contract,
            member=members[member],
            lot=contract.lot,
            target_credits=D(target),
            delivered_credits=D(delivered),
            **extra,
        )

    move = contract("C-MOVE", ACME, FW_A, SOUTH, FAR)  # North's in 2023/24
    line(Y1, move, NORTH, 20, 5)
    line(Y2, move, SOUTH, 20, 30)
    swap = contract("C-SWAP", ZENITH, FW_B, SOUTH, ENDED)  # North's in 2023/24
    line(Y1, swap, NORTH, 10, 2)
    line(Y2, swap, SOUTH, 10, 20)
    end = contract("C-END", ACME, FW_B, NORTH, ENDED)
    line(Y1, end, NORTH, 10, 10)
    line(Y2, end, NORTH, 30, 10)
    risk = contract("C-RISK", ZENITH, FW_A, NORTH, TODAY + datetime.timedelta(100))
    line(
        Y1,
        risk,
        NORTH,
        25,
        0,
        excluded_reason="Novated",
        excluded_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
    )
    line(Y2, risk, NORTH, 50, 20)
    wait = contract("C-WAIT", BAKER, FW_B, SOUTH, FAR)
    line(Y2, wait, SOUTH, 15, 12, status=SUBMITTED)
    return {"members": members, "suppliers": suppliers}


@pytest.fixture(autouse=True)
def _today():
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        yield


def shown(value) -> str:
    return figure(D(value), "credits")


def contracts_text(contracts: int, short: int) -> str:
    return f"{short} of {contracts}"


# --- Shortfall pages and their downloads --------------------------------------------

PERIODS = (Y1, Y2, TO_DATE)
GROUPS = ("member", "supplier", "framework")
FIGURE_COLUMNS = ("Target", "Delivered", "Awaiting review", "Shortfall")
XLSX_COLUMNS = ("Target", "Delivered (approved)", "Awaiting review", "Shortfall")


def shortfall_page(client, period, group, **extra) -> Page:
    response = client.get(
        reverse("team:shortfall"), {"period": period, "by": group, **extra}
    )
    assert response.status_code == 200
    return Page(response.content.decode())


def shortfall_workbook(client, period, group) -> Workbook:
    response = client.get(
        reverse("team:shortfall"), {"period": period, "by": group, "format": "xlsx"}
    )
    assert response.status_code == 200, (period, group)
    return Workbook(response.content)


@pytest.mark.parametrize("period", PERIODS)
def test_each_contract_shows_its_figures_in_the_page_and_the_download(
    world, team_client, period
):
    page = shortfall_page(team_client, period, "contract")
    book = shortfall_workbook(team_client, period, "contract")
    expected = EXPECTED_BY_CONTRACT[period]
    assert sorted(r.split()[0] for r in page.rows("Target")) == sorted(expected)
    for reference, values in expected.items():
        for column, xlsx_column, value in zip(
            FIGURE_COLUMNS, XLSX_COLUMNS, values, strict=True
        ):
            assert page.cell(reference, column) == shown(value), (reference, column)
            assert book.cell(reference, xlsx_column) == value, (reference, column)
    for reference, member in EXPECTED_MEMBER_SHOWN[period].items():
        assert page.cell(reference, "Member") == member, (period, reference)
        assert book.cell(reference, "Member") == member, (period, reference)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("period", PERIODS)
def test_each_group_shows_its_figures_in_the_page_and_the_download(
    world, team_client, period, group
):
    page = shortfall_page(team_client, period, group)
    book = shortfall_workbook(team_client, period, group)
    expected = EXPECTED_BY_GROUP[(period, group)]
    assert sorted(page.rows("Target")) == sorted(expected)
    for name, values in expected.items():
        *credits, contracts, short = values
        for column, xlsx_column, value in zip(
            FIGURE_COLUMNS, XLSX_COLUMNS, credits, strict=True
        ):
            assert page.cell(name, column) == shown(value), (name, column)
            assert book.cell(name, xlsx_column) == value, (name, column)
        assert page.cell(name, "Contracts below target") == contracts_text(
            contracts, short
        )
        assert book.cell(name, "Contracts") == contracts
        assert book.cell(name, "Contracts below target") == short


@pytest.mark.parametrize("period", PERIODS)
def test_a_period_has_the_same_totals_in_every_grouping_and_they_add_up(
    world, team_client, period
):
    target, delivered, awaiting, shortfall, contracts, short = EXPECTED_TOTALS[period]
    for group in ("contract", *GROUPS):
        page = shortfall_page(team_client, period, group)
        book = shortfall_workbook(team_client, period, group)
        assert page.figure("total-target") == shown(target), group
        assert page.figure("total-delivered") == shown(delivered), group
        assert page.figure("total-awaiting") == shown(awaiting), group
        assert page.figure("total-shortfall") == shown(shortfall), group
        assert f"{short} of {contracts} contracts below target" in page.text, group
        for column, value in zip(
            XLSX_COLUMNS, (target, delivered, awaiting, shortfall), strict=True
        ):
            assert book.cell("Total", column) == value, (group, column)
            # A group's total is the sum of its rows.
            rows = [
                cells[book.headings.index(column)]
                for cells in book.rows
                if cells[0] != "Total"
            ]
            assert sum(D(str(v)) for v in rows) == value, (group, column)


# --- Contracts at risk and ended short (to date), filtered and not -------------------


@pytest.mark.parametrize(("kind", "member"), list(EXPECTED_LISTS))
def test_contract_lists_count_each_contracts_whole_life(
    world, team_client, kind, member
):
    url = reverse(f"team:shortfall_{kind.replace('-', '_')}")
    params = {"member": world["members"][member].pk} if member else {}
    page = Page(team_client.get(url, params).content.decode())
    listed = [row.split()[0] for row in page.rows("Target")]
    assert listed == EXPECTED_LISTS[(kind, member)]
    for reference in listed:
        target, delivered, awaiting, shortfall = EXPECTED_BY_CONTRACT[TO_DATE][
            reference
        ]
        assert page.cell(reference, "Target") == shown(target)
        assert page.cell(reference, "Delivered") == shown(delivered)
        assert page.cell(reference, "Shortfall") == shown(shortfall)
    book = Workbook(team_client.get(url, {**params, "format": "xlsx"}).content)
    assert book.first_cells() == EXPECTED_LISTS[(kind, member)]


# --- Member pages: the member's own years ("while it has been yours") ---------------

# (member, year) → {contract: (year target, delivered, shortfall, to-date target,
# delivered, shortfall while it has been the member's)}
EXPECTED_MEMBER_PAGES = {
    (NORTH, Y1): {
        "C-MOVE": (20, 5, 15, 20, 5, 15),
        "C-SWAP": (10, 2, 8, 10, 2, 8),
        "C-END": (10, 10, 0, 10, 10, 0),
    },
    (NORTH, Y2): {
        "C-END": (30, 10, 20, 40, 20, 20),
        "C-RISK": (50, 20, 30, 50, 20, 30),
    },
    (SOUTH, Y2): {
        "C-MOVE": (20, 30, 0, 20, 30, 0),  # South's since 2024/25 only
        "C-SWAP": (10, 20, 0, 10, 20, 0),
    },
}
MEMBER_COLUMNS = (
    "Target",
    "Delivered",
    "Shortfall",
    "Target to date",
    "Delivered to date",
    "Shortfall to date",
)


@pytest.mark.parametrize(("member", "year"), list(EXPECTED_MEMBER_PAGES))
def test_member_pages_count_the_years_the_contract_was_theirs(world, member, year):
    client = Client()
    client.force_login(
        factories.MemberViewerFactory(member=world["members"][member]).user
    )
    page = Page(client.get(reverse("member:year", args=[year])).content.decode())
    expected = EXPECTED_MEMBER_PAGES[(member, year)]
    assert sorted(r.split()[0] for r in page.rows("Target to date")) == sorted(expected)
    for reference, values in expected.items():
        for column, value in zip(MEMBER_COLUMNS, values, strict=True):
            # "20.00 over 2 years": the figure, then how many years it covers.
            cell = page.cell(reference, column).split(" over ")[0]
            assert cell == shown(value), (reference, column)
    # The page says, in DESIGN's words, what its to-date figures count.
    assert "only the years in which the contract was yours" in page.text
    assert page.figure("target") == shown(sum(v[0] for v in expected.values()))
    assert page.figure("delivered") == shown(sum(v[1] for v in expected.values()))
    assert page.figure("shortfall") == shown(sum(v[2] for v in expected.values()))
    if member == SOUTH and year == Y2:
        assert "C-WAIT" in page.text  # awaiting review: listed, no figures


# --- The impact report (approved returns only; a year groups by its snapshot) -------

# 2024/25 approved: every line but C-WAIT's.
EXPECTED_REPORT = {
    "by-member": {NORTH: (2, 80, 30, 50), SOUTH: (2, 30, 50, 0)},
    "by-framework": {FW_A: (2, 70, 50, 30), FW_B: (2, 40, 30, 20)},
}
REPORT_COLUMNS = ("Contracts", "Target credits", "Credits delivered", "Shortfall")


def test_the_report_agrees_with_the_shortfall_of_approved_lines(world, team_client):
    page = Page(team_client.get(reverse("team:report", args=[Y2])).content.decode())
    for rows in EXPECTED_REPORT.values():
        for name, values in rows.items():
            contracts, target, delivered, shortfall = values
            assert page.cell(name, "Contracts") == str(contracts)
            assert page.cell(name, "Target credits") == shown(target)
            assert page.cell(name, "Credits delivered") == shown(delivered)
            assert page.cell(name, "Shortfall") == shown(shortfall)
    assert "80.00 credits delivered against a target of 110.00" in page.text


# --- A table others extend: one figure on any other page ------------------------------


@dataclass(frozen=True)
class FigureCheck:
    """A figure on a page: the cell in `column` of the row starting with `row` (or,
    with `column` empty, the element whose id or data-figure is `row`)."""

    url: str
    row: str
    column: str
    expected: str


FIGURE_CHECKS = (
    FigureCheck(
        f"/team/shortfall/?period={TO_DATE}&by=contract", "C-MOVE", "Years", "2"
    ),
    FigureCheck(
        f"/team/shortfall/?period={TO_DATE}&by=member&short=on",
        "total-shortfall",
        "",
        "70.00",
    ),
    FigureCheck(
        f"/team/shortfall/?period={Y2}&by=supplier&q=Acme", "total-target", "", "50.00"
    ),
    FigureCheck("/team/shortfall/at-risk/", "C-RISK", "Awaiting review", "0.00"),
)


@pytest.mark.parametrize("check", FIGURE_CHECKS, ids=lambda c: f"{c.url} {c.row}")
def test_a_figure_reads_the_same_on_every_page_that_shows_it(world, team_client, check):
    response = team_client.get(check.url)
    assert response.status_code == 200
    page = Page(response.content.decode())
    found = (
        page.cell(check.row, check.column) if check.column else page.figure(check.row)
    )
    assert found == check.expected


# --- The team's contract page (issue 20) -----------------------------------------------


@pytest.mark.parametrize("reference", sorted(EXPECTED_BY_CONTRACT[TO_DATE]))
def test_the_team_contract_page_shows_each_contracts_figures_to_date_and_by_year(
    world, team_client, reference
):
    from frameworks.models import Contract

    contract = Contract.objects.get(reference=reference)
    response = team_client.get(reverse("team:contract", args=[contract.pk]))
    assert response.status_code == 200
    page = Page(response.content.decode())
    target, delivered, awaiting, shortfall = EXPECTED_BY_CONTRACT[TO_DATE][reference]
    assert page.figure("target") == f"{shown(target)} credits"
    assert page.figure("delivered") == f"{shown(delivered)} credits"
    assert page.figure("awaiting_review") == f"{shown(awaiting)} credits"
    assert page.figure("shortfall") == f"{shown(shortfall)} credits"
    for period in (Y1, Y2):
        if reference not in EXPECTED_BY_CONTRACT[period]:
            continue
        label = period.replace("-", "/")
        target, delivered, awaiting, shortfall = EXPECTED_BY_CONTRACT[period][reference]
        assert page.cell(label, "Target") == shown(target)
        assert page.cell(label, "Delivered") == shown(delivered)
        assert page.cell(label, "Awaiting review") == shown(awaiting)
        assert page.cell(label, "Shortfall") == shown(shortfall)


# --- The supplier's own pages: a contract's whole life (issue 21) ---------------------


def test_the_suppliers_contract_life_agrees_with_the_shortfall_to_date(world):
    """ "Your contracts" and the line page's "over its whole life" show the same
    to-date figure as the team's shortfall pages (`contracts_to_date`)."""
    from returns.models import ReturnLine
    from tests.sessions import signed_in

    acme = world["suppliers"][ACME]
    client = Client()
    signed_in(client, factories.SupplierContactFactory(supplier=acme).user)
    page = Page(client.get(reverse("supplier:contracts")).content.decode())
    for reference in ("C-MOVE", "C-END"):
        target, delivered, _, shortfall = EXPECTED_BY_CONTRACT[TO_DATE][reference]
        assert page.figure(f"{reference}-target") == shown(target)
        assert page.figure(f"{reference}-delivered") == shown(delivered)
        assert page.figure(f"{reference}-shortfall") == shown(shortfall)
    line = ReturnLine.objects.select_related("annual_return").get(
        contract__reference="C-MOVE", annual_return__year__label="2024/25"
    )
    url = reverse("supplier:line", args=[line.annual_return.reference, line.pk])
    page = Page(client.get(url).content.decode())
    assert page.figure("life-target") == shown(40)
    assert page.figure("life-shortfall") == shown(5)


# --- The member's contract page (issue 22): the member year page's figures ----------

# (member, contract) → (to-date target, delivered, shortfall while it has been
# theirs): the member year page's to-date columns at the contract's latest year
# with them (EXPECTED_MEMBER_PAGES), and each year's figures as on that page.
EXPECTED_MEMBER_CONTRACT_PAGES = {
    (NORTH, "C-MOVE"): ((20, 5, 15), {Y1: (20, 5, 15)}),
    (NORTH, "C-SWAP"): ((10, 2, 8), {Y1: (10, 2, 8)}),
    (NORTH, "C-END"): ((40, 20, 20), {Y1: (10, 10, 0), Y2: (30, 10, 20)}),
    (NORTH, "C-RISK"): ((50, 20, 30), {Y2: (50, 20, 30)}),
    (SOUTH, "C-MOVE"): ((20, 30, 0), {Y2: (20, 30, 0)}),
    (SOUTH, "C-SWAP"): ((10, 20, 0), {Y2: (10, 20, 0)}),
    (SOUTH, "C-WAIT"): ((0, 0, 0), {}),  # awaiting review: no figures
}


@pytest.mark.parametrize(("member", "reference"), list(EXPECTED_MEMBER_CONTRACT_PAGES))
def test_the_member_contract_page_agrees_with_the_member_year_page(
    world, member, reference
):
    from frameworks.models import Contract

    client = Client()
    client.force_login(
        factories.MemberViewerFactory(member=world["members"][member]).user
    )
    contract = Contract.objects.get(reference=reference)
    response = client.get(reverse("member:contract", args=[contract.pk]))
    assert response.status_code == 200
    page = Page(response.content.decode())
    (target, delivered, shortfall), by_year = EXPECTED_MEMBER_CONTRACT_PAGES[
        (member, reference)
    ]
    assert page.figure("target") == f"{shown(target)} credits"
    assert page.figure("delivered") == f"{shown(delivered)} credits"
    assert page.figure("shortfall") == f"{shown(shortfall)} credits"
    for period, (target, delivered, shortfall) in by_year.items():
        label = period.replace("-", "/")
        assert page.cell(label, "Target") == shown(target)
        assert page.cell(label, "Delivered") == shown(delivered)
        assert page.cell(label, "Shortfall in year") == shown(shortfall)


# The member's home (issue 22): at risk and ended short are the team's lists of the
# member's contracts, with the same figures to date (the contracts below have been
# North's all their lives). C-SWAP, North's in 2023/24 and short then, moved to
# South: it is not North's concern now, and is not listed.
EXPECTED_MEMBER_ATTENTION = {"at-risk": ["C-RISK"], "ended-short": ["C-END"]}


def test_the_member_home_lists_at_risk_and_ended_short_as_the_team_does(world):
    client = Client()
    client.force_login(
        factories.MemberViewerFactory(member=world["members"][NORTH]).user
    )
    page = Page(client.get(reverse("member:home")).content.decode())
    for references in EXPECTED_MEMBER_ATTENTION.values():
        for reference in references:
            target, delivered, _, shortfall = EXPECTED_BY_CONTRACT[TO_DATE][reference]
            # The first table with the row: the attention lists lead the page.
            assert page.cell(reference, "Target to date") == shown(target)
            assert page.cell(reference, "Delivered to date") == shown(delivered)
            assert page.cell(reference, "Shortfall to date") == shown(shortfall)
    assert "C-SWAP" not in page.text.split("What suppliers delivered")[0]


# --- The API (issue 24): the same figures, through the same selectors -------------------


def _api(url: str, secret: str) -> dict:
    response = Client().get(url, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.content
    return response.json()


def _credits(value) -> str:
    return f"{D(value):.2f}"


@pytest.mark.parametrize("reference", sorted(EXPECTED_BY_CONTRACT[TO_DATE]))
def test_the_api_gives_the_teams_token_each_contracts_figures(world, reference):
    from api.models import ApiToken
    from api.services import token_create
    from frameworks.models import Contract

    _, secret = token_create(
        user=factories.TeamUserFactory(),
        scope=ApiToken.Scope.TEAM,
        name="one figure",
        expires_in_days=30,
    )
    contract = Contract.objects.get(reference=reference)
    data = _api(f"/api/v1/contracts/{contract.pk}/figures/", secret)
    target, delivered, awaiting, shortfall = EXPECTED_BY_CONTRACT[TO_DATE][reference]
    to_date = data["to_date"]
    assert (
        to_date["target"],
        to_date["delivered"],
        to_date["awaiting_review"],
        to_date["shortfall"],
    ) == tuple(map(_credits, (target, delivered, awaiting, shortfall)))
    by_year = {row["year"]: row for row in data["years"]}
    for period in (Y1, Y2):
        expected = EXPECTED_BY_CONTRACT[period].get(reference)
        row = by_year.get(period.replace("-", "/"))
        if expected is None:
            continue  # an excluded line (C-RISK 2023/24) counts nowhere
        assert (
            row["target"],
            row["delivered"],
            row["awaiting_review"],
            row["shortfall"],
        ) == tuple(map(_credits, expected))


@pytest.mark.parametrize(("member", "year"), list(EXPECTED_MEMBER_PAGES))
def test_the_api_gives_a_members_token_its_pages_figures(world, member, year):
    from api.models import ApiToken
    from api.services import token_create

    viewer = factories.MemberViewerFactory(member=world["members"][member])
    _, secret = token_create(
        user=viewer.user,
        scope=ApiToken.Scope.MEMBER,
        member=world["members"][member],
        name="one figure",
        expires_in_days=30,
    )
    rows = _api(f"/api/v1/years/{year}/contract-figures/", secret)["results"]
    approved = {row["reference"]: row for row in rows if row["approved"]}
    expected = EXPECTED_MEMBER_PAGES[(member, year)]
    assert sorted(approved) == sorted(expected)
    for reference, values in expected.items():
        row = approved[reference]
        got = (
            row["target"],
            row["delivered"],
            row["shortfall"],
            row["to_date"]["target"],
            row["to_date"]["delivered"],
            row["to_date"]["shortfall"],
        )
        assert got == tuple(map(_credits, values)), reference
