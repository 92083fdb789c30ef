"""A contract's page for its member (issue 22): the years it has been theirs, approved
figures only, against the delivery plan; and the team's page of the same contract."""

import datetime
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns.models import AnnualReturn, Evidence, ReturnEvent
from returns.selectors.contract_life import contract_life
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status
TODAY = datetime.date(2026, 1, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=LONDON)):
        yield


def _line(contract, year, member, status, *, target, delivered, **fields):
    annual_return = AnnualReturn.objects.filter(
        supplier=contract.supplier, year=year
    ).first() or factories.AnnualReturnFactory(
        supplier=contract.supplier,
        year=year,
        status=status,
        approved_at=datetime.datetime(year.starts_on.year + 1, 7, 1, tzinfo=LONDON)
        if status == S.APPROVED
        else None,
    )
    return factories.ReturnLineFactory(
        annual_return=annual_return,
        contract=contract,
        member=member,
        target_credits=D(target),
        delivered_credits=D(delivered),
        **fields,
    )


@pytest.fixture
def story():
    """A contract of member A, 1 April 2023 to 31 March 2027: 2023/24 on member B
    (approved), 2024/25 on member A (approved, short, with a plan), 2025/26 on
    member A (submitted, awaiting review)."""
    member_a = factories.MemberFactory(name="Member A")
    member_b = factories.MemberFactory(name="Member B")
    contract = factories.ContractFactory(
        member=member_a,
        reference="C-STORY",
        title="Estate roofing",
        starts_on=datetime.date(2023, 4, 1),
        ends_on=datetime.date(2027, 3, 31),
    )
    years = [factories.ReportingYearFactory(first_year=y) for y in (2023, 2024, 2025)]
    b_line = _line(
        contract, years[0], member_b, S.APPROVED, target="30", delivered="31"
    )
    a_line = _line(
        contract,
        years[1],
        member_a,
        S.APPROVED,
        target="20",
        delivered="12.5",
        shortfall_reason="A subcontractor went into administration",
        recovery_plan="Two apprentices start in the spring",
        recovery_by=datetime.date(2026, 6, 30),
    )
    submitted = _line(
        contract, years[2], member_a, S.SUBMITTED, target="40", delivered="77.77"
    )
    factories.ReturnEntryFactory(line=b_line, quantity=D("5"))
    factories.ReturnEntryFactory(line=a_line, quantity=D("2"))
    factories.ReturnEntryFactory(line=submitted, quantity=D("9"))
    factories.ReturnEntryFactory(
        line=a_line, measure=factories.measure("VOL"), quantity=D("7.5")
    )
    factories.DeliveryPlanItemFactory(contract=contract, committed_quantity=D("12"))
    return {
        "contract": contract,
        "member_a": member_a,
        "member_b": member_b,
        "years": years,
        "a_line": a_line,
        "b_line": b_line,
        "submitted": submitted,
    }


def _client(member):
    from django.test import Client

    from tests.sessions import signed_in

    user = factories.MemberViewerFactory(member=member).user
    return signed_in(Client(), user)


def _page(story, member="member_a"):
    url = reverse("member:contract", args=[story["contract"].pk])
    response = _client(story[member]).get(url)
    assert response.status_code == 200
    return response


def test_the_member_sees_only_its_years_and_approved_figures(story):
    life = contract_life(
        contract=story["contract"], today=TODAY, member=story["member_a"]
    )
    assert [row.year.label for row in life.years] == ["2024/25", "2025/26"]
    assert life.other_member_years == ["2023/24"]
    # To date while it has been A's, approved years only: 2024/25 alone.
    assert (life.target, life.delivered, life.shortfall) == (
        D("20.00"),
        D("12.50"),
        D("7.50"),
    )
    approved, awaiting = life.years
    assert (approved.target, approved.delivered, approved.shortfall) == (
        D("20.00"),
        D("12.50"),
        D("7.50"),
    )
    # The plan: 12 jobs over 1,461 days; 2024/25 is 365 of them: 2.997... -> 3.00.
    jobs = life.plan[0]
    assert jobs.measure.code == "EMP-FT"
    assert (jobs.committed, jobs.pro_rata_to_date, jobs.delivered) == (
        D("12"),
        D("3.00"),
        D("2.00"),
    )
    assert (jobs.short_to_date, jobs.still_to_deliver) == (D("1.00"), D("10.00"))
    # A measure delivered outside the plan shows after it, with no plan figures.
    volunteering = life.plan[1]
    assert volunteering.measure.code == "VOL"
    assert volunteering.committed is None and volunteering.delivered == D("7.50")
    assert [row.year.label for row in life.recovery_plans] == ["2024/25"]


def test_the_page_says_the_other_member_year_is_not_shown(story):
    content = _page(story).content.decode()
    assert "another member&#x27;s in 2023/24" in content or (
        "another member's in 2023/24" in content
    )
    assert 'data-year="2023/24"' not in content
    assert 'data-year="2024/25"' in content
    assert "31.00" not in content  # member B's delivered
    # The submitted year: its state, never its figures.
    assert "77.77" not in content and "9 people" not in content
    assert "awaiting the social value team" in content
    assert "Estate roofing" in content and "Framework" in content
    assert "A subcontractor went into administration" in content
    assert "30 June 2026" in content


def test_member_b_sees_its_own_year_and_not_member_a_s(story):
    content = _page(story, "member_b").content.decode()
    assert 'data-year="2023/24"' in content
    assert 'data-year="2024/25"' not in content
    assert "2024/25, 2025/26" in content  # the years it was another member's
    assert "12.50" not in content


def test_another_member_s_viewer_gets_404(story):
    stranger = factories.MemberFactory()
    url = reverse("member:contract", args=[story["contract"].pk])
    assert _client(stranger).get(url).status_code == 404
    missing = reverse("member:contract", args=[999999])
    assert _client(story["member_a"]).get(missing).status_code == 404


def test_a_return_not_in_shows_its_deadline_and_overdue(story):
    contract = factories.ContractFactory(
        member=story["member_a"], supplier=story["contract"].supplier
    )
    year = story["years"][2]
    _line(contract, year, story["member_a"], S.APPROVED, target="1", delivered="1")
    other = factories.ContractFactory(member=story["member_a"])
    _line(other, year, story["member_a"], S.IN_PROGRESS, target="10", delivered="3")
    content = _page({**story, "contract": other}).content.decode()
    assert "not in yet: it is due by 30 June 2026" in content
    assert "Overdue" not in content
    with time_machine.travel(datetime.datetime(2026, 7, 2, 9, 0, tzinfo=LONDON)):
        content = _page({**story, "contract": other}).content.decode()
    assert "Overdue" in content
    assert "3.00" not in content  # entered, not approved


def test_queries_do_not_grow_with_the_years(story):
    def count(contract):
        with CaptureQueriesContext(connection) as queries:
            contract_life(contract=contract, today=TODAY, member=story["member_a"])
        return len(queries)

    single = factories.ContractFactory(member=story["member_a"])
    line = _line(single, story["years"][1], story["member_a"], S.APPROVED,
                 target="1", delivered="1")  # fmt: skip
    factories.ReturnEntryFactory(line=line, measure=factories.measure("VOL"))
    assert count(story["contract"]) == count(single)


def test_evidence_titles_show_once_the_team_approves_them(story, team_client):
    shared = factories.EvidenceFactory(
        line=story["a_line"], original_name="apprentice-register.pdf"
    )
    factories.EvidenceFactory(line=story["a_line"], original_name="payroll.pdf")
    on_submitted = factories.EvidenceFactory(
        line=story["submitted"], original_name="draft.pdf"
    )
    content = _page(story).content.decode()
    assert "apprentice-register.pdf" not in content
    for evidence in (shared, on_submitted):
        response = team_client.post(
            reverse("team:evidence_member_share", args=[evidence.pk]), {"share": "yes"}
        )
        assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.member_approved_by is not None
    assert ReturnEvent.objects.filter(kind="evidence_member_approved").count() == 2
    content = _page(story).content.decode()
    assert "apprentice-register.pdf" in content
    assert "payroll.pdf" not in content  # not approved for the member
    assert "draft.pdf" not in content  # its return is not approved
    assert reverse("team:evidence_download", args=[shared.pk]) not in content
    team_client.post(
        reverse("team:evidence_member_share", args=[shared.pk]), {"share": "no"}
    )
    assert Evidence.objects.get(pk=shared.pk).member_approved_at is None
    assert "apprentice-register.pdf" not in _page(story).content.decode()


def test_the_team_page_shows_every_year_and_the_plan_pro_rata(story, team_client):
    content = team_client.get(
        reverse("team:contract", args=[story["contract"].pk])
    ).content.decode()
    for label in ("2023/24", "2024/25", "2025/26"):
        assert f'data-year="{label}"' in content
    # The team's pro rata covers both approved years, each year's share rounded as
    # the review's `plan_share` rounds it: 12 x 366 / 1461 = 3.01 (2023/24 holds
    # 29 February 2024), plus 3.00 for 2024/25.
    assert 'data-figure="pro_rata">6.01 people' in content


def test_member_year_page_links_each_contract(story):
    content = (
        _client(story["member_a"])
        .get(reverse("member:year", args=[story["years"][1].slug]))
        .content.decode()
    )
    assert reverse("member:contract", args=[story["contract"].pk]) in content
