"""Members are told (issue 22): a weekly email to each member viewer listing the
contracts of theirs whose returns were approved, and one when a contract of theirs
becomes at risk of ending short.

Both go through the ledger, so each is sent once whatever happens:
- `member_approved`: one row per (viewer, approved return, "member:<id>"): a return
  is told to a viewer once, and the rows one run queues for a person go as one
  email (the ledger sends a person's rows of a kind together). The job runs weekly
  and skips a viewer who was sent one in the last week (`DIGEST_EVERY`), so nobody
  gets more than one a week, even when someone runs it by hand.
- `member_at_risk`: one row per (viewer, "contract:<id>:<ends on>"), no return: a
  contract is told once (again only if its end date moves and it is at risk anew).

Every figure in these emails is an approved return's (`figures.reported_lines`),
read when the email is sent: a return reopened since it was queued drops out, and
an email with nothing left to say is skipped, never sent. A viewer can turn each
kind off (`MemberEmailPreference`); rows queued before are then skipped.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import MemberViewer
from frameworks.models import Contract, Member

from ...figures import at_risk_list, reported_lines
from ...models import AnnualReturn, MemberEmailPreference, Notification
from .ledger import notifications_queue

Kind = Notification.Kind
# At most one approvals email in any 7 days, less an hour's grace so that the Monday
# job, a few seconds earlier than last week's sending, never skips a week.
DIGEST_EVERY = datetime.timedelta(days=7) - datetime.timedelta(hours=1)
# Approvals older than this are never told: the first run after the feature goes
# live does not mail every approval since the portal began.
APPROVED_LOOKBACK = datetime.timedelta(days=28)


class NothingToTell(Exception):
    """The rows' email has nothing left to say (returns reopened, emails turned
    off): the ledger skips them."""


def member_email_preference(*, user) -> MemberEmailPreference:
    """The viewer's choices (both on without a row). Not saved."""
    return MemberEmailPreference.objects.filter(user=user).first() or (
        MemberEmailPreference(user=user)
    )


@transaction.atomic
def member_email_preference_set(
    *, user, approved_digest: bool, at_risk: bool
) -> MemberEmailPreference:
    """Saves which member emails the viewer wants. Called by the settings page."""
    preference, _ = MemberEmailPreference.objects.select_for_update().get_or_create(
        user=user
    )
    preference.approved_digest = approved_digest
    preference.at_risk = at_risk
    preference.updated_at = timezone.now()
    preference.save()
    return preference


def _turned_off(field: str) -> set[int]:
    return set(
        MemberEmailPreference.objects.filter(**{field: False}).values_list(
            "user_id", flat=True
        )
    )


def _viewers_by_member() -> dict[int, list]:
    viewers: dict[int, list] = defaultdict(list)
    for viewer in MemberViewer.objects.filter(
        user__is_active=True, member__is_active=True
    ).select_related("user"):
        viewers[viewer.member_id].append(viewer.user)
    return viewers


def _approved_queue(*, now, viewers: dict[int, list]) -> list[int]:
    """Rows for every viewer of each member with lines on returns approved in the
    lookback, unless the viewer turned the digest off or had one in the last week."""
    off = _turned_off("approved_digest")
    recent = set(
        Notification.objects.filter(
            kind=Kind.MEMBER_APPROVED,
            status=Notification.Status.SENT,
            sent_at__gt=now - DIGEST_EVERY,
        ).values_list("recipient_id", flat=True)
    )
    pairs = (
        reported_lines()
        .filter(
            member_id__in=list(viewers),
            annual_return__approved_at__gte=now - APPROVED_LOOKBACK,
        )
        .order_by()
        .values_list("member_id", "annual_return_id")
        .distinct()
    )
    returns = AnnualReturn.objects.in_bulk({pk for _, pk in pairs})
    queued = []
    for member_id, return_id in sorted(pairs):
        people = [
            user
            for user in viewers[member_id]
            if user.pk not in off and user.pk not in recent
        ]
        queued += notifications_queue(
            recipients=people,
            kind=Kind.MEMBER_APPROVED,
            annual_return=returns[return_id],
            key=f"member:{member_id}",
            send=False,
        )
    return queued


def _at_risk_queue(*, today: datetime.date, viewers: dict[int, list]) -> list[int]:
    """Rows for every viewer of a member with a contract at risk (the member home's
    list: their approved years, contracts still theirs), once per contract and end
    date."""
    off = _turned_off("at_risk")
    queued = []
    for member_id, people in sorted(viewers.items()):
        people = [user for user in people if user.pk not in off]
        if not people:
            continue
        lines = reported_lines().filter(
            member_id=member_id, contract__member_id=member_id
        )
        for row in at_risk_list(today=today, lines=lines):
            queued += notifications_queue(
                recipients=people,
                kind=Kind.MEMBER_AT_RISK,
                key=f"contract:{row.contract_id}:{row.ends_on.isoformat()}",
                send=False,
            )
    return queued


def member_notices_queue(*, now: datetime.datetime | None = None) -> list[int]:
    """The weekly job: queues what members should be told and returns the ids of
    the rows queued (to send). Safe to run twice, or twice at once: the ledger's
    unique rows are the guarantee. Called by the `member-notices` beat task and
    `manage.py member_notices`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    viewers = _viewers_by_member()
    with transaction.atomic():
        queued = _approved_queue(now=now, viewers=viewers)
        queued += _at_risk_queue(today=today, viewers=viewers)
    return queued


def _member_of(row: Notification) -> int | None:
    prefix, _, member_id = row.key.partition(":")
    return int(member_id) if prefix == "member" and member_id.isdigit() else None


def _contract_of(row: Notification) -> int | None:
    parts = row.key.split(":")
    if len(parts) >= 2 and parts[0] == "contract" and parts[1].isdigit():
        return int(parts[1])
    return None


def member_email_context(rows: list[Notification]) -> dict:
    """What a member email says, read now from approved returns only. Raises
    NothingToTell when nothing is left (returns reopened since, or the viewer
    turned the kind off)."""
    recipient = rows[0].recipient
    kind = rows[0].kind
    preference = member_email_preference(user=recipient)
    wanted = (
        preference.approved_digest
        if kind == Kind.MEMBER_APPROVED
        else preference.at_risk
    )
    if not wanted:
        raise NothingToTell("the viewer turned these emails off")
    context = {
        "recipient": recipient,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        "subject_prefix": settings.ACCOUNT_EMAIL_SUBJECT_PREFIX,
    }
    viewed = set(
        MemberViewer.objects.filter(user=recipient).values_list("member_id", flat=True)
    )
    if kind == Kind.MEMBER_APPROVED:
        wanted_lines = defaultdict(set)
        for row in rows:
            member_id = _member_of(row)
            if member_id in viewed and row.annual_return_id:
                wanted_lines[member_id].add(row.annual_return_id)
        lines = []
        for member_id, return_ids in wanted_lines.items():
            lines += list(
                reported_lines()
                .filter(member_id=member_id, annual_return_id__in=return_ids)
                .select_related(
                    "contract",
                    "member",
                    "annual_return__supplier",
                    "annual_return__year",
                )
                .order_by("member__name", "contract__reference")
            )
        if not lines:
            raise NothingToTell("no approved return left to tell")
        context["lines"] = lines
        context["members"] = sorted({line.member.name for line in lines})
        return context
    contract_ids = {_contract_of(row) for row in rows} - {None}
    contracts = list(
        Contract.objects.filter(pk__in=contract_ids, member_id__in=viewed)
        .select_related("member", "supplier")
        .order_by("ends_on", "reference")
    )
    at_risk = []
    today = timezone.localdate()
    for member in Member.objects.filter(
        pk__in={contract.member_id for contract in contracts}
    ):
        lines = reported_lines().filter(
            member=member, contract__member=member, contract_id__in=contract_ids
        )
        at_risk += list(at_risk_list(today=today, lines=lines))
    if not at_risk:
        raise NothingToTell("no contract is at risk any more")
    context["contracts"] = sorted(at_risk, key=lambda row: (row.ends_on, row.reference))
    context["today"] = today
    return context


def member_notices_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queues the week's member emails and sends them, one per person and kind.
    Returns how many rows were queued and emails the mail server accepted."""
    from .delivery import notifications_deliver

    queued = member_notices_queue(now=now)
    delivered = notifications_deliver(notification_ids=queued)
    return {"queued": len(queued), "emails": delivered.emails}
