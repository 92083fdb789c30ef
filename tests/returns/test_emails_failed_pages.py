"""The team's "Emails that failed" page, its count on the desk, and "Send again"."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from returns.models import Notification
from returns.selectors.emails import failed_email_count, failed_emails
from tests import factories

pytestmark = pytest.mark.django_db


def failed_for_good(*, annual_return=None, recipient=None, **fields) -> Notification:
    recipient = recipient or factories.UserFactory()
    return Notification.objects.create(
        recipient=recipient,
        annual_return=annual_return or factories.AnnualReturnFactory(),
        kind=Notification.Kind.APPROVED,
        address=recipient.email,
        status=Notification.Status.FAILED,
        attempts=6,
        failed_at=timezone.now(),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        **fields,
    )


def test_the_desk_shows_the_count_and_it_matches_the_list(team_client):
    for _ in range(3):
        failed_for_good()
    Notification.objects.create(  # failed once, will be tried again: not counted
        recipient=factories.UserFactory(),
        kind=Notification.Kind.INVITATION,
        key="inv1:a",
        status=Notification.Status.FAILED,
        attempts=1,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    Notification.objects.create(  # sent: not counted
        recipient=factories.UserFactory(), kind=Notification.Kind.RECEIPT, key="x"
    )
    assert failed_email_count() == failed_emails().count() == 3
    desk = team_client.get("/team/").context["desk"]
    assert desk.figure("failed_emails").count == 3
    page = team_client.get("/team/emails/failed/").content.decode()
    assert page.count("Send again</button>") == 3
    assert "1 more email failed and will be tried again" in page


def test_the_page_names_the_person_the_return_the_error_and_the_tries(team_client):
    person = factories.UserFactory(full_name="Pat Jones")
    annual_return = factories.AnnualReturnFactory()
    failed_for_good(annual_return=annual_return, recipient=person, refused=True)
    page = team_client.get("/team/emails/failed/").content.decode()
    assert "Pat Jones" in page and person.email in page
    assert annual_return.reference in page and annual_return.supplier.name in page
    assert "Connection unexpectedly closed" in page
    assert "Address refused" in page
    assert '<td class="govuk-table__cell">6</td>' in page


def test_send_again_from_the_page_sends_it(
    team_client, django_capture_on_commit_callbacks
):
    row = failed_for_good()
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(f"/team/emails/{row.pk}/send-again/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [row.recipient.email]
    page = team_client.get(response["Location"]).content.decode()
    assert "being sent again" in page
    assert "No email has failed for good." in page
    # Twice: refused with a message, nothing sent.
    response = team_client.post(f"/team/emails/{row.pk}/send-again/", follow=True)
    assert "Only an email that failed can be sent again." in response.content.decode()
    assert len(mail.outbox) == 1


def test_send_again_is_the_teams_only(supplier_client, member_client):
    row = failed_for_good()
    for client in (supplier_client, member_client):
        assert client.post(f"/team/emails/{row.pk}/send-again/").status_code == 403
    row.refresh_from_db()
    assert row.status == Notification.Status.FAILED


def test_an_unknown_or_huge_id_is_not_found(team_client):
    assert team_client.post("/team/emails/999999/send-again/").status_code == 404
    big = "9" * 30
    assert team_client.post(f"/team/emails/{big}/send-again/").status_code == 404
    assert team_client.get("/team/emails/failed/?page=x%00").status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_the_page_queries_do_not_grow_with_the_rows(
    team_client, rows, django_assert_num_queries
):
    for _ in range(rows):
        failed_for_good()
    team_client.get("/team/emails/failed/")  # warm the session
    # 9, and the team's contact details in the footer (support.selectors)
    with django_assert_num_queries(10):
        assert team_client.get("/team/emails/failed/").status_code == 200


def test_the_completion_page_marks_a_bouncing_primary_contact(team_client):
    annual_return = factories.issued_return()
    contact = annual_return.supplier.contacts.get().user
    failed_for_good(annual_return=annual_return, recipient=contact, refused=True)
    page = team_client.get(
        f"/team/years/{annual_return.year.slug}/completion/"
    ).content.decode()
    assert page.count("Email bouncing") == 1
    # A later email to the same address went through: no longer bouncing.
    Notification.objects.create(
        recipient=contact,
        kind=Notification.Kind.RECEIPT,
        key="later",
        address=contact.email,
        status=Notification.Status.SENT,
        sent_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    page = team_client.get(
        f"/team/years/{annual_return.year.slug}/completion/"
    ).content.decode()
    assert "Email bouncing" not in page
