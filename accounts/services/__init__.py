"""Writes about people and their organisations: switching supplier, invitations and
suppliers managing their own colleagues. Views, tasks, commands and admin call these."""

from .invitations import (
    InvitationProblem,
    invitation_accept,
    invitation_create,
    invitation_deliver,
    invitation_for_token,
    invitation_send,
    invitation_withdraw,
    invitations_send_bulk,
)
from .switching import member_switch, supplier_switch

__all__ = [
    "InvitationProblem",
    "invitation_accept",
    "invitation_create",
    "invitation_deliver",
    "invitation_for_token",
    "invitation_send",
    "invitation_withdraw",
    "invitations_send_bulk",
    "member_switch",
    "supplier_switch",
]
