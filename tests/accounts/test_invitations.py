"""Invitations: the link sets a password once, expires, can be resent or withdrawn;
an invitation to someone with an account adds the organisation; the ledger makes
every email at most once."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Invitation, MemberViewer, SupplierContact, User
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_deliver,
    invitation_send,
    invitation_withdraw,
    invitations_send_bulk,
)
from accounts.services.invitations import (
    ALREADY_CONTACT,
    INVITATION_ACCEPTED,
    token_hash,
)
from accounts.views.invitations import ADDED_SIGN_IN
from returns.models import Notification
from returns.services import notifications_retry
from tests import factories

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/accounts/invitation/([A-Za-z0-9_\-]+)/")
NEW_PASSWORD = "a-long-and-unusual-passphrase"


def token_in(message) -> str:
    return LINK.search(message.body).group(1)


def invite(captured, **kwargs) -> tuple[Invitation, str]:
    """Invites and runs the after-commit email; returns the invitation and token."""
    kwargs.setdefault("invited_by", factories.TeamUserFactory())
    with captured(execute=True):
        invitation = invitation_create(**kwargs)
    invitation.refresh_from_db()
    return invitation, token_in(mail.outbox[-1])


@pytest.fixture
def captured(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_an_invitation_emails_a_link_and_stores_only_the_tokens_hash(captured):
    supplier = factories.SupplierFactory(name="Acme Build Ltd")
    invitation, token = invite(
        captured, email=" New.Person@Example.com ", supplier=supplier
    )
    assert invitation.email == "new.person@example.com"
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    assert invitation.sent_at is not None
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(
        days=settings.INVITATION_EXPIRY_DAYS
    )
    person = User.objects.get(email="new.person@example.com")
    assert not person.has_usable_password()
    assert not SupplierContact.objects.filter(user=person).exists()
    assert mail.outbox[0].to == ["new.person@example.com"]
    assert "Acme Build Ltd" in mail.outbox[0].subject
    ledger = Notification.objects.get(kind=Notification.Kind.INVITATION)
    assert ledger.recipient == person
    assert ledger.status == Notification.Status.SENT


def test_the_link_sets_a_password_once_and_signs_the_person_in(captured, client):
    supplier = factories.SupplierFactory()
    invitation, token = invite(
        captured, email="lead@example.com", supplier=supplier, phone="0161 496 0000"
    )
    url = f"/accounts/invitation/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Set your password" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None, "opening the link accepts nothing"

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/returns/").status_code == 200  # signed in, as a contact
    person = User.objects.get(email="lead@example.com")
    assert person.check_password(NEW_PASSWORD)
    contact = SupplierContact.objects.get(user=person, supplier=supplier)
    assert contact.is_active and contact.phone == "0161 496 0000"

    client.logout()
    again = client.get(url)
    assert "This invitation has already been used" in again.content.decode()
    again = client.post(url, {"password1": "x" * 20, "password2": "x" * 20})
    assert "This invitation has already been used" in again.content.decode()
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_the_password_must_pass_the_password_validators(captured, client):
    _, token = invite(
        captured, email="weak@example.com", supplier=factories.SupplierFactory()
    )
    url = f"/accounts/invitation/{token}/"
    response = client.post(url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "too short" in html or "too common" in html
    assert not User.objects.get(email="weak@example.com").has_usable_password()
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert "Enter the same password twice." in response.content.decode()


def test_an_expired_link_says_so_and_changes_nothing(captured, client):
    _, token = invite(
        captured, email="late@example.com", supplier=factories.SupplierFactory()
    )
    later = timezone.now() + datetime.timedelta(
        days=settings.INVITATION_EXPIRY_DAYS, minutes=1
    )
    with time_machine.travel(later):
        page = client.get(f"/accounts/invitation/{token}/")
        assert "This invitation has expired" in page.content.decode()
        response = client.post(
            f"/accounts/invitation/{token}/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert "This invitation has expired" in response.content.decode()
    assert not User.objects.get(email="late@example.com").has_usable_password()
    assert not SupplierContact.objects.exists()


def test_a_withdrawn_link_says_so(captured, client):
    invitation, token = invite(
        captured, email="gone@example.com", supplier=factories.SupplierFactory()
    )
    invitation_withdraw(invitation=invitation, acting_user=factories.TeamUserFactory())
    page = client.get(f"/accounts/invitation/{token}/")
    assert "This invitation has been withdrawn" in page.content.decode()


def test_a_made_up_link_is_not_recognised(client):
    page = client.get("/accounts/invitation/made-up-token/")
    assert page.status_code == 200
    assert "This invitation link is not recognised" in page.content.decode()


def test_a_resend_makes_a_new_link_and_the_old_one_stops_working(captured, client):
    supplier = factories.SupplierFactory()
    invitation, old_token = invite(
        captured, email="again@example.com", supplier=supplier
    )
    with captured(execute=True):
        invitation_send(invitation=invitation, acting_user=None)
    new_token = token_in(mail.outbox[-1])
    assert len(mail.outbox) == 2 and new_token != old_token
    assert (
        "not recognised"
        in client.get(f"/accounts/invitation/{old_token}/").content.decode()
    )
    assert (
        "Set your password"
        in client.get(f"/accounts/invitation/{new_token}/").content.decode()
    )
    assert Invitation.objects.count() == 1


def test_inviting_the_same_person_twice_refreshes_one_invitation(captured):
    supplier = factories.SupplierFactory()
    invite(captured, email="twice@example.com", supplier=supplier)
    invite(captured, email="TWICE@example.com", supplier=supplier, full_name="Tw Ice")
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().full_name == "Tw Ice"
    assert User.objects.filter(email__iexact="twice@example.com").count() == 1


def test_someone_with_an_account_gets_the_organisation_and_no_second_account(
    captured, client
):
    contact = factories.SupplierContactFactory()
    person = contact.user
    other_supplier = factories.SupplierFactory(name="Second Firm Ltd")
    invitation, token = invite(
        captured, email=person.email.upper(), supplier=other_supplier
    )
    assert invitation.user == person
    assert "already have an account" in mail.outbox[-1].body
    page = client.get(f"/accounts/invitation/{token}/")
    assert "Accept your invitation" in page.content.decode()
    assert "password1" not in page.content.decode()
    response = client.post(f"/accounts/invitation/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert User.objects.filter(email__iexact=person.email).count() == 1
    person.refresh_from_db()
    assert person.check_password(factories.PASSWORD)
    assert set(person.supplier_contacts.values_list("supplier", flat=True)) == {
        contact.supplier_id,
        other_supplier.pk,
    }
    follow = client.get("/accounts/login/")
    assert ADDED_SIGN_IN.format(organisation="Second Firm Ltd") in (
        follow.content.decode()
    )


def test_an_existing_contact_cannot_be_invited_to_the_same_supplier(captured):
    contact = factories.SupplierContactFactory()
    with pytest.raises(ValidationError) as error:
        invitation_create(
            email=contact.user.email, supplier=contact.supplier, invited_by=None
        )
    assert error.value.message == ALREADY_CONTACT.format(
        email=contact.user.email, organisation=contact.supplier
    )
    assert not Invitation.objects.exists()


def test_a_viewer_is_invited_to_a_member(captured, client):
    member = factories.MemberFactory()
    _, token = invite(captured, email="viewer@example.com", member=member)
    client.post(
        f"/accounts/invitation/{token}/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert MemberViewer.objects.filter(
        user__email="viewer@example.com", member=member, is_active=True
    ).exists()
    assert client.get("/member/").status_code == 200


def test_signed_in_as_someone_else_the_page_asks_to_sign_out_first(captured, client):
    _, token = invite(
        captured, email="right@example.com", supplier=factories.SupplierFactory()
    )
    client.force_login(factories.UserFactory(email="wrong@example.com"))
    page = client.get(f"/accounts/invitation/{token}/").content.decode()
    assert "You are signed in as wrong@example.com" in page
    client.post(f"/accounts/invitation/{token}/sign-out/")
    assert (
        "Set your password"
        in client.get(f"/accounts/invitation/{token}/").content.decode()
    )


def test_an_accepted_invitation_cannot_be_resent_or_withdrawn(captured):
    invitation, token = invite(
        captured, email="done@example.com", supplier=factories.SupplierFactory()
    )
    invitation_accept(token=token, password=NEW_PASSWORD)
    for action in (invitation_send, invitation_withdraw):
        with pytest.raises(ValidationError) as error:
            action(invitation=invitation, acting_user=None)
        assert error.value.message == INVITATION_ACCEPTED


def test_delivering_the_same_ledger_row_twice_sends_one_email(captured):
    supplier = factories.SupplierFactory()
    with captured(execute=False) as callbacks:
        invitation_create(email="once@example.com", supplier=supplier, invited_by=None)
    assert len(callbacks) == 1
    row = Notification.objects.get()
    assert invitation_deliver(notification_id=row.pk) is True
    assert invitation_deliver(notification_id=row.pk) is False
    assert len(mail.outbox) == 1


def test_a_superseded_send_is_skipped_not_sent(captured):
    supplier = factories.SupplierFactory()
    with captured(execute=False):
        invitation = invitation_create(
            email="two@example.com", supplier=supplier, invited_by=None
        )
        invitation_send(invitation=invitation, acting_user=None)
    first, second = Notification.objects.order_by("pk")
    assert invitation_deliver(notification_id=first.pk) is False
    assert invitation_deliver(notification_id=second.pk) is True
    first.refresh_from_db()
    assert first.status == Notification.Status.SKIPPED
    assert len(mail.outbox) == 1


def test_a_failed_email_is_recorded_on_the_ledger_and_retried(captured, monkeypatch):
    def broken_send(self, fail_silently=False):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken_send)
    with captured(execute=True):
        invitation = invitation_create(
            email="fail@example.com",
            supplier=factories.SupplierFactory(),
            invited_by=None,
        )
    row = Notification.objects.get()
    assert row.status == Notification.Status.FAILED
    assert row.next_attempt_at is not None  # a try is left
    assert "mail server down" in row.last_error
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.token_hash == ""

    monkeypatch.undo()
    with time_machine.travel(row.next_attempt_at):
        assert notifications_retry().emails == 1
    row.refresh_from_db()
    invitation.refresh_from_db()
    assert row.status == Notification.Status.SENT and row.attempts == 2
    assert invitation.sent_at is not None and invitation.token_hash
    assert len(mail.outbox) == 1


def imported_contact(supplier, email):
    """A contact as the contacts import leaves one: linked, no password yet."""
    user = User.objects.create_user(email=email, password=None, full_name=email)
    return factories.SupplierContactFactory(user=user, supplier=supplier)


def test_a_bulk_send_run_twice_emails_each_contact_once(captured):
    supplier = factories.SupplierFactory()
    contacts = [imported_contact(supplier, f"c{n}@example.com") for n in range(3)]
    factories.SupplierContactFactory(supplier=supplier)  # can sign in: not invited
    batch = uuid.uuid4().hex
    for _ in range(2):
        with captured(execute=True):
            invitations_send_bulk(
                contact_ids=[c.pk for c in contacts], invited_by=None, batch_key=batch
            )
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "c0@example.com",
        "c1@example.com",
        "c2@example.com",
    ]
    assert Invitation.objects.count() == 3


def test_bulk_send_to_everyone_not_invited_skips_those_already_invited(captured):
    supplier = factories.SupplierFactory()
    invited = imported_contact(supplier, "invited@example.com")
    imported_contact(supplier, "fresh@example.com")
    with captured(execute=True):
        invitation_create(email=invited.user.email, supplier=supplier, invited_by=None)
        sent = invitations_send_bulk(
            everyone_not_invited=True, invited_by=None, batch_key="b1"
        )
    assert sent == 1
    assert [m.to[0] for m in mail.outbox] == [
        "invited@example.com",
        "fresh@example.com",
    ]


def test_a_removed_contact_invited_again_is_linked_again(captured, client):
    contact = factories.SupplierContactFactory(is_active=False)
    _, token = invite(captured, email=contact.user.email, supplier=contact.supplier)
    client.post(f"/accounts/invitation/{token}/")
    contact.refresh_from_db()
    assert contact.is_active
    assert SupplierContact.objects.filter(user=contact.user).count() == 1


def test_an_invitation_marked_primary_moves_the_primary_contact(captured):
    current = factories.SupplierContactFactory(is_primary=True)
    _, token = invite(
        captured, email="next@example.com", supplier=current.supplier, is_primary=True
    )
    invitation_accept(token=token, password=NEW_PASSWORD)
    current.refresh_from_db()
    assert not current.is_primary
    assert SupplierContact.objects.get(user__email="next@example.com").is_primary


def test_an_inactive_supplier_cannot_be_invited_to():
    supplier = factories.SupplierFactory(is_active=False)
    with pytest.raises(ValidationError):
        invitation_create(email="x@example.com", supplier=supplier, invited_by=None)
    assert not Invitation.objects.exists()
