"""The team's review pages: the desk list, the review page, and the forms behind the
approve, send back, reopen, exclude and include buttons."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns import events
from returns.figures.changes import big_change_count
from returns.models import AnnualReturn, ReturnEvent
from returns.selectors import review as review_selectors
from returns.services import line_save, return_submit
from returns.services.review import REASON_REQUIRED, return_send_back
from tests import factories

pytestmark = pytest.mark.django_db

SUBMITTED = AnnualReturn.Status.SUBMITTED


@pytest.fixture
def contact():
    return factories.SupplierContactFactory(is_primary=True)


def _submitted_return(contact, *, lines=2):
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    for n in range(lines):
        line = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=f"{annual_return.reference}-C{n}",
            target_credits=D("10"),
        )
        line_save(
            line=line, user=contact.user, expected_version=1, quantities={"EMP-FT": "1"}
        )
    # The same people figure on 3+ contracts is flagged (issue 23): explained.
    factories.explain_flags(annual_return)
    return return_submit(
        annual_return=annual_return,
        user=contact.user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )


def test_the_desk_lists_submitted_returns_only(contact, team_client):
    waiting = _submitted_return(contact)
    factories.AnnualReturnFactory(status=AnnualReturn.Status.APPROVED)
    factories.AnnualReturnFactory(status=AnnualReturn.Status.IN_PROGRESS)
    response = team_client.get(reverse("team:review_list"))
    rows = response.context["rows"]
    assert [r.reference for r, *_ in rows] == [waiting.reference]
    assert rows[0][1]["target"] == D("20.00")
    assert waiting.reference in response.content.decode()


def test_the_review_page_shows_lines_against_target_and_big_changes(
    contact, team_client
):
    annual_return = _submitted_return(contact)
    line = annual_return.lines.first()
    factories.DeliveryPlanItemFactory(
        contract=line.contract,
        measure=factories.measure("EMP-FT"),
        committed_quantity=D("40"),
    )
    response = team_client.get(
        reverse("team:review_detail", args=[annual_return.reference])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Approve this return" in page
    assert "Send back for amendment" in page
    assert "Far from plan" in page  # 1 against a share of 40 over the contract
    assert response.context["big_changes"] == 1
    # The page and the queue's stored count follow the one rule.
    assert big_change_count(annual_return=annual_return) == 1
    assert response.context["target"] == D("20.00")


def test_approving_from_the_page(
    contact, team_client, django_capture_on_commit_callbacks
):
    annual_return = _submitted_return(contact)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            reverse("team:review_approve", args=[annual_return.reference]),
            {"comment": "All checked against the valuations"},
        )
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.APPROVED
    event = ReturnEvent.objects.get(annual_return=annual_return, kind=events.APPROVED)
    assert event.comment == "All checked against the valuations"
    assert len(mail.outbox) == 1


def test_sending_back_from_the_page_needs_a_reason(contact, team_client):
    annual_return = _submitted_return(contact)
    url = reverse("team:review_send_back", args=[annual_return.reference])
    response = team_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert REASON_REQUIRED in response.content.decode()
    annual_return.refresh_from_db()
    assert annual_return.status == SUBMITTED
    line = annual_return.lines.first()
    response = team_client.post(
        url, {"reason": "Please check", f"line_{line.pk}": "This one"}
    )
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.RETURNED
    assert review_selectors.line_comments(annual_return=annual_return) == {
        line.pk: "This one"
    }


def test_the_team_cannot_reopen_but_an_administrator_can(
    contact, team_client, admin_client_portal, team_user
):
    annual_return = _submitted_return(contact)
    team_client.post(reverse("team:review_approve", args=[annual_return.reference]))
    url = reverse("team:review_reopen", args=[annual_return.reference])
    assert team_client.get(url).status_code == 403
    assert team_client.post(url, {"reason": "x"}).status_code == 403
    response = admin_client_portal.post(url, {"reason": "Valuation corrected"})
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.RETURNED


def test_excluding_and_including_a_line_from_the_page(contact, team_client):
    annual_return = _submitted_return(contact)
    line = annual_return.lines.first()
    url = reverse("team:review_line_exclude", args=[annual_return.reference, line.pk])
    assert "Enter the reason" in team_client.post(url, {"reason": ""}).content.decode()
    assert team_client.post(url, {"reason": "Novated"}).status_code == 302
    line.refresh_from_db()
    assert line.is_excluded
    url = reverse("team:review_line_include", args=[annual_return.reference, line.pk])
    assert team_client.post(url, {"reason": "Back"}).status_code == 302
    line.refresh_from_db()
    assert not line.is_excluded


def test_a_line_of_another_return_is_not_found(contact, team_client):
    annual_return = _submitted_return(contact)
    stranger = factories.ReturnLineFactory()
    url = reverse(
        "team:review_line_exclude", args=[annual_return.reference, stranger.pk]
    )
    assert team_client.get(url).status_code == 404


def test_suppliers_cannot_reach_the_review_pages(contact, supplier_client):
    annual_return = _submitted_return(contact)
    for name in ("team:review_detail", "team:review_send_back"):
        url = reverse(name, args=[annual_return.reference])
        assert supplier_client.get(url).status_code == 403
    response = supplier_client.post(
        reverse("team:review_approve", args=[annual_return.reference])
    )
    assert response.status_code == 403


def test_what_changed_since_the_last_submission(contact, team_user, team_client):
    annual_return = _submitted_return(contact)
    return_send_back(annual_return=annual_return, user=team_user, reason="Check")
    line = annual_return.lines.order_by("contract__reference").first()
    line_save(
        line=line,
        user=contact.user,
        expected_version=line.version,
        quantities={"EMP-FT": "3", "VOL": "12.5"},
    )
    factories.explain_flags(annual_return)
    return_submit(
        annual_return=annual_return,
        user=contact.user,
        declared_by_name="A",
        declared_own_figures=True,
    )
    changes = review_selectors.submission_changes(annual_return=annual_return)
    assert [c.contract for c in changes.lines] == [line.contract.reference]
    figures = {what: (was, now) for what, was, now in changes.lines[0].figures}
    assert figures["Jobs created, full-time (EMP-FT)"] == ("1.00", "3.00")
    assert figures["Delivered credits"][0] == "10.00"
    assert any(
        what.endswith("(VOL)") and was == "none" for what, (was, _) in figures.items()
    )
    line.refresh_from_db()
    assert changes.delivered_before == "20.00"
    assert changes.delivered_now == str(D("10.00") + line.delivered_credits)
    page = team_client.get(
        reverse("team:review_detail", args=[annual_return.reference])
    ).content.decode()
    assert "What changed since the last submission" in page


def test_a_first_submission_has_no_changes(contact):
    annual_return = _submitted_return(contact)
    assert review_selectors.submission_changes(annual_return=annual_return) is None


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_desk_list_and_review_page_keep_their_query_counts(contact, team_client):
    small = _submitted_return(contact, lines=2)
    list_url = reverse("team:review_list")
    small_counts = (
        _count(team_client, list_url),
        _count(team_client, reverse("team:review_detail", args=[small.reference])),
    )
    for _ in range(9):
        _submitted_return(factories.SupplierContactFactory(), lines=2)
    large = _submitted_return(factories.SupplierContactFactory(), lines=20)
    for line in large.lines.all()[:5]:
        factories.DeliveryPlanItemFactory(contract=line.contract)
    large_counts = (
        _count(team_client, list_url),
        _count(team_client, reverse("team:review_detail", args=[large.reference])),
    )
    assert small_counts == large_counts


def test_the_supplier_sees_the_reason_and_the_commented_line(contact, team_user):
    annual_return = _submitted_return(contact)
    line = annual_return.lines.order_by("contract__reference").last()
    return_send_back(
        annual_return=annual_return,
        user=team_user,
        reason="Your figures need a second look",
        line_comments={line.pk: "Check the jobs"},
    )
    client = Client()
    client.force_login(contact.user)
    page = client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    ).content.decode()
    assert "Your figures need a second look" in page
    assert page.count("There is a problem") == 1
    page = client.get(
        reverse("supplier:line", args=[annual_return.reference, line.pk])
    ).content.decode()
    assert "Check the jobs" in page
