"""The team's people pages: invite one person, invite contacts in bulk through the
task, resend and withdraw; query counts do not grow with the rows."""

import re

import pytest
from django.core import mail

from accounts.models import Invitation, User
from accounts.services import invitation_create
from accounts.views.team import BULK_QUEUED, RESENT, WITHDRAWN
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_\-]+)/")


def imported_contact(supplier, email):
    user = User.objects.create_user(email=email, password=None, full_name=email)
    return factories.SupplierContactFactory(user=user, supplier=supplier)


def test_the_team_invites_a_contact_by_the_suppliers_reference(
    team_client, django_capture_on_commit_callbacks
):
    supplier = factories.SupplierFactory(reference="S-0042", name="Forty Two Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            "/team/people/invite/",
            {
                "organisation_kind": "supplier",
                "reference": "s-0042",
                "email": "lead@fortytwo.example.com",
                "full_name": "Lee Lead",
                "is_primary": "on",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.supplier == supplier and invitation.is_primary
    assert mail.outbox[0].to == ["lead@fortytwo.example.com"]
    page = team_client.get("/team/people/").content.decode()
    assert "lead@fortytwo.example.com" in page and "Forty Two Ltd" in page


def test_an_unknown_reference_is_refused_with_a_message(team_client):
    response = team_client.post(
        "/team/people/invite/",
        {"organisation_kind": "member", "reference": "M-NOPE", "email": "a@b.com"},
    )
    assert response.status_code == 200
    assert "There is no active member with the reference M-NOPE." in (
        response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_the_team_sends_in_bulk_to_the_ticked_contacts(
    team_client, django_capture_on_commit_callbacks
):
    supplier = factories.SupplierFactory()
    first, second, third = (
        imported_contact(supplier, f"bulk{n}@example.com") for n in range(3)
    )
    page = team_client.get("/team/people/bulk/").content.decode()
    assert "bulk0@example.com" in page and "Not invited yet" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            "/team/people/bulk/", {"contacts": [first.pk, third.pk]}
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "bulk0@example.com",
        "bulk2@example.com",
    ]
    follow = team_client.get("/team/people/").content.decode()
    assert BULK_QUEUED.format(count=2, plural="s") in follow


def test_bulk_send_to_everyone_not_yet_invited(
    team_client, django_capture_on_commit_callbacks
):
    supplier = factories.SupplierFactory()
    for n in range(3):
        imported_contact(supplier, f"all{n}@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post("/team/people/bulk/", {"everyone": "on"})
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post("/team/people/bulk/", {"everyone": "on"})
    assert len(mail.outbox) == 3, "nobody already invited is emailed again"


def test_bulk_send_with_nothing_ticked_is_refused(team_client):
    imported_contact(factories.SupplierFactory(), "x@example.com")
    response = team_client.post("/team/people/bulk/", {})
    assert "Select at least one contact to invite." in response.content.decode()


def test_resend_and_withdraw_from_the_people_page(
    team_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            email="p@example.com", supplier=factories.SupplierFactory(), invited_by=None
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(f"/team/people/invitations/{invitation.pk}/resend/")
    assert len(mail.outbox) == 2
    assert (
        RESENT.format(email="p@example.com")
        in team_client.get(response["Location"]).content.decode()
    )
    response = team_client.post(f"/team/people/invitations/{invitation.pk}/withdraw/")
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert (
        WITHDRAWN.format(email="p@example.com")
        in team_client.get(response["Location"]).content.decode()
    )
    token = LINK.search(mail.outbox[-1].body).group(1)
    page = team_client.get(f"/accounts/invitation/{token}/").content.decode()
    assert "This invitation has been withdrawn" in page


def _invitations(count: int) -> None:
    supplier = factories.SupplierFactory()
    tag = supplier.reference
    member = factories.MemberFactory()
    for n in range(count):
        Invitation.objects.create(
            email=f"i{n}.{tag}@example.com",
            supplier=supplier if n % 2 else None,
            member=None if n % 2 else member,
        )
        imported_contact(supplier, f"c{n}.{tag}@example.com")


@pytest.mark.parametrize("path", ["/team/people/", "/team/people/bulk/"])
def test_people_pages_queries_do_not_grow_with_rows(
    team_client, django_assert_max_num_queries, path
):
    _invitations(3)
    with django_assert_max_num_queries(40) as small:
        assert team_client.get(path).status_code == 200
    _invitations(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert team_client.get(path).status_code == 200


def test_the_send_invitations_command_invites_each_contact_once(
    django_capture_on_commit_callbacks,
):
    import io

    from django.core.management import call_command

    supplier = factories.SupplierFactory(reference="S-CMD")
    imported_contact(supplier, "cmd1@example.com")
    imported_contact(factories.SupplierFactory(), "cmd2@example.com")
    out = io.StringIO()
    call_command("send_invitations", "--dry-run", stdout=out)
    assert "2 contact(s) would be invited." in out.getvalue()
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invitations", "--supplier", "s-cmd", stdout=out)
    assert [m.to[0] for m in mail.outbox] == ["cmd1@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_invitations", stdout=out)
        call_command("send_invitations", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cmd1@example.com",
        "cmd2@example.com",
    ]


def test_the_demo_shows_pending_invitations_and_contacts_not_invited(team_client):
    import datetime

    from demo.load import load_demo

    load_demo(today=datetime.date(2025, 6, 15), scale=1)
    page = team_client.get("/team/people/").content.decode()
    assert page.count("govuk-tag") >= 4  # sent, sent, expired, not sent
    assert "Expired" in page and "Not sent" in page
    bulk = team_client.get("/team/people/bulk/").content.decode()
    assert "imported.contact@" in bulk


def test_a_failed_invitation_email_shows_on_the_people_page(
    team_client, django_capture_on_commit_callbacks, monkeypatch
):
    def broken_send(self, fail_silently=False):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            email="bounce@example.com",
            supplier=factories.SupplierFactory(),
            invited_by=None,
        )
    page = team_client.get("/team/people/").content.decode()
    assert "Email failed" in page
    monkeypatch.undo()
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(f"/team/people/invitations/{invitation.pk}/resend/")
    assert len(mail.outbox) == 1
    assert "Email failed" not in team_client.get("/team/people/").content.decode()
