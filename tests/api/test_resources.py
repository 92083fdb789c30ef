"""The API's resources on the hand-built impact world (tests/returns/impact_world.py):
scoped exactly as the pages are, with the pages' figures."""

import json

import pytest
from django.utils import timezone

from returns import figures
from returns.selectors import reports
from returns.services.reports import report_publish
from tests import factories
from tests.api.helpers import api_get, secret_for
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def world():
    return build_impact_world()


@pytest.fixture
def member_a_secret(world):
    viewer = factories.MemberViewerFactory(member=world["member_a"])
    return secret_for(viewer.user, member=world["member_a"])


@pytest.fixture
def member_b_secret(world):
    viewer = factories.MemberViewerFactory(member=world["member_b"])
    return secret_for(viewer.user, member=world["member_b"])


@pytest.fixture
def acme_secret(world):
    acme = world["suppliers"]["acme"]
    contact = factories.SupplierContactFactory(supplier=acme)
    return secret_for(contact.user, supplier=acme)


@pytest.fixture
def team_secret(world):
    return secret_for(factories.TeamUserFactory(), team=True)


def _all(url, secret):
    rows, pages = [], 0
    while url:
        response = api_get(url, secret)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
        pages += 1
    return rows, pages


def test_a_members_token_lists_the_contracts_its_pages_show(world, member_a_secret):
    rows, _ = _all("/api/v1/contracts/", member_a_secret)
    assert [row["reference"] for row in rows] == ["C-1", "C-2", "C-4"]
    c2 = next(row for row in rows if row["reference"] == "C-2")
    # Member by year: C-2 was member A's in 2023/24 only (then re-assigned to B).
    assert [(y["year"], y["member"]["name"]) for y in c2["by_year"]] == [
        ("2023/24", "Hollins Homes")
    ]
    this_year, _ = _all("/api/v1/contracts/?year=2024-25", member_a_secret)
    assert [row["reference"] for row in this_year] == ["C-1", "C-4"]


def test_cursor_pages_follow_on(world, member_a_secret):
    rows, pages = _all("/api/v1/contracts/?page_size=1", member_a_secret)
    assert [row["reference"] for row in rows] == ["C-1", "C-2", "C-4"]
    assert pages == 3
    bad = api_get("/api/v1/contracts/?cursor=bz1hYmM=", member_a_secret)
    assert bad.status_code == 404 and bad["Content-Type"] == PROBLEM


def test_another_organisations_contract_is_not_found(
    world, member_a_secret, acme_secret
):
    c3 = world["contracts"]["C-3"]  # member B's, Brick's
    for secret in (member_a_secret, acme_secret):
        for suffix in ("", "figures/"):
            response = api_get(f"/api/v1/contracts/{c3.pk}/{suffix}", secret)
            assert response.status_code == 404
            assert response["Content-Type"] == PROBLEM
            assert response.json()["status"] == 404


def test_the_year_figures_equal_the_member_page(world, member_a_secret):
    """One figure definition: the API's rows are the member page's rows."""
    page = reports.member_year(member=world["member_a"], year=world["this"])
    rows, _ = _all("/api/v1/years/2024-25/contract-figures/", member_a_secret)
    assert [row["reference"] for row in rows] == [row.reference for row in page.rows]
    for api_row, page_row in zip(rows, page.rows, strict=True):
        assert api_row["approved"] == page_row.approved
        assert api_row["status_label"] == page_row.status_label
        for key in (
            "spend",
            "target",
            "delivered",
            "shortfall",
            "employment_opportunities",
        ):
            expected = getattr(page_row, key)
            assert api_row[key] == (None if expected is None else f"{expected:.2f}"), (
                key
            )
        if page_row.to_date:
            assert api_row["to_date"]["target"] == f"{page_row.to_date.target:.2f}"
            assert (
                api_row["to_date"]["delivered"] == f"{page_row.to_date.delivered:.2f}"
            )
            assert api_row["to_date"]["years"] == page_row.to_date.years
        else:
            assert api_row["to_date"] is None
        assert api_row["quantities"] == {
            code: f"{q:.2f}" for code, q in page_row.quantities.items()
        }
    c1 = rows[0]
    assert (c1["reference"], c1["target"], c1["delivered"]) == ("C-1", "25.00", "20.00")
    assert c1["to_date"]["delivered"] == "38.00"  # 18 + 20, both approved years
    c4 = rows[1]
    assert (c4["reference"], c4["delivered"], c4["status_label"]) == (
        "C-4",
        None,
        "Not yet submitted",
    )


def test_a_contracts_figures_by_year_and_to_date_while_it_has_been_yours(
    world, member_a_secret, member_b_secret, team_secret
):
    c2 = world["contracts"]["C-2"]
    url = f"/api/v1/contracts/{c2.pk}/figures/"
    a = api_get(url, member_a_secret).json()
    assert [(y["year"], y["delivered"]) for y in a["years"]] == [("2023/24", "12.00")]
    assert a["to_date"]["delivered"] == "12.00" and a["to_date"]["years"] == 1
    b = api_get(url, member_b_secret).json()
    assert [(y["year"], y["delivered"]) for y in b["years"]] == [("2024/25", "16.00")]
    team = api_get(url, team_secret).json()
    life = figures.contract_to_date(contract_id=c2.pk)
    assert team["to_date"]["delivered"] == f"{life.delivered:.2f}" == "28.00"
    assert team["to_date"]["target"] == f"{life.target:.2f}"


def test_figures_carry_an_etag_and_answer_304_when_unchanged(world, member_a_secret):
    url = f"/api/v1/contracts/{world['contracts']['C-1'].pk}/figures/"
    first = api_get(url, member_a_secret)
    etag = first["ETag"]
    again = api_get(url, member_a_secret, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = api_get(url, member_a_secret, **{"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_bad_filter_values_are_400_problems_naming_the_value(world, member_a_secret):
    for query, field in (
        ("year=2024", "year"),
        ("year=2031-32", "year"),
        ("member=abc", "member"),
        ("member=" + "9" * 40, "member"),
        ("framework=-1", "framework"),
        ("supplier=%00", "supplier"),
    ):
        response = api_get(f"/api/v1/contracts/?{query}", member_a_secret)
        assert response.status_code == 400, query
        assert response["Content-Type"] == PROBLEM
        assert field in response.json()["errors"], query


def test_filters_narrow_the_team_list(world, team_secret):
    acme = world["suppliers"]["acme"]
    rows, _ = _all(f"/api/v1/contracts/?supplier={acme.pk}&year=2024-25", team_secret)
    assert [row["reference"] for row in rows] == ["C-1", "C-2"]  # C-5 is excluded
    member_b = world["member_b"]
    rows, _ = _all(f"/api/v1/contracts/?member={member_b.pk}", team_secret)
    assert [row["reference"] for row in rows] == ["C-2", "C-3"]


def test_returns_are_the_suppliers_own_and_never_a_members(
    world, acme_secret, member_a_secret, team_secret
):
    rows, _ = _all("/api/v1/returns/", acme_secret)
    assert {row["supplier"]["name"] for row in rows} == {"Acme Build Ltd"}
    assert {row["status"] for row in rows} == {"approved"}
    assert api_get("/api/v1/returns/", member_a_secret).status_code == 403
    everything, _ = _all("/api/v1/returns/?year=2024-25", team_secret)
    assert len(everything) == 3


def test_completion_is_the_teams_only_and_the_pages_figures(
    world, team_secret, acme_secret, member_a_secret
):
    url = "/api/v1/years/2024-25/completion/"
    assert api_get(url, acme_secret).status_code == 403
    assert api_get(url, member_a_secret).status_code == 403
    assert api_get(url).status_code == 401
    data = api_get(url, team_secret).json()
    expected = figures.completion(year=world["this"], today=timezone.localdate())
    for key in ("expected", "submitted", "on_time", "approved", "overdue"):
        assert data["totals"][key] == expected[key]


def test_the_report_figures_need_no_token_once_published(world):
    url = "/api/v1/reports/2024-25/"
    assert api_get(url).status_code == 404
    report_publish(
        year=world["this"], acting_user=factories.TeamUserFactory(), confirmed=True
    )
    response = api_get(url)
    assert response.status_code == 200
    report = reports.impact_report(year=world["this"])
    data = response.json()
    assert data["totals"]["delivered"] == f"{report.totals['delivered']:.2f}"
    assert data["outcomes"][0]["quantity"] == f"{report.outcomes[0].quantity:.2f}"
    by_member = next(b for b in data["breakdowns"] if b["group"] == "member")
    assert [r["name"] for r in by_member["rows"]] == ["Aire College", "Hollins Homes"]


def test_years_and_measures(world, member_a_secret):
    years = api_get("/api/v1/years/", member_a_secret).json()["results"]
    assert [y["label"] for y in years] == ["2024/25", "2023/24"]
    measures = api_get("/api/v1/years/2024-25/measures/", member_a_secret).json()
    trn = next(m for m in measures["results"] if m["code"] == "TRN")
    assert trn["proxy_value"] == "100.00"
    assert (
        api_get("/api/v1/years/2031-32/measures/", member_a_secret).status_code == 404
    )


def test_the_year_listing_takes_constant_queries(
    world, member_a_secret, django_assert_max_num_queries
):
    for n in range(6):
        factories.ReturnLineFactory(
            annual_return__year=world["this"],
            annual_return__status="approved",
            contract__member=world["member_a"],
            contract__reference=f"Z-{n}",
        )
    url = "/api/v1/years/2024-25/contract-figures/"
    with django_assert_max_num_queries(20) as small:
        two = api_get(url + "?page_size=2", member_a_secret)
    with django_assert_max_num_queries(20) as large:
        eight = api_get(url + "?page_size=8", member_a_secret)
    assert two.status_code == eight.status_code == 200
    assert len(two.json()["results"]) == 2
    assert len(eight.json()["results"]) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_cursor_whose_position_holds_a_nul_is_not_found(world, member_a_secret):
    import base64

    cursor = base64.b64encode(b"p=%00x").decode()
    response = api_get(f"/api/v1/contracts/?cursor={cursor}", member_a_secret)
    assert response.status_code == 404


def test_an_unknown_api_path_or_method_is_a_problem_too(world, member_a_secret):
    from django.test import Client

    response = api_get("/api/v1/no-such-thing/", member_a_secret)
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    posted = Client().post(
        "/api/v1/years/", headers={"Authorization": f"Bearer {member_a_secret}"}
    )
    assert posted.status_code == 405 and posted["Content-Type"] == PROBLEM


@pytest.mark.parametrize("url", ["/api/v1/contracts/", "/api/v1/returns/"])
def test_the_lists_take_constant_queries(
    world, team_secret, url, django_assert_max_num_queries
):
    for n in range(6):
        factories.ReturnLineFactory(
            annual_return__year=world["this"], contract__reference=f"Z-{n}"
        )
    with django_assert_max_num_queries(20) as small:
        api_get(url + "?page_size=2", team_secret)
    with django_assert_max_num_queries(20) as large:
        api_get(url + "?page_size=9", team_secret)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_members_token_never_learns_a_return_was_sent_back(world, member_a_secret):
    """C-4's return is with its supplier for amendment: the member's page says "Not
    yet submitted", and so does the API."""
    c4 = world["contracts"]["C-4"]
    detail = api_get(f"/api/v1/contracts/{c4.pk}/", member_a_secret).json()
    assert [y["return_status"] for y in detail["by_year"]] == ["not_yet_submitted"]
    figures_ = api_get(f"/api/v1/contracts/{c4.pk}/figures/", member_a_secret).json()
    assert figures_["years"][0]["status"] == "not_yet_submitted"
    rows = api_get("/api/v1/years/2024-25/contract-figures/", member_a_secret).json()
    assert "returned" not in json.dumps(rows)
