"""Member viewers see delivery on their own contracts: approved returns only, their
own lines (by the member on each line), case studies shared with them."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.selectors import SESSION_MEMBER_KEY
from returns.models import AnnualReturn
from returns.selectors import reports
from tests import factories
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_impact_world()


def viewer_client(*members) -> Client:
    user = factories.UserFactory()
    for member in members:
        factories.MemberViewerFactory(user=user, member=member)
    client = Client()
    client.force_login(user)
    return client


def year_url(world, year="this"):
    return reverse("member:year", args=[world[year].slug])


def test_member_page_figures_for_the_year_and_to_date_are_hand_computed(world):
    page = reports.member_year(member=world["member_a"], year=world["this"])
    # Approved: C-1 only (C-4's return was sent back; C-5 is excluded).
    assert [r.reference for r in page.approved_rows] == ["C-1"]
    assert [(r.reference, r.status_label) for r in page.awaiting_rows] == [
        ("C-4", "Not yet submitted")
    ]
    c1 = page.approved_rows[0]
    assert (c1.spend, c1.target, c1.delivered, c1.shortfall) == (
        D("250000.00"),
        D("25.00"),
        D("20.00"),
        D("5.00"),
    )
    # To date over A's approved years: 20 + 25 = 45 target, 18 + 20 = 38 delivered.
    assert (c1.to_date.target, c1.to_date.delivered, c1.to_date.shortfall) == (
        D("45.00"),
        D("38.00"),
        D("7.00"),
    )
    assert c1.to_date.years == 2
    # Headline: EMP-FT 3 + EMP-PT 2 + EMP-SUS 2 + APP-NEW 1 = 8
    assert c1.employment_opportunities == D("8")
    assert page.totals["target"] == D("25.00")
    assert page.totals["delivered"] == D("20.00")
    outcomes = {o.label: o.quantity for o in page.outcomes}
    assert outcomes["Employment opportunities"] == D("8")
    assert outcomes["Jobs created"] == D("5")
    assert outcomes["People trained"] == D("12")
    assert outcomes["Volunteering"] == D("20")


def test_a_reassigned_contract_stays_with_its_old_member_for_the_past_year(world):
    past_a = reports.member_year(member=world["member_a"], year=world["last"])
    assert [r.reference for r in past_a.approved_rows] == ["C-1", "C-2"]
    assert (past_a.totals["target"], past_a.totals["delivered"]) == (
        D("30.00"),
        D("30.00"),
    )
    past_b = reports.member_year(member=world["member_b"], year=world["last"])
    assert [r.reference for r in past_b.approved_rows] == ["C-3"]
    this_b = reports.member_year(member=world["member_b"], year=world["this"])
    assert [r.reference for r in this_b.approved_rows] == ["C-2"]
    c2 = this_b.approved_rows[0]
    # To date for B counts only B's year of C-2, not A's.
    assert (c2.to_date.target, c2.to_date.delivered, c2.to_date.years) == (
        D("15.00"),
        D("16.00"),
        1,
    )
    assert [(r.reference, r.status_label) for r in this_b.awaiting_rows] == [
        ("C-3", "Awaiting review")
    ]


def test_the_member_page_shows_its_lines_and_no_one_elses(world):
    client = viewer_client(world["member_a"])
    html = client.get(year_url(world)).content.decode()
    assert "C-1" in html and "C-4" in html
    assert "C-2" not in html and "C-3" not in html  # member B's this year
    assert 'data-figure="target">25.00<' in html
    assert "Not yet submitted" in html
    # Past year: C-2 was A's then.
    assert "C-2" in client.get(year_url(world, "last")).content.decode()


def test_a_return_awaiting_review_shows_as_such_without_figures(world):
    html = viewer_client(world["member_b"]).get(year_url(world)).content.decode()
    awaiting = html[html.index('id="awaiting-contracts"') :]
    awaiting = awaiting[: awaiting.index("</table>")]
    assert "C-3" in awaiting and "Awaiting review" in awaiting
    assert "30.00" not in html and "40.00" not in html  # C-3's target and credits


def test_case_studies_shared_with_the_member_on_approved_returns_only(world):
    studies = world["studies"]
    client = viewer_client(world["member_a"])
    html = client.get(year_url(world)).content.decode()
    assert studies["shared_public"].title in html
    assert studies["requested"].title in html
    assert studies["not_shared"].title not in html
    assert studies["member_b"].title not in html
    detail = client.get(
        reverse("member:case_study", args=[studies["shared_public"].pk])
    )
    assert detail.status_code == 200
    assert "PRIVATE STORY naming Jo Bloggs" in detail.content.decode()
    for hidden in ("not_shared", "member_b", "unapproved_return"):
        url = reverse("member:case_study", args=[studies[hidden].pk])
        assert client.get(url).status_code == 404, hidden
    b_client = viewer_client(world["member_b"])
    html_b = b_client.get(year_url(world)).content.decode()
    assert studies["member_b"].title in html_b
    assert studies["unapproved_return"].title not in html_b


def test_an_erased_case_study_is_not_shown(world):
    study = world["studies"]["shared_public"]
    study.erased_at = study.created_at
    study.save()
    client = viewer_client(world["member_a"])
    assert study.title not in client.get(year_url(world)).content.decode()
    url = reverse("member:case_study", args=[study.pk])
    assert client.get(url).status_code == 404


def test_a_viewer_of_two_members_switches_between_them(world):
    client = viewer_client(world["member_a"], world["member_b"])
    first = client.get(year_url(world)).content.decode()
    assert "Aire College" in first and "C-2" in first  # first by name: Aire College
    response = client.post(reverse("member:switch"), {"member": world["member_a"].pk})
    assert response.status_code == 302
    assert client.session[SESSION_MEMBER_KEY] == world["member_a"].pk
    after = client.get(year_url(world)).content.decode()
    assert '<h1 class="govuk-heading-l">Hollins Homes</h1>' in after
    assert "C-4" in after and "C-3" not in after


def test_switching_to_a_member_one_does_not_view_is_refused(world):
    client = viewer_client(world["member_a"])
    response = client.post(reverse("member:switch"), {"member": world["member_b"].pk})
    assert response.status_code == 404
    html = client.get(year_url(world)).content.decode()
    assert "Hollins Homes" in html and "C-3" not in html


def test_home_shows_the_latest_year_with_lines(world):
    html = viewer_client(world["member_a"]).get(reverse("member:home")).content
    assert "2024/25" in html.decode()


def test_export_is_an_xlsx_of_the_members_contracts(world):
    client = viewer_client(world["member_a"])
    response = client.get(reverse("member:export", args=[world["this"].slug]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[:4] == ("Year", "Contract", "Title", "Supplier")
    # Trailing empty cells are not stored: pad each row to the header.
    by_reference = {
        row[1]: dict(zip(header, row + (None,) * (len(header) - len(row)), strict=True))
        for row in body
    }
    assert set(by_reference) == {"C-1", "C-4"}
    c1 = by_reference["C-1"]
    assert (c1["Target credits"], c1["Credits delivered"], c1["Shortfall"]) == (
        25,
        20,
        5,
    )
    assert c1["Target to date"] == 45 and c1["Employment opportunities"] == 8
    c4 = by_reference["C-4"]
    assert c4["Status"] == "Not yet submitted"
    assert c4["Target credits"] is None and c4["Credits delivered"] is None


def _grow(member, year, count):
    supplier = factories.SupplierFactory()
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier, year=year, status=AnnualReturn.Status.APPROVED
    )
    for _ in range(count):
        line = factories.ReturnLineFactory(
            annual_return=annual_return, contract__member=member
        )
        factories.ReturnEntryFactory(line=line)
        factories.CaseStudyFactory(line=line, share_with_member=True)
    factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        contract__member=member,
    )


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("route", ["member:year", "member:export"])
def test_member_pages_make_the_same_queries_at_two_sizes(route):
    year = factories.ReportingYearFactory(first_year=2024)
    small, large = factories.MemberFactory(), factories.MemberFactory()
    _grow(small, year, 3)
    _grow(large, year, 30)
    counts = []
    for member in (small, large):
        client = viewer_client(member)
        url = reverse(route, args=[year.slug])
        counts.append(_count_queries(client, url, None))
    assert counts[0] == counts[1], counts
    # Session, user, groups, access; the member's members (once: the switcher's
    # list gives the current one) and years (the URL's year is among them); then
    # the page's figures.
    assert counts[0] == {"member:year": 17, "member:export": 16}[route], counts


def test_member_figures_agree_with_the_shortfall_pages_selectors(world):
    from returns import figures

    for member in (world["member_a"], world["member_b"]):
        page = reports.member_year(member=member, year=world["this"])
        lines = figures.reported_lines(year=world["this"]).filter(member=member)
        (row,) = figures.shortfall_by("member", lines=lines)
        assert (row.target, row.delivered, row.shortfall) == (
            page.totals["target"],
            page.totals["delivered"],
            page.totals["shortfall"],
        )
        # The team's own page counts the same delivered credits for the member.
        team = {
            r.key: r
            for r in figures.shortfall_by(
                "member", lines=figures.shortfall_lines(year=world["this"])
            )
        }
        assert team[member.pk].delivered == page.totals["delivered"]
