"""Suppliers manage their own colleagues: invite, remove, mark the primary contact;
the team is told; a supplier is never left with no active contact by its own hand;
nobody reaches another supplier's contacts."""

import threading

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import Invitation, SupplierContact
from accounts.services.colleagues import (
    LAST_CONTACT,
    PRIMARY_CONTACT,
    contact_make_primary,
    contact_remove,
)
from accounts.views.colleagues import PRIMARY, REMOVED
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(supplier):
    return factories.SupplierContactFactory(
        supplier=supplier, user__full_name="Col Lea"
    )


def team_emails() -> list:
    return [m for m in mail.outbox if m.to == [settings.PORTAL_TEAM_EMAIL]]


def test_a_contact_sees_their_colleagues_and_open_invitations(
    supplier_client, supplier, colleague
):
    Invitation.objects.create(email="waiting@example.com", supplier=supplier)
    other = factories.SupplierContactFactory(user__email="stranger@example.com")
    Invitation.objects.create(email="elsewhere@example.com", supplier=other.supplier)
    page = supplier_client.get("/returns/colleagues/").content.decode()
    assert colleague.user.email in page and "waiting@example.com" in page
    assert "stranger@example.com" not in page
    assert "elsewhere@example.com" not in page


def test_a_contact_invites_a_colleague_and_the_team_is_told(
    supplier_client, supplier, supplier_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(
            "/returns/colleagues/invite/",
            {"email": "new.colleague@example.com", "full_name": "New Colleague"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.supplier == supplier and invitation.invited_by == supplier_user
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        ["new.colleague@example.com", settings.PORTAL_TEAM_EMAIL]
    )
    assert "invited New Colleague" in team_emails()[0].body


def test_a_contact_removes_a_colleague_and_the_team_is_told(
    supplier_client, colleague, django_capture_on_commit_callbacks
):
    url = f"/returns/colleagues/{colleague.pk}/remove/"
    assert "Remove Col Lea" in supplier_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(url)
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert SupplierContact.objects.filter(pk=colleague.pk).exists(), "never deleted"
    assert (
        REMOVED.format(name="Col Lea")
        in supplier_client.get(response["Location"]).content.decode()
    )
    assert "removed Col Lea" in team_emails()[0].body


def test_the_last_contact_cannot_remove_themselves(supplier_client, supplier_user):
    contact = supplier_user.supplier_contacts.get()
    contact.is_primary = False
    contact.save()
    response = supplier_client.post(f"/returns/colleagues/{contact.pk}/remove/")
    assert response.status_code == 400
    message = LAST_CONTACT.format(name=supplier_user.get_full_name(), supplier="")
    assert message.split(":")[0] in response.content.decode()
    contact.refresh_from_db()
    assert contact.is_active


def test_the_primary_contact_cannot_be_removed_until_someone_else_is(
    supplier_client, supplier_user, colleague, django_capture_on_commit_callbacks
):
    own = supplier_user.supplier_contacts.get()
    with pytest.raises(ValidationError) as error:
        contact_remove(contact=own, acting_user=colleague.user)
    assert error.value.message == PRIMARY_CONTACT.format(
        name=supplier_user.get_full_name()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(f"/returns/colleagues/{colleague.pk}/primary/")
    assert (
        PRIMARY.format(name="Col Lea")
        in supplier_client.get(response["Location"]).content.decode()
    )
    own.refresh_from_db()
    colleague.refresh_from_db()
    assert colleague.is_primary and not own.is_primary
    assert "made Col Lea" in team_emails()[0].body
    contact_remove(contact=own, acting_user=supplier_user)  # now allowed
    own.refresh_from_db()
    assert not own.is_active


def test_a_contact_cannot_reach_another_suppliers_contacts(supplier_client):
    other = factories.SupplierContactFactory()
    factories.SupplierContactFactory(supplier=other.supplier)
    invitation = Invitation.objects.create(
        email="theirs@example.com", supplier=other.supplier
    )
    for method, path in (
        ("get", f"/returns/colleagues/{other.pk}/remove/"),
        ("post", f"/returns/colleagues/{other.pk}/remove/"),
        ("post", f"/returns/colleagues/{other.pk}/primary/"),
        ("post", f"/returns/colleagues/invitations/{invitation.pk}/withdraw/"),
    ):
        assert getattr(supplier_client, method)(path).status_code == 404, path
    other.refresh_from_db()
    invitation.refresh_from_db()
    assert other.is_active and not other.is_primary
    assert invitation.withdrawn_at is None


def test_the_service_refuses_someone_who_is_not_the_suppliers_contact(colleague):
    stranger = factories.SupplierContactFactory().user
    for action in (contact_remove, contact_make_primary):
        with pytest.raises(PermissionDenied):
            action(contact=colleague, acting_user=stranger)


def test_a_contact_withdraws_an_invitation_to_their_supplier(supplier_client, supplier):
    invitation = Invitation.objects.create(email="w@example.com", supplier=supplier)
    supplier_client.post(f"/returns/colleagues/invitations/{invitation.pk}/withdraw/")
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None


def test_a_contact_of_two_suppliers_switches_between_them(client):
    first = factories.SupplierContactFactory(supplier__name="Alpha Ltd")
    second = factories.SupplierContactFactory(
        user=first.user, supplier__name="Beta Ltd"
    )
    client.force_login(first.user)
    page = client.get("/returns/colleagues/").content.decode()
    assert "Your colleagues at Alpha Ltd" in page
    assert "Switch supplier" in page
    response = client.post(
        "/returns/switch/",
        {"supplier": second.supplier_id, "next": "/returns/colleagues/"},
    )
    assert response["Location"] == "/returns/colleagues/"
    assert (
        "Your colleagues at Beta Ltd"
        in client.get("/returns/colleagues/").content.decode()
    )
    stranger = factories.SupplierFactory()
    assert client.post("/returns/switch/", {"supplier": stranger.pk}).status_code == 404
    assert (
        client.post(
            "/returns/switch/",
            {"supplier": second.supplier_id, "next": "https://evil.example/"},
        )["Location"]
        == "/returns/"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_contacts_leaving_at_once_leave_one():
    """Both of a supplier's contacts remove themselves at the same moment: two
    threads, each with its own connection, released together. The supplier row lock
    makes the second removal see the first and refuse."""
    supplier = factories.SupplierFactory()
    first = factories.SupplierContactFactory(supplier=supplier)
    second = factories.SupplierContactFactory(supplier=supplier)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(contact, actor):
        try:
            barrier.wait(timeout=10)
            contact_remove(contact=contact, acting_user=actor)
            outcomes.append("removed")
        except ValidationError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(first, first.user)),
        threading.Thread(target=remove, args=(second, second.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("removed") == 1
    assert any(o.startswith("You cannot remove") for o in outcomes)
    assert (
        SupplierContact.objects.filter(supplier=supplier, is_active=True).count() == 1
    )
