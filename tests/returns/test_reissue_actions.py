"""What a re-issue listed for submitted and approved returns, and the team's actions:
send back (or, for an approved return, an administrator reopens) with the changed
spend explained; exclude a line that no longer qualifies.

The issue run's summary is written here in the shape `returns.services.issuing` gives
it ("locked_changes", "locked_additions", "no_longer_qualifying")."""

import pytest
from django.urls import reverse

from returns.models import AnnualReturn, IssueRun
from returns.selectors import review as review_selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    year = factories.ReportingYearFactory(first_year=2024)
    submitted = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
        contract__reference="C-1",
    ).annual_return
    approved = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.APPROVED,
        contract__reference="C-2",
    ).annual_return
    gone = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
        contract__reference="C-3",
    )
    summary = {
        "locked_changes": [
            {
                "return": submitted.reference,
                "status": "submitted",
                "contract": "C-1",
                "old_spend": "120000.00",
                "new_spend": "200000.00",
                "old_target": "12.00",
                "new_target": "20.00",
            }
        ],
        "locked_additions": [
            {
                "return": approved.reference,
                "status": "approved",
                "contract": "C-9",
                "spend": "150000.00",
                "target": "15.00",
            }
        ],
        "no_longer_qualifying": [
            {
                "return": gone.annual_return.reference,
                "status": "in_progress",
                "contract": "C-3",
                "spend": "150000.00",
                "new_spend": "90000.00",
            }
        ],
    }
    IssueRun.objects.create(
        year=year, dry_run=False, status=IssueRun.Status.SUCCEEDED, summary=summary
    )
    IssueRun.objects.create(  # a later dry run is not what was issued
        year=year, dry_run=True, status=IssueRun.Status.SUCCEEDED, summary={}
    )
    return {
        "year": year,
        "submitted": submitted,
        "approved": approved,
        "gone": gone,
    }


def test_the_flags_are_grouped_by_return_with_an_explanation(world):
    run, flagged = review_selectors.reissue_flags(year=world["year"])
    assert run.dry_run is False
    by_reference = {entry.reference: entry for entry in flagged}
    entry = by_reference[world["submitted"].reference]
    assert entry.annual_return == world["submitted"]
    assert entry.reason.startswith(
        "The spend on contract C-1 in 2024/25 was corrected from £120,000.00 to "
        "£200,000.00, so its target changes from 12.00 to 20.00 credits."
    )
    added = by_reference[world["approved"].reference]
    assert "Contract C-9 now qualifies for 2024/25" in added.reason
    gone = by_reference[world["gone"].annual_return.reference].items[0]
    assert gone.line_id == world["gone"].pk


def test_the_page_offers_the_right_action_for_each_return(
    world, team_client, admin_client_portal
):
    page = team_client.get(
        reverse("team:review_reissue"), {"year": "2024-25"}
    ).content.decode()
    send_back = reverse("team:review_send_back", args=[world["submitted"].reference])
    assert f"{send_back}?reissue=1" in page
    assert "An administrator must reopen it" in page
    exclude = reverse(
        "team:review_line_exclude",
        args=[world["gone"].annual_return.reference, world["gone"].pk],
    )
    assert exclude in page
    page = admin_client_portal.get(
        reverse("team:review_reissue"), {"year": "2024-25"}
    ).content.decode()
    reopen = reverse("team:review_reopen", args=[world["approved"].reference])
    assert f"{reopen}?reissue=1" in page


def test_sending_back_from_the_list_prefills_the_explanation(world, team_client):
    url = reverse("team:review_send_back", args=[world["submitted"].reference])
    response = team_client.get(url, {"reissue": "1"})
    reason = response.context["form"]["reason"].value()
    assert "corrected from £120,000.00 to £200,000.00" in reason
    response = team_client.post(url, {"reason": reason})
    assert response.status_code == 302
    world["submitted"].refresh_from_db()
    assert world["submitted"].status == AnnualReturn.Status.RETURNED
    assert world["submitted"].returned_reason == reason


def test_a_year_never_issued_lists_nothing(team_client):
    factories.ReportingYearFactory(first_year=2030)
    response = team_client.get(reverse("team:review_reissue"), {"year": "2030-31"})
    assert response.status_code == 200
    assert "has not been issued yet" in response.content.decode()
