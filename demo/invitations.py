"""Demo invitations: some waiting, one expired, one not sent yet, and two contacts as
the contacts import leaves them (linked, no password yet), so the team's people page
and bulk send, and the demo supplier's colleagues page, have something to show.

Idempotent: rows are looked up by their natural keys and made only if missing. The
first invitation's link works in the demo: /accounts/invitation/demo-invitation-1/
(a fixed token, for trying the acceptance page; never do this with real data).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.text import slugify

from accounts.models import Invitation, SupplierContact, User
from accounts.services.invitations import token_hash
from demo.consortium import DEMO_MEMBER_INDEX, DEMO_SUPPLIER_INDEX, DemoBuild
from frameworks.models import Member, Supplier

DEMO_TOKEN = "demo-invitation-1"

# (supplier index or None, member index or None, local part, full name, invited by,
#  days since sent (None: not sent), token or "")
INVITATIONS = (
    (
        DEMO_SUPPLIER_INDEX,
        None,
        "new.starter",
        "Nia Starter",
        "supplier@",
        2,
        DEMO_TOKEN,
    ),
    (3, None, "ops.manager", "Olu Manager", "team@", 20, ""),
    (4, None, "bid.lead", "Bea Lead", "team@", 5, ""),
    (None, DEMO_MEMBER_INDEX, "finance.viewer", "Fin Viewer", "team@", None, ""),
)
# Contacts as an import leaves them: (supplier index, local part, full name).
IMPORTED = ((5, "imported.contact", "Ira Ported"), (6, "second.import", "Sid Port"))


def _domain(name: str) -> str:
    return f"{slugify(name)}.example.com"


def _person(email: str, full_name: str, build: DemoBuild) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name, date_joined=build.at(30))
        user.set_unusable_password()
        user.save()
    return user


def build_invitations(build: DemoBuild) -> None:
    """Pending invitations and not-yet-invited contacts (see the module's doc)."""
    suppliers = Supplier.objects.in_bulk(build.supplier_ids)
    members = Member.objects.in_bulk(build.member_ids)
    inviters = {
        prefix: User.objects.get(email=f"{prefix}example.org")
        for prefix in ("supplier@", "team@")
    }
    expiry = datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    for supplier_index, member_index, local, name, by, sent_days, token in INVITATIONS:
        supplier = (
            suppliers[build.supplier_ids[supplier_index]]
            if supplier_index is not None
            else None
        )
        member = (
            members[build.member_ids[member_index]]
            if member_index is not None
            else None
        )
        email = f"{local}@{_domain((supplier or member).name)}"
        if Invitation.objects.filter(
            email=email, supplier=supplier, member=member
        ).exists():
            continue
        sent_at = build.at(sent_days) if sent_days is not None else None
        Invitation.objects.create(
            email=email,
            full_name=name,
            supplier=supplier,
            member=member,
            invited_by=inviters[by],
            user=_person(email, name, build),
            token_hash=token_hash(token) if token else "",
            send_key=f"demo-{local}" if sent_at else "",
            send_count=1 if sent_at else 0,
            created_at=sent_at or build.at(1),
            sent_at=sent_at,
            expires_at=sent_at + expiry if sent_at else None,
        )
    for supplier_index, local, name in IMPORTED:
        supplier = suppliers[build.supplier_ids[supplier_index]]
        user = _person(f"{local}@{_domain(supplier.name)}", name, build)
        SupplierContact.objects.get_or_create(
            user=user,
            supplier=supplier,
            defaults={"created_at": build.at(10), "is_primary": False},
        )
