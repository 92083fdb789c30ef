"""A supplier's own contacts manage their colleagues: invite, remove, mark the
primary contact. The team is emailed (at `PORTAL_TEAM_EMAIL`) about each change,
through the notification ledger like every other email (so none is lost when the mail
server is down), and sees it in the contacts' history on the people page.

A supplier can never be left without an active contact by its own hand: every change
locks the supplier's row first (`select_for_update`), so two contacts removing each
other at the same moment are taken one after the other, and the second is refused.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from frameworks.models import Supplier
from returns.models import Notification
from returns.services.notifications import notification_queue_to_address

from ..models import Invitation, SupplierContact, User
from ..permissions import is_team
from .invitations import invitation_create, invitation_withdraw

LAST_CONTACT = (
    "You cannot remove {name}: they are the only contact for {supplier}. "
    "Invite a colleague first; a supplier must always have someone who can "
    "fill in its returns."
)
PRIMARY_CONTACT = (
    "You cannot remove {name} while they are the primary contact. "
    "Make someone else the primary contact first."
)
NOT_A_CONTACT = "{name} is not an active contact of {supplier}."


def _lock_supplier(supplier_id: int) -> Supplier:
    return Supplier.objects.select_for_update().get(pk=supplier_id)


def _check_may_act(*, acting_user: User, supplier: Supplier) -> None:
    """Only the supplier's own active contacts (and the team) manage its contacts."""
    if is_team(acting_user):
        return
    if not SupplierContact.objects.filter(
        user=acting_user, supplier=supplier, is_active=True, supplier__is_active=True
    ).exists():
        raise PermissionDenied


def _tell_team(*, supplier: Supplier, acting_user: User, what: str) -> None:
    """Queues the team's email about a change, in the change's own transaction: one
    ledger row per change (its key names the supplier and the change), so the email
    exists exactly when the change does."""
    if is_team(acting_user):
        return  # the team did it: nobody to tell
    notification_queue_to_address(
        address=settings.PORTAL_TEAM_EMAIL,
        kind=Notification.Kind.CONTACTS_CHANGED,
        key=f"supplier{supplier.pk}:{uuid.uuid4().hex}",
        payload={
            "supplier_name": supplier.name,
            "supplier_reference": supplier.reference,
            "actor_name": acting_user.get_full_name(),
            "actor_email": acting_user.email,
            "what": what,
        },
    )


def _active_contacts(supplier: Supplier):
    return SupplierContact.objects.filter(
        supplier=supplier, is_active=True, user__is_active=True
    )


@transaction.atomic
def colleague_invite(
    *,
    supplier: Supplier,
    acting_user: User,
    email: str,
    full_name: str = "",
    phone: str = "",
) -> Invitation:
    """A contact invites a colleague to their own supplier; the team is told."""
    _check_may_act(acting_user=acting_user, supplier=supplier)
    invitation = invitation_create(
        email=email,
        supplier=supplier,
        full_name=full_name,
        phone=phone,
        invited_by=acting_user,
    )
    _tell_team(
        supplier=supplier,
        acting_user=acting_user,
        what=f"invited {invitation.full_name or invitation.email} "
        f"({invitation.email}) as a contact",
    )
    return invitation


@transaction.atomic
def colleague_invitation_withdraw(
    *, invitation: Invitation, acting_user: User
) -> Invitation:
    """A contact withdraws an open invitation to their own supplier."""
    supplier = _lock_supplier(invitation.supplier_id)
    _check_may_act(acting_user=acting_user, supplier=supplier)
    invitation = invitation_withdraw(invitation=invitation, acting_user=acting_user)
    _tell_team(
        supplier=supplier,
        acting_user=acting_user,
        what=f"withdrew the invitation to {invitation.email}",
    )
    return invitation


@transaction.atomic
def contact_remove(*, contact: SupplierContact, acting_user: User) -> SupplierContact:
    """Deactivates a contact (never deletes: returns record who submitted them).
    Refuses, with a message and no change, to remove the primary contact or the
    supplier's last active contact."""
    supplier = _lock_supplier(contact.supplier_id)
    _check_may_act(acting_user=acting_user, supplier=supplier)
    contact = SupplierContact.objects.select_related("user").get(pk=contact.pk)
    name = contact.user.get_full_name()
    if not contact.is_active:
        raise ValidationError(NOT_A_CONTACT.format(name=name, supplier=supplier.name))
    if not _active_contacts(supplier).exclude(pk=contact.pk).exists():
        raise ValidationError(LAST_CONTACT.format(name=name, supplier=supplier.name))
    if contact.is_primary:
        raise ValidationError(PRIMARY_CONTACT.format(name=name))
    contact.is_active = False
    contact.save(update_fields=["is_active"])
    _tell_team(
        supplier=supplier,
        acting_user=acting_user,
        what=f"removed {name} ({contact.user.email}) as a contact",
    )
    return contact


@transaction.atomic
def contact_make_primary(
    *, contact: SupplierContact, acting_user: User
) -> SupplierContact:
    """Makes this active contact the supplier's one primary contact."""
    supplier = _lock_supplier(contact.supplier_id)
    _check_may_act(acting_user=acting_user, supplier=supplier)
    contact = SupplierContact.objects.select_related("user").get(pk=contact.pk)
    name = contact.user.get_full_name()
    if not contact.is_active:
        raise ValidationError(NOT_A_CONTACT.format(name=name, supplier=supplier.name))
    if contact.is_primary:
        return contact
    # One at a time, so that simple_history records each change.
    for other in SupplierContact.objects.filter(
        supplier=supplier, is_primary=True
    ).exclude(pk=contact.pk):
        other.is_primary = False
        other.save(update_fields=["is_primary"])
    contact.is_primary = True
    contact.save(update_fields=["is_primary"])
    _tell_team(
        supplier=supplier,
        acting_user=acting_user,
        what=f"made {name} ({contact.user.email}) the primary contact",
    )
    return contact
