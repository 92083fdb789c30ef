"""Invitations: the team (or a supplier's own contact) asks a person to join a supplier
or a member; the emailed link sets a password once and signs them in.

The token is made when the email goes and only its SHA-256 is stored. Each send makes
a new token and a new expiry, so the last link sent is the only one that works. Every
send is a row in the `Notification` ledger (kind `invitation`, key
`inv<invitation id>:<send key>`), delivered like every other email (claimed before it
goes, marked sent after the mail server took it, retried if it failed): a retried task
or a re-run of a bulk send never emails anyone twice, and none is lost.
"""

import datetime
import hashlib
import logging
import secrets
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from frameworks.models import Member, Supplier
from returns.models import Notification
from returns.services.notifications import (
    email_message,
    notifications_deliver,
    notifications_queue,
)

from ..models import Invitation, MemberViewer, SupplierContact, User

logger = logging.getLogger(__name__)

# Messages the pages show; tests assert on them.
ALREADY_CONTACT = "{email} is already a contact of {organisation} and can sign in."
ALREADY_VIEWER = "{email} can already see {organisation} and can sign in."
ACCOUNT_DEACTIVATED = (
    "The account for {email} has been deactivated. Ask an administrator to "
    "reactivate it before inviting them."
)
INVITATION_ACCEPTED = "This invitation has already been accepted."
INVITATION_WITHDRAWN = "This invitation has been withdrawn."
INVITATION_EXPIRED = "This invitation has expired."
INVITATION_UNKNOWN = "This invitation link is not recognised."
PASSWORD_REQUIRED = "Enter a password."
ORGANISATION_INACTIVE = "{organisation} is no longer active in the portal."

# Why a link does not work, for the acceptance page.
UNKNOWN, EXPIRED, ACCEPTED, WITHDRAWN = "unknown", "expired", "accepted", "withdrawn"
PROBLEM_MESSAGES = {
    UNKNOWN: INVITATION_UNKNOWN,
    EXPIRED: INVITATION_EXPIRED,
    ACCEPTED: INVITATION_ACCEPTED,
    WITHDRAWN: INVITATION_WITHDRAWN,
}

KEY_PREFIX = "inv"


class InvitationProblem(ValidationError):
    """The link cannot be used; `code` is one of UNKNOWN, EXPIRED, ACCEPTED,
    WITHDRAWN."""

    def __init__(self, code: str):
        super().__init__(PROBLEM_MESSAGES[code], code=code)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_from(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS)


def has_account(user: User | None) -> bool:
    """True when the person can already sign in (has set a password)."""
    return bool(user and user.password and user.has_usable_password())


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _person_for(*, email: str, full_name: str) -> User:
    """The person with this address, made (without a usable password) if new."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if not user.full_name and full_name:
            user.full_name = full_name
            user.save(update_fields=["full_name"])
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=None, full_name=full_name
            )
    except IntegrityError:  # made at the same moment by another request
        return User.objects.get(email__iexact=email)


def _open_invitation(
    *, email: str, supplier: Supplier | None, member: Member | None
) -> Invitation | None:
    return (
        Invitation.objects.select_for_update()
        .filter(
            email__iexact=email,
            supplier=supplier,
            member=member,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .first()
    )


@transaction.atomic
def invitation_create(
    *,
    email: str,
    supplier: Supplier | None = None,
    member: Member | None = None,
    full_name: str = "",
    phone: str = "",
    is_primary: bool = False,
    invited_by: User | None,
    send: bool = True,
    send_key: str | None = None,
) -> Invitation:
    """Invites a person to a supplier (as a contact) or a member (as a viewer), or
    refreshes the open invitation they already have there, and (with `send`) emails
    it. Refuses, with a message and no change, someone who can already sign in and
    is already linked. Called by the team's and the supplier's invite pages, the
    bulk send and the contacts import."""
    if (supplier is None) == (member is None):
        raise ValueError("An invitation is to exactly one supplier or member.")
    email = normalise_email(email)
    organisation = supplier or member
    if not organisation.is_active:
        raise ValidationError(ORGANISATION_INACTIVE.format(organisation=organisation))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_active:
        raise ValidationError(ACCOUNT_DEACTIVATED.format(email=email))
    if existing is not None and has_account(existing):
        if (
            supplier
            and existing.supplier_contacts.filter(
                supplier=supplier, is_active=True
            ).exists()
        ):
            raise ValidationError(
                ALREADY_CONTACT.format(email=email, organisation=supplier)
            )
        if (
            member
            and existing.member_viewers.filter(member=member, is_active=True).exists()
        ):
            raise ValidationError(
                ALREADY_VIEWER.format(email=email, organisation=member)
            )
    user = _person_for(email=email, full_name=full_name.strip())
    invitation = _open_invitation(email=email, supplier=supplier, member=member)
    if invitation is None:
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    email=email,
                    full_name=full_name.strip(),
                    phone=phone.strip(),
                    is_primary=is_primary,
                    supplier=supplier,
                    member=member,
                    invited_by=invited_by,
                    user=user,
                )
        except IntegrityError:  # the same invitation made at the same moment
            invitation = _open_invitation(email=email, supplier=supplier, member=member)
    else:
        changed = {
            "full_name": full_name.strip() or invitation.full_name,
            "phone": phone.strip() or invitation.phone,
            "is_primary": is_primary or invitation.is_primary,
            "user": user,
        }
        for field, value in changed.items():
            setattr(invitation, field, value)
        invitation.save(update_fields=list(changed))
    if send:
        invitation_send(
            invitation=invitation, acting_user=invited_by, send_key=send_key
        )
    return invitation


@transaction.atomic
def invitation_send(
    *, invitation: Invitation, acting_user: User | None, send_key: str | None = None
) -> Invitation:
    """Queues the invitation's email (first send or resend): a ledger row now, the
    email after commit. The same `send_key` twice queues nothing new, so a re-run of
    a bulk send emails nobody twice. Refuses an accepted or withdrawn invitation."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(INVITATION_ACCEPTED)
    if invitation.withdrawn_at:
        raise ValidationError(INVITATION_WITHDRAWN)
    send_key = send_key or uuid.uuid4().hex
    if invitation.send_key == send_key:
        return invitation
    user = invitation.user or _person_for(
        email=invitation.email, full_name=invitation.full_name
    )
    if not user.is_active:
        raise ValidationError(ACCOUNT_DEACTIVATED.format(email=invitation.email))
    invitation.user = user
    invitation.send_key = send_key
    invitation.send_count += 1
    invitation.save(update_fields=["user", "send_key", "send_count"])
    notifications_queue(
        recipients=[user],
        kind=Notification.Kind.INVITATION,
        key=f"{KEY_PREFIX}{invitation.pk}:{send_key}",
    )
    return invitation


def invitation_deliver(*, notification_id: int) -> bool:
    """Sends one queued invitation email; True if it went. Called by the
    `deliver_invitation` task (the ledger's own delivery sends invitations too)."""
    return notifications_deliver(notification_ids=[notification_id]).emails == 1


def invitation_email(
    *, notification: Notification, connection=None
) -> EmailMultiAlternatives | None:
    """The email of one invitation ledger row, with a fresh token whose hash (and a
    new expiry) is saved on the invitation; None when the send is no longer wanted
    (superseded by a later send, accepted or withdrawn). Called by the ledger's
    delivery inside the transaction that sends it, so a failed send keeps the link
    sent before."""
    prefix, _, send_key = notification.key.partition(":")
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("supplier", "member", "invited_by")
        .get(pk=int(prefix.removeprefix(KEY_PREFIX)))
    )
    if not invitation.is_open or invitation.send_key != send_key:
        return None
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = expiry_from(now)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    recipient = notification.recipient
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    context = {
        "invitation": invitation,
        "recipient": recipient,
        "organisation": invitation.organisation,
        "has_account": has_account(recipient),
        "accept_url": base_url + reverse("invitation_accept", args=[token]),
        "expires_at": invitation.expires_at,
        "base_url": base_url,
    }
    return email_message(
        Notification.Kind.INVITATION,
        context,
        to=recipient.email,
        connection=connection,
    )


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, acting_user: User) -> Invitation:
    """Stops the invitation's link working. Refuses one already accepted."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(INVITATION_ACCEPTED)
    if invitation.withdrawn_at:
        return invitation
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = acting_user
    invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; otherwise raises
    `InvitationProblem` saying why not."""
    invitation = (
        Invitation.objects.select_related("supplier", "member", "user")
        .filter(token_hash=token_hash(token))
        .exclude(token_hash="")
        .first()
    )
    _check_usable(invitation)
    return invitation


def _check_usable(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvitationProblem(UNKNOWN)
    if invitation.accepted_at:
        raise InvitationProblem(ACCEPTED)
    if invitation.withdrawn_at:
        raise InvitationProblem(WITHDRAWN)
    if invitation.has_expired():
        raise InvitationProblem(EXPIRED)
    organisation = invitation.organisation
    if not organisation.is_active:
        raise InvitationProblem(WITHDRAWN)


@transaction.atomic
def invitation_accept(*, token: str, password: str | None = None) -> Invitation:
    """Accepts the invitation the link names, once: links the person to the
    organisation (reactivating an old link) and, for someone without an account,
    sets the password (already checked against the password validators by the
    form). Someone with an account keeps their password and just signs in.
    Raises `InvitationProblem` for a link that no longer works."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=token_hash(token))
        .exclude(token_hash="")
        .first()
    )
    _check_usable(invitation)
    user = invitation.user or _person_for(
        email=invitation.email, full_name=invitation.full_name
    )
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(ACCOUNT_DEACTIVATED.format(email=invitation.email))
    if not has_account(user):
        if not password:
            raise ValidationError(PASSWORD_REQUIRED)
        user.set_password(password)
        if not user.full_name and invitation.full_name:
            user.full_name = invitation.full_name
        user.save(update_fields=["password", "full_name"])
    if invitation.supplier_id:
        _link_contact(invitation=invitation, user=user)
    else:
        viewer, created = MemberViewer.objects.get_or_create(
            user=user, member_id=invitation.member_id
        )
        if not created and not viewer.is_active:
            viewer.is_active = True
            viewer.save(update_fields=["is_active"])
    invitation.user = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["user", "accepted_at"])
    return invitation


def _link_contact(*, invitation: Invitation, user: User) -> SupplierContact:
    # Locks the supplier so that "one primary contact" and "never no contact"
    # (accounts.services.colleagues) see one change at a time.
    Supplier.objects.select_for_update().filter(pk=invitation.supplier_id).first()
    contact, created = SupplierContact.objects.get_or_create(
        user=user,
        supplier_id=invitation.supplier_id,
        defaults={"phone": invitation.phone},
    )
    changed = []
    if not contact.is_active:
        contact.is_active = True
        changed.append("is_active")
    if invitation.phone and not contact.phone:
        contact.phone = invitation.phone
        changed.append("phone")
    has_primary = (
        SupplierContact.objects.filter(
            supplier_id=invitation.supplier_id, is_active=True, is_primary=True
        )
        .exclude(pk=contact.pk)
        .exists()
    )
    if invitation.is_primary and not contact.is_primary:
        if has_primary:
            SupplierContact.objects.filter(
                supplier_id=invitation.supplier_id, is_primary=True
            ).exclude(pk=contact.pk).update(is_primary=False)
        contact.is_primary = True
        changed.append("is_primary")
    elif contact.is_primary and has_primary:
        contact.is_primary = False
        changed.append("is_primary")
    if changed:
        contact.save(update_fields=changed)
    return contact


def invitations_send_bulk(
    *,
    contact_ids: Iterable[int] | None = None,
    everyone_not_invited: bool = False,
    invited_by: User | None,
    batch_key: str,
) -> int:
    """Invites supplier contacts who cannot sign in yet: those in `contact_ids`
    (resending to any already invited), or with `everyone_not_invited` every such
    contact without an invitation sent. Each contact in its own transaction; the
    same `batch_key` again emails nobody twice. Returns the number of emails queued.
    Called by the `send_invitations_bulk` task and the `send_invitations` command."""
    from ..selectors import contacts_without_account

    contacts = contacts_without_account()
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=list(contact_ids))
    elif not everyone_not_invited:
        return 0
    queued = 0
    for contact in contacts.order_by("pk").iterator(chunk_size=500):
        if everyone_not_invited and contact_ids is None and contact.sent_invitation:
            continue
        with transaction.atomic():
            open_invitation = _open_invitation(
                email=contact.user.email, supplier=contact.supplier, member=None
            )
            if open_invitation and open_invitation.send_key == batch_key:
                continue
            try:
                invitation_create(
                    email=contact.user.email,
                    supplier=contact.supplier,
                    full_name=contact.user.full_name,
                    phone=contact.phone,
                    is_primary=contact.is_primary,
                    invited_by=invited_by,
                    send_key=batch_key,
                )
            except ValidationError:
                logger.info("contact %s not invited", contact.pk)
                continue
        queued += 1
    return queued
