"""Reads about people and their organisations."""

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404

from frameworks.models import Member, Supplier
from returns.models import Notification

from .models import Invitation, SupplierContact


def suppliers_for_user(*, user) -> QuerySet[Supplier]:
    """The suppliers a person reports for (active links to active suppliers)."""
    if not user.is_authenticated:
        return Supplier.objects.none()
    return Supplier.objects.filter(
        contacts__user=user, contacts__is_active=True, is_active=True
    ).distinct()


def members_for_user(*, user) -> QuerySet[Member]:
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.filter(
        viewers__user=user, viewers__is_active=True, is_active=True
    ).distinct()


SESSION_SUPPLIER_KEY = "current_supplier_id"


def current_supplier(*, request) -> Supplier | None:
    """The supplier a contact is working for: the one they switched to in this session,
    else the first of theirs by name. None for someone who is no supplier's contact."""
    suppliers = suppliers_for_user(user=request.user).order_by("name")
    chosen = request.session.get(SESSION_SUPPLIER_KEY)
    if chosen is not None:
        supplier = suppliers.filter(pk=chosen).first()
        if supplier is not None:
            return supplier
    return suppliers.first()


def _open_invitations():
    return Invitation.objects.filter(
        accepted_at__isnull=True, withdrawn_at__isnull=True
    )


def contacts_without_account() -> QuerySet:
    """Active contacts of active suppliers who cannot sign in yet (imported, or
    invited and not yet accepted), each with `sent_invitation` (an open invitation
    has been emailed) and `invitation_expires_at` annotated. For the team's bulk
    send."""
    open_for_contact = _open_invitations().filter(
        supplier=OuterRef("supplier"), email__iexact=OuterRef("user__email")
    )
    return (
        SupplierContact.objects.filter(
            is_active=True, supplier__is_active=True, user__is_active=True
        )
        .filter(Q(user__password__startswith="!") | Q(user__password=""))
        .select_related("user", "supplier")
        .annotate(
            sent_invitation=Exists(open_for_contact.exclude(send_key="")),
            invitation_expires_at=Subquery(
                open_for_contact.order_by("-pk").values("expires_at")[:1]
            ),
        )
    )


def invitations_for_team(*, state: str = "open") -> QuerySet:
    """Invitations for the team's people page, newest first: `open` (sent or not,
    expired or not), or `all`; each with `send_failed` (the latest send's email could
    not be sent, per the ledger)."""
    latest_send_failed = Notification.objects.filter(
        kind=Notification.Kind.INVITATION,
        status=Notification.Status.FAILED,
        annual_return__isnull=True,
        key=Concat(
            Value("inv"),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            OuterRef("send_key"),
            output_field=CharField(),
        ),
    )
    invitations = (
        Invitation.objects.select_related("supplier", "member", "invited_by", "user")
        .annotate(send_failed=Exists(latest_send_failed))
        .order_by("-created_at", "-pk")
    )
    if state == "open":
        invitations = invitations.filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True
        )
    return invitations


def supplier_colleagues(*, supplier: Supplier) -> QuerySet:
    """A supplier's active contacts, primary first, then by name."""
    return (
        SupplierContact.objects.filter(supplier=supplier, is_active=True)
        .select_related("user")
        .order_by("-is_primary", "user__full_name", "user__email")
    )


def supplier_open_invitations(*, supplier: Supplier) -> QuerySet:
    return (
        _open_invitations()
        .filter(supplier=supplier)
        .select_related("invited_by")
        .order_by("email")
    )


def colleague_get(*, user, contact_id: int):
    """One contact of a supplier the user reports for; 404 for anyone else's."""
    return get_object_or_404(
        SupplierContact.objects.select_related("user", "supplier").filter(
            supplier__in=suppliers_for_user(user=user), is_active=True
        ),
        pk=contact_id,
    )


def supplier_invitation_get(*, user, invitation_id: int):
    """One open invitation to a supplier the user reports for; 404 otherwise."""
    return get_object_or_404(
        _open_invitations()
        .select_related("supplier")
        .filter(supplier__in=suppliers_for_user(user=user)),
        pk=invitation_id,
    )


def recent_contact_changes(*, limit: int = 15) -> list:
    """The latest changes to supplier contacts (from their history), newest first,
    with who made each: what the team sees of suppliers managing their colleagues."""
    records = list(
        SupplierContact.history.select_related(
            "user", "supplier", "history_user"
        ).order_by("-history_date", "-history_id")[:limit]
    )
    for record in records:
        if record.history_type == "+":
            record.summary = "Added"
            continue
        previous = record.prev_record
        changes = record.diff_against(previous).changed_fields if previous else []
        if "is_active" in changes:
            record.summary = "Removed" if not record.is_active else "Added again"
        elif "is_primary" in changes:
            record.summary = (
                "Made primary contact" if record.is_primary else "No longer primary"
            )
        else:
            record.summary = "Details changed"
    return records


SESSION_MEMBER_KEY = "current_member_id"


def current_member(*, request, members: list[Member] | None = None) -> Member | None:
    """The member a viewer is looking at: the one they switched to in this session,
    else the first of theirs by name. None for someone who views no member.
    `members`: theirs by name, when the page has them already (no query then)."""
    chosen = request.session.get(SESSION_MEMBER_KEY)
    if members is not None:
        picked = next((m for m in members if str(m.pk) == str(chosen)), None)
        return picked or (members[0] if members else None)
    members = members_for_user(user=request.user).order_by("name")
    if chosen is not None:
        member = members.filter(pk=chosen).first()
        if member is not None:
            return member
    return members.first()
