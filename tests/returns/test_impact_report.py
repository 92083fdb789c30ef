"""The annual impact report on the hand-built pair of years (tests/returns/impact_world.py),
every figure checked against values worked out by hand; publishing; the public page."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from returns import events, figures
from returns.models import AnnualReturn, YearEvent
from returns.selectors import reports
from returns.services.confirmation import ConfirmationNeeded
from returns.services.reports import report_publish, report_unpublish
from tests import factories
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_impact_world()


@pytest.fixture
def report(world):
    return reports.impact_report(year=world["this"])


def outcome(report, label):
    return next(o for o in report.outcomes if o.label == label)


def test_headline_is_the_sum_of_its_five_measures_against_last_year(report):
    # 2024/25: EMP-FT 3 + EMP-PT 2 + EMP-SUS (2 + 4) + APP-NEW 1 + APP-SUS 0 = 12
    # 2023/24: EMP-FT (2 + 1) + EMP-PT 1 + EMP-SUS 3 + APP-NEW 1 + APP-SUS 2 = 10
    headline = report.headline
    assert headline.label == "Employment opportunities"
    assert (headline.quantity, headline.last_year) == (D("12"), D("10"))
    assert (headline.change, headline.change_percent) == (D("2"), D("20"))
    parts = ["full-time", "part-time", "Jobs sustained"]
    parts += ["Apprenticeships started", "Apprenticeships sustained"]
    assert sum(outcome(report, p).quantity for p in parts) == headline.quantity


@pytest.mark.parametrize(
    "label, this, last",
    [
        ("Jobs created", "5", "4"),
        ("full-time", "3", "3"),
        ("part-time", "2", "1"),
        ("Jobs sustained", "6", "3"),
        ("Apprenticeships started", "1", "1"),
        ("Apprenticeships sustained", "0", "2"),
        ("People trained", "12", "10"),
        ("Work experience placements", "0", "4"),
        ("People given careers advice, mentoring or employability support", "0", "25"),
        ("Volunteering", "20", "40.5"),
        ("Cash donations", "0", "500"),
        ("In-kind donations", "1200.50", "0"),
        ("Community projects", "0", "1"),
    ],
)
def test_every_outcome_counts_approved_returns_only(report, label, this, last):
    # C-3 (submitted: EMP-FT 9), C-4 (sent back: EMP-FT 7) and the excluded C-5
    # (EMP-FT 50) count nowhere.
    found = outcome(report, label)
    assert (found.quantity, found.last_year) == (D(this), D(last))
    assert found.change == D(this) - D(last)


def test_credits_against_target_count_approved_returns_only(report):
    # 2024/25 approved: C-1 25/20, C-2 15/16. 2023/24: C-1 20/18, C-2 10/12, C-3 30/35.
    assert (report.totals["target"], report.totals["delivered"]) == (
        D("40.00"),
        D("36.00"),
    )
    assert report.totals["shortfall"] == D("5.00")  # C-1's 5; C-2 over-delivered
    assert (report.last_totals["target"], report.last_totals["delivered"]) == (
        D("60.00"),
        D("65.00"),
    )
    assert report.credits.change == D("-29.00")
    assert report.credits_percent == 90
    assert (report.returns_approved, report.returns_expected) == (1, 3)


def test_social_value_only_for_proxies_and_pounds(report):
    rows = {row.code: row for row in report.social_value}
    # TRN has a proxy of £100 for 2024/25: 12 × 100. Pounds count as pounds.
    assert rows["TRN"].value == D("1200.00")
    assert rows["DON-KIND"].value == D("1200.50")
    assert rows["DON-KIND"].proxy_value is None
    assert set(rows) == {"TRN", "DON-CASH", "DON-KIND", "SUP-LOC", "SUP-SME"}
    assert report.social_value_total == D("2400.50")
    assert report.last_social_value_total == D("500.00")  # DON-CASH only, no proxies


def _rows(report, group):
    return {
        row.name: (
            row.lines,
            row.target,
            row.delivered,
            row.shortfall,
            row.employment_opportunities,
        )
        for row in report.breakdown(group).rows
    }


def test_breakdowns_by_framework_member_and_place(report):
    c1 = (1, D("25.00"), D("20.00"), D("5.00"), D("8"))
    c2 = (1, D("15.00"), D("16.00"), D("0.00"), D("4"))
    assert _rows(report, "framework") == {"Building Works": c1, "Property Services": c2}
    assert _rows(report, "member") == {"Hollins Homes": c1, "Aire College": c2}
    assert _rows(report, "local_authority") == {"Manchester": c1, "Leeds": c2}
    assert _rows(report, "region") == {
        "North West": c1,
        "Yorkshire and The Humber": c2,
    }


def test_the_reassigned_contract_stays_with_its_old_member_in_the_past_year(world):
    last = reports.impact_report(year=world["last"])
    # 2023/24: A had C-1 (20/18) and C-2 (10/12); B had C-3 (30/35).
    assert _rows(last, "member") == {
        "Hollins Homes": (2, D("30.00"), D("30.00"), D("2.00"), D("7")),
        "Aire College": (1, D("30.00"), D("35.00"), D("0.00"), D("3")),
    }


def test_member_pages_the_report_and_the_shortfall_selectors_agree(world, report):
    by_member = {row.name: row for row in report.breakdown("member").rows}
    team_rows = {
        row.name: row
        for row in figures.shortfall_by(
            "member", lines=figures.shortfall_lines(year=world["this"])
        )
    }
    for member in (world["member_a"], world["member_b"]):
        page = reports.member_year(member=member, year=world["this"])
        row = by_member[member.name]
        assert (row.target, row.delivered, row.shortfall) == (
            page.totals["target"],
            page.totals["delivered"],
            page.totals["shortfall"],
        )
        assert row.employment_opportunities == page.outcomes[0].quantity
        assert row.delivered == team_rows[member.name].delivered
    assert sum(r.delivered for r in by_member.values()) == report.totals["delivered"]


def test_public_case_studies_are_approved_public_text_on_approved_returns(report):
    assert [s.public_title for s in report.case_studies] == [
        "An apprentice joins the site team"
    ]


def test_publishing_records_an_event_and_taking_down_another(world, team_user):
    year = world["this"]
    with pytest.raises(ConfirmationNeeded) as needed:  # not every return approved
        report_publish(year=year, acting_user=team_user)
    year.refresh_from_db()
    assert year.report_published_at is None
    assert not YearEvent.objects.filter(year=year).exists()
    report_publish(year=year, acting_user=team_user, confirmed=True)
    year.refresh_from_db()
    assert year.report_published_at is not None
    report_publish(year=year, acting_user=team_user)  # again: nothing more
    report_unpublish(year=year, acting_user=team_user, reason="A figure was wrong")
    year.refresh_from_db()
    assert year.report_published_at is None
    assert list(
        YearEvent.objects.filter(year=year).values_list("kind", "actor", "comment")
    ) == [
        (events.REPORT_PUBLISHED, team_user.pk, f"Confirmed: {needed.value}"),
        (events.REPORT_UNPUBLISHED, team_user.pk, "A figure was wrong"),
    ]


def test_the_public_report_is_404_until_published_and_after_taken_down(
    world, team_client
):
    url = reverse("impact:report", args=[world["this"].slug])
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    assert (
        anonymous.get(reverse("impact:export", args=[world["this"].slug])).status_code
        == 404
    )
    publish = reverse("team:report_publish", args=[world["this"].slug])
    assert team_client.post(publish, {"action": "publish"}).status_code == 409
    assert anonymous.get(url).status_code == 404  # not without confirming
    confirm = {"action": "publish", "confirm": "yes"}
    assert team_client.post(publish, confirm).status_code == 302
    assert anonymous.get(url).status_code == 200
    assert (
        world["this"].label in anonymous.get(reverse("impact:index")).content.decode()
    )
    team_client.post(publish, {"action": "unpublish"})
    assert anonymous.get(url).status_code == 404


def test_the_public_report_shows_no_personal_data_and_nothing_unapproved(
    world, team_user
):
    viewer = factories.MemberViewerFactory(member=world["member_a"])
    report_publish(year=world["this"], acting_user=team_user, confirmed=True)
    html = Client().get(reverse("impact:report", args=[world["this"].slug]))
    text = html.content.decode()
    assert "An apprentice joins the site team" in text
    assert "A young person from Moss Side" in text
    for hidden in (
        "PRIVATE STORY",
        "Jo Bloggs",
        "Private title",
        "UNSHARED STORY",
        "REQUESTED PUBLIC",
        "SUBMITTED PUBLIC",
        viewer.user.email,
        team_user.email,
        # No commercial per-supplier figures: suppliers are not named.
        "Acme Build Ltd",
        "Brick and Co Ltd",
        "Cobalt Services Ltd",
    ):
        assert hidden not in text, hidden
    assert '<span class="app-headline__figure">12</span>' in text  # the headline


def test_the_team_report_page_and_the_xlsx(world, team_client):
    page = team_client.get(reverse("team:report", args=[world["this"].slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Publish this report" in text
    # The team also sees the all-lines figures the shortfall page shows: target
    # 25 + 15 + 30 + 12 = 82, awaiting review 40 (C-3).
    assert "82.00" in text and "40.00 awaiting review" in text
    response = team_client.get(reverse("team:report_export", args=[world["this"].slug]))
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:3] == ["Headlines", "Social value", "By framework"]
    headlines = {row[0]: row for row in book["Headlines"].iter_rows(values_only=True)}
    assert headlines["Employment opportunities"][2:5] == (12, 10, 2)
    regions = list(book["By region"].iter_rows(values_only=True))
    assert regions[1][0] == "North West" and regions[1][3] == 20


def _grow(year, last_year, count):
    for y in (year, last_year):
        annual_return = factories.AnnualReturnFactory(
            year=y, status=AnnualReturn.Status.APPROVED
        )
        for index in range(count):
            line = factories.ReturnLineFactory(
                annual_return=annual_return,
                local_authority=factories.local_authority(
                    "E08000003" if index % 2 else "E08000035"
                ),
            )
            factories.ReturnEntryFactory(line=line)
            factories.CaseStudyFactory(
                line=line,
                publication="approved",
                public_title=f"Public {index}",
                public_story="Story.",
            )


def test_report_pages_make_the_same_queries_at_two_sizes(team_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (3, 30):
        year = factories.ReportingYearFactory(first_year=2000 + size)
        last_year = factories.ReportingYearFactory(first_year=1999 + size)
        _grow(year, last_year, size)
        report_publish(
            year=year, acting_user=factories.TeamUserFactory(), confirmed=True
        )
        for name, client in (("team:report", team_client), ("impact:report", Client())):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse(name, args=[year.slug])).status_code == 200
            counts.setdefault(name, []).append(len(captured))
    for name, (small, large) in counts.items():
        assert small == large, (name, small, large)
        assert small <= 40, (name, small)
