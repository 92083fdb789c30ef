"""Writes of the support app: the team's contact details, and a supplier's requests
of the team with the team's answers and decisions.

A request is made by a contact of the return's supplier and answered (help) or
granted or refused (more time, reopening, a missing contract) by the team, always
with words the supplier sees. Each move records a `ReturnEvent` on the return and
emails the other side through the Notification ledger: a new request goes to the
team's address (`support_raised`), a decision to the person who asked and the
supplier's active contacts (`support_decided`, one row per person and request, so a
retry never sends twice). A second identical post changes nothing: the same request
made again while the first is open is the first, and the same decision taken again
is the decision already taken.

Granting uses the return's own services, so the rules hold as everywhere else:
more time is `return_extend` (the date becomes the return's deadline wherever it is
shown and used, the end of that day in London); reopening is `return_send_back` (a
submitted return) or `return_reopen` (an approved one, administrators only), which
keep the submitted versions in their events; a missing contract becomes a line with
spend and target worked out by the issuing rules (`contract_spend_and_target`).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import SupplierContact
from accounts.permissions import is_administrator, is_team
from core import limits
from core.limits import require_length
from core.numbers import round_money
from frameworks.models import Contract, Member
from returns import events
from returns.models import AnnualReturn, Notification, ReturnLine
from returns.services.chasing import return_extend
from returns.services.events import event_record
from returns.services.issuing.plan import contract_spend_and_target, qualifies
from returns.services.notifications import notifications_queue
from returns.services.notifications.ledger import notification_queue_to_address
from returns.services.review import return_reopen, return_send_back
from returns.services.summary import summary_refresh

from . import selectors
from .models import MESSAGE_MAX_LENGTH, PHONE_MAX_LENGTH, SupportRequest, TeamContact

MESSAGE_NEEDED = "Enter your question for the social value team"
REASON_NEEDED = "Enter the reason"
ANSWER_NEEDED = "Enter your answer"
PHONE_NEEDED = "Enter the phone number the team should call"
PHONE_WRONG = "Enter a phone number, like 01632 960 001"
NOT_YOURS = "Only a contact of this supplier can ask the team about its return"
NOT_TEAM = "Only the social value team can decide requests"
NOT_REQUIRED_RETURN = "This return is not required: there is nothing to ask about it"
LINE_NOT_ON_RETURN = "That contract is not on this return"
DEADLINE_NEEDED = "Enter the date you need"
DEADLINE_NOT_LATER = "Ask for a date after the deadline, {deadline:%-d %B %Y}"
EXTENSION_NOT_OPEN = (
    "More time can be asked for only while the return is not submitted: it is {status}"
)
REOPEN_NOT_CLOSED = (
    "Only a submitted or approved return can be reopened: this one is {status}, "
    "so you can change it yourself"
)
ALREADY_ASKED = (
    "You have already asked for this on return {reference}: the team will answer it"
)
MEMBER_NEEDED = "Select the member the contract is with"
CONTRACT_REFERENCE_NEEDED = "Enter the contract's reference"
CONTRACT_TITLE_NEEDED = "Enter the contract's title"
SPEND_NEEDED = "Enter the spend in the year, in pounds"
SPEND_NEGATIVE = "The spend cannot be negative"
ALREADY_DECIDED = "This request has already been {status}"
HELP_IS_ANSWERED = "A request for help is answered, not granted or refused"
DECISION_UNKNOWN = "Choose whether to grant or refuse the request"
REOPEN_ADMINISTRATOR = "Only an administrator can reopen an approved return"
CONTRACT_UNKNOWN = (
    "There is no contract {reference}: add it and its valuations through the "
    "reference data import first, then grant this request"
)
CONTRACT_OTHER_SUPPLIER = "Contract {reference} is {supplier}'s, not this supplier's"
CONTRACT_ON_RETURN = "Contract {reference} is already on this return"
CONTRACT_CANCELLED = "Contract {reference} is cancelled: it never went ahead"
CONTRACT_OUTSIDE_YEAR = "Contract {reference} did not run in {year}"
CONTRACT_DOES_NOT_QUALIFY = (
    "Contract {reference}'s spend in {year} is {spend}, below the year's threshold "
    "of {threshold}: by the issuing rules it does not belong on the return"
)
RETURN_NOT_OPEN_FOR_LINE = (
    "Return {reference} is {status}: send it back to the supplier (or, if approved, "
    "reopen it) before adding a contract"
)


def _clean(text) -> str:
    return (text or "").strip()


# What each text is called in the refusal (core.limits' words, as the forms say).
LABELS = {
    "message": "Your question",
    "reason": "The reason",
    "answer": "The answer",
}


def _limited(text: str, field: str, limit: int = MESSAGE_MAX_LENGTH) -> str:
    require_length(text, label=LABELS[field], limit=limit, field=field)
    return text


def decision_limit(kind: str) -> int:
    """How long the team's reason may be: a granted extension's reason becomes the
    return's `extension_reason` (a note); the others' fit a message."""
    return limits.NOTE if kind == SupportRequest.Kind.EXTENSION else MESSAGE_MAX_LENGTH


# ---------------------------------------------------------------------------
# The team's contact details


@transaction.atomic
def team_contact_update(
    *, name: str, email: str, phone: str = "", hours: str = "", acting_user
) -> TeamContact:
    """Sets the team's contact details (one row), which every page's footer shows.
    Called by the admin, for administrators."""
    if not is_administrator(acting_user):
        raise PermissionDenied("Only an administrator can change the team's details")
    contact, _ = TeamContact.objects.select_for_update().get_or_create(
        key="team", defaults={"email": email}
    )
    contact.name = _clean(name) or "Social value team"
    contact.email = _clean(email)
    contact.phone = _clean(phone)
    contact.hours = _clean(hours)
    contact.updated_at = timezone.now()
    contact._history_user = acting_user
    contact.save()
    return contact


def team_address() -> str:
    """Where requests are emailed: the team's address as an administrator set it,
    else PORTAL_TEAM_EMAIL."""
    return selectors.team_contact().email


# ---------------------------------------------------------------------------
# Requests


def _lock_return(annual_return: AnnualReturn) -> AnnualReturn:
    return (
        AnnualReturn.objects.select_for_update()
        .select_related("supplier", "year")
        .get(pk=annual_return.pk)
    )


def _check_contact(annual_return: AnnualReturn, acting_user) -> None:
    if not SupplierContact.objects.filter(
        user=acting_user,
        supplier_id=annual_return.supplier_id,
        is_active=True,
        supplier__is_active=True,
    ).exists():
        raise PermissionDenied(NOT_YOURS)


def _status_words(annual_return: AnnualReturn) -> str:
    return annual_return.get_status_display().lower()


def _same_open_request(fields: dict) -> SupportRequest | None:
    """The open request these very fields would make again (a second post)."""
    return (
        SupportRequest.objects.filter(status=SupportRequest.Status.OPEN, **fields)
        .order_by("pk")
        .first()
    )


def _create(annual_return: AnnualReturn, fields: dict) -> SupportRequest:
    """Creates the request (or returns the same one still open), records the event
    and emails the team."""
    same = _same_open_request({"annual_return": annual_return, **fields})
    if same is not None:
        return same
    support_request = SupportRequest.objects.create(
        annual_return=annual_return, **fields
    )
    line = support_request.line
    event_record(
        annual_return=annual_return,
        kind=events.REQUEST_MADE,
        actor=support_request.raised_by,
        comment=f"{support_request.title}: {support_request.message}",
        snapshot={
            "request_id": support_request.pk,
            "kind": support_request.kind,
            "line_id": line.pk if line else None,
            "contract": line.contract.reference if line else None,
        },
    )
    _email_team(support_request)
    return support_request


def _email_team(support_request: SupportRequest) -> None:
    annual_return = support_request.annual_return
    person = support_request.raised_by
    line = support_request.line
    notification_queue_to_address(
        address=team_address(),
        kind=Notification.Kind.SUPPORT_RAISED,
        key=f"support:{support_request.pk}",
        payload={
            "title": support_request.title,
            "supplier_name": annual_return.supplier.name,
            "return_reference": annual_return.reference,
            "contract": (
                f"{line.contract.reference} {line.contract.title}" if line else ""
            ),
            "actor_name": person.full_name or person.email,
            "actor_email": person.email,
            "message": support_request.message,
            "call_me": support_request.call_me,
            "phone": support_request.phone,
            "details": _details(support_request),
            "path": reverse("support_team:detail", args=[support_request.pk]),
        },
    )


def _details(support_request: SupportRequest) -> list[str]:
    """What the request asks for beyond its message, as lines of text for the
    team's email (formatted here, where the numbers are known)."""
    if support_request.kind == SupportRequest.Kind.EXTENSION:
        day = support_request.requested_deadline
        return [f"Date asked for: {day.day} {day:%B %Y}"]
    if support_request.kind == SupportRequest.Kind.MISSING_CONTRACT:
        return [
            f"Member: {support_request.member.name if support_request.member else ''}",
            f"Contract reference: {support_request.contract_reference}",
            f"Contract title: {support_request.contract_title}",
            f"Spend in the year: £{support_request.spend:,.2f}",
        ]
    return []


def _start(annual_return: AnnualReturn, acting_user) -> AnnualReturn:
    annual_return = _lock_return(annual_return)
    _check_contact(annual_return, acting_user)
    if annual_return.status == AnnualReturn.Status.NOT_REQUIRED:
        raise ValidationError(NOT_REQUIRED_RETURN)
    return annual_return


def _one_open(annual_return: AnnualReturn, kind: str, fields: dict) -> None:
    """More time and reopening are asked for once at a time: a different request
    of the same kind while one is open is refused (the same one is the first)."""
    open_ = SupportRequest.objects.filter(
        annual_return=annual_return, kind=kind, status=SupportRequest.Status.OPEN
    )
    if open_.exists() and not open_.filter(**fields).exists():
        raise ValidationError(ALREADY_ASKED.format(reference=annual_return.reference))


@transaction.atomic
def help_request_raise(
    *,
    annual_return: AnnualReturn,
    line: ReturnLine | None = None,
    acting_user,
    message: str,
    call_me: bool = False,
    phone: str = "",
) -> SupportRequest:
    """A contact asks the team for help with their return, or one contract on it,
    optionally asking for a call back on `phone`. Called by the "Ask the team for
    help" page."""
    annual_return = _start(annual_return, acting_user)
    if line is not None and line.annual_return_id != annual_return.pk:
        raise ValidationError(LINE_NOT_ON_RETURN)
    message = _limited(_clean(message), "message")
    errors = {}
    if not message:
        errors["message"] = MESSAGE_NEEDED
    phone = _clean(phone) if call_me else ""
    if call_me and not phone:
        errors["phone"] = PHONE_NEEDED
    elif phone and (
        len(phone) > PHONE_MAX_LENGTH
        or sum(c.isdigit() for c in phone) < 7
        or any(not (c.isdigit() or c in " +()-") for c in phone)
    ):
        errors["phone"] = PHONE_WRONG
    if errors:
        raise ValidationError(errors)
    return _create(
        annual_return,
        {
            "kind": SupportRequest.Kind.HELP,
            "line": line,
            "raised_by": acting_user,
            "message": message,
            "call_me": bool(call_me),
            "phone": phone,
        },
    )


@transaction.atomic
def extension_request_raise(
    *,
    annual_return: AnnualReturn,
    acting_user,
    deadline: datetime.date | None,
    reason: str,
) -> SupportRequest:
    """A contact asks for a later deadline, with a reason. Only while the return is
    open to them (not submitted, approved or not required)."""
    annual_return = _start(annual_return, acting_user)
    if annual_return.status not in AnnualReturn.EDITABLE:
        raise ValidationError(
            EXTENSION_NOT_OPEN.format(status=_status_words(annual_return))
        )
    reason = _limited(_clean(reason), "reason")
    errors = {}
    if deadline is None:
        errors["deadline"] = DEADLINE_NEEDED
    elif deadline <= annual_return.effective_deadline:
        errors["deadline"] = DEADLINE_NOT_LATER.format(
            deadline=annual_return.effective_deadline
        )
    if not reason:
        errors["reason"] = REASON_NEEDED
    if errors:
        raise ValidationError(errors)
    fields = {"requested_deadline": deadline, "message": reason}
    _one_open(annual_return, SupportRequest.Kind.EXTENSION, fields)
    return _create(
        annual_return,
        {"kind": SupportRequest.Kind.EXTENSION, "raised_by": acting_user, **fields},
    )


@transaction.atomic
def reopen_request_raise(
    *, annual_return: AnnualReturn, acting_user, reason: str
) -> SupportRequest:
    """A contact asks for their submitted or approved return back, to correct it,
    saying what is wrong."""
    annual_return = _start(annual_return, acting_user)
    if annual_return.status not in (
        AnnualReturn.Status.SUBMITTED,
        AnnualReturn.Status.APPROVED,
    ):
        raise ValidationError(
            REOPEN_NOT_CLOSED.format(status=_status_words(annual_return))
        )
    reason = _limited(_clean(reason), "reason")
    if not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    fields = {"message": reason}
    _one_open(annual_return, SupportRequest.Kind.REOPEN, fields)
    return _create(
        annual_return,
        {"kind": SupportRequest.Kind.REOPEN, "raised_by": acting_user, **fields},
    )


@transaction.atomic
def missing_contract_request_raise(
    *,
    annual_return: AnnualReturn,
    acting_user,
    member: Member | None,
    contract_reference: str,
    contract_title: str,
    spend: Decimal | None,
    message: str = "",
) -> SupportRequest:
    """A contact says they have a contract with a member on the frameworks that is
    not on this return: which member, its reference and title, and the spend in the
    year as they know it."""
    annual_return = _start(annual_return, acting_user)
    contract_reference = _clean(contract_reference)
    contract_title = _clean(contract_title)
    # Refused over the model's limits, never cut short (core.limits' words).
    require_length(
        contract_reference,
        label="The contract's reference",
        limit=SupportRequest._meta.get_field("contract_reference").max_length,
        field="contract_reference",
    )
    require_length(
        contract_title,
        label="The contract's title",
        limit=SupportRequest._meta.get_field("contract_title").max_length,
        field="contract_title",
    )
    message = _limited(_clean(message), "message")
    errors = {}
    if member is None:
        errors["member"] = MEMBER_NEEDED
    if not contract_reference:
        errors["contract_reference"] = CONTRACT_REFERENCE_NEEDED
    if not contract_title:
        errors["contract_title"] = CONTRACT_TITLE_NEEDED
    if spend is None:
        errors["spend"] = SPEND_NEEDED
    elif spend < 0:
        errors["spend"] = SPEND_NEGATIVE
    if errors:
        raise ValidationError(errors)
    return _create(
        annual_return,
        {
            "kind": SupportRequest.Kind.MISSING_CONTRACT,
            "raised_by": acting_user,
            "member": member,
            "contract_reference": contract_reference,
            "contract_title": contract_title,
            "spend": round_money(spend),
            "message": message
            or f"Contract {contract_reference} is missing from the return",
        },
    )


# ---------------------------------------------------------------------------
# The team's answers and decisions


def _people_to_tell(support_request: SupportRequest) -> list:
    people = [
        contact.user
        for contact in SupplierContact.objects.filter(
            supplier_id=support_request.annual_return.supplier_id,
            is_active=True,
            user__is_active=True,
        ).select_related("user")
    ]
    raiser = support_request.raised_by
    if raiser.is_active and not is_team(raiser):
        people.insert(0, raiser)
    return people


def decision_email_key(support_request: SupportRequest) -> str:
    """The ledger key of the email that tells the supplier the team's answer: one
    per request and person."""
    return f"support:{support_request.pk}"


def _lock(support_request: SupportRequest) -> tuple[AnnualReturn, SupportRequest]:
    # The return first, as every writer of a return does; then the request.
    return_id = (
        SupportRequest.objects.filter(pk=support_request.pk)
        .values_list("annual_return_id", flat=True)
        .get()
    )
    annual_return = _lock_return(AnnualReturn(pk=return_id))
    locked = (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("raised_by", "line__contract", "member")
        .get(pk=support_request.pk)
    )
    locked.annual_return = annual_return
    return annual_return, locked


def _already(support_request: SupportRequest, status: str, answer: str, **same):
    """None while the request is open; the request itself when it was decided
    exactly so before (a second post); else the refusal."""
    if support_request.is_open:
        return None
    if (
        support_request.status == status
        and support_request.answer == answer
        and all(getattr(support_request, k) == v for k, v in same.items())
    ):
        return support_request
    raise ValidationError(
        ALREADY_DECIDED.format(status=support_request.get_status_display().lower())
    )


def _close(
    support_request: SupportRequest,
    annual_return: AnnualReturn,
    *,
    status: str,
    answer: str,
    acting_user,
    snapshot: dict | None = None,
) -> SupportRequest:
    support_request.status = status
    support_request.answer = answer
    support_request.decided_by = acting_user
    support_request.decided_at = timezone.now()
    support_request._history_user = acting_user
    support_request.save()
    event_record(
        annual_return=annual_return,
        kind=events.REQUEST_DECIDED,
        actor=acting_user,
        comment=f"{support_request.title}: "
        f"{support_request.get_status_display().lower()}. {answer}",
        snapshot={
            "request_id": support_request.pk,
            "kind": support_request.kind,
            "status": status,
            **(snapshot or {}),
        },
    )
    notifications_queue(
        recipients=_people_to_tell(support_request),
        kind=Notification.Kind.SUPPORT_DECIDED,
        annual_return=annual_return,
        key=decision_email_key(support_request),
    )
    return support_request


@transaction.atomic
def help_request_answer(
    *, support_request: SupportRequest, acting_user, answer: str
) -> SupportRequest:
    """The team's answer to a request for help, which closes it; the supplier is
    emailed the answer once. Called by the team's request page."""
    if not is_team(acting_user):
        raise PermissionDenied(NOT_TEAM)
    annual_return, support_request = _lock(support_request)
    if support_request.kind != SupportRequest.Kind.HELP:
        raise ValidationError(DECISION_UNKNOWN)
    answer = _limited(_clean(answer), "answer")
    if not answer:
        raise ValidationError({"answer": ANSWER_NEEDED})
    done = _already(support_request, SupportRequest.Status.ANSWERED, answer)
    if done is not None:
        return done
    return _close(
        support_request,
        annual_return,
        status=SupportRequest.Status.ANSWERED,
        answer=answer,
        acting_user=acting_user,
    )


@transaction.atomic
def support_request_decide(
    *,
    support_request: SupportRequest,
    acting_user,
    grant: bool,
    reason: str,
    deadline: datetime.date | None = None,
    contract_reference: str = "",
) -> SupportRequest:
    """The team grants or refuses a request for more time (granting a date: the
    one asked for unless `deadline` says otherwise), to reopen a return, or to add a
    missing contract (granting names the contract in the reference data, which may
    differ from what the supplier typed). A reason is always needed: the supplier
    sees it. Called by the team's request page."""
    if not is_team(acting_user):
        raise PermissionDenied(NOT_TEAM)
    annual_return, support_request = _lock(support_request)
    if support_request.kind == SupportRequest.Kind.HELP:
        raise ValidationError(HELP_IS_ANSWERED)
    reason = _limited(
        _clean(reason), "reason", limit=decision_limit(support_request.kind)
    )
    if not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    Status = SupportRequest.Status
    if not grant:
        done = _already(support_request, Status.REFUSED, reason)
        if done is not None:
            return done
        return _close(
            support_request,
            annual_return,
            status=Status.REFUSED,
            answer=reason,
            acting_user=acting_user,
        )
    kind = support_request.kind
    if kind == SupportRequest.Kind.EXTENSION:
        deadline = deadline or support_request.requested_deadline
        done = _already(
            support_request, Status.GRANTED, reason, granted_deadline=deadline
        )
        if done is not None:
            return done
        return_extend(
            annual_return=annual_return,
            deadline=deadline,
            reason=reason,
            acting_user=acting_user,
        )
        support_request.granted_deadline = deadline
        return _close(
            support_request,
            annual_return,
            status=Status.GRANTED,
            answer=reason,
            acting_user=acting_user,
            snapshot={"deadline": deadline.isoformat()},
        )
    if kind == SupportRequest.Kind.REOPEN:
        done = _already(support_request, Status.GRANTED, reason)
        if done is not None:
            return done
        _reopen(annual_return, acting_user=acting_user, reason=reason)
        return _close(
            support_request,
            annual_return,
            status=Status.GRANTED,
            answer=reason,
            acting_user=acting_user,
        )
    reference = _clean(contract_reference) or support_request.contract_reference
    if not support_request.is_open:
        added = support_request.added_line
        if (
            support_request.status == Status.GRANTED
            and support_request.answer == reason
            and added is not None
            and added.contract.reference == reference
        ):
            return support_request
        _already(support_request, "", "")  # raises: decided otherwise
    line = _add_line(annual_return, reference=reference, acting_user=acting_user)
    support_request.added_line = line
    return _close(
        support_request,
        annual_return,
        status=Status.GRANTED,
        answer=reason,
        acting_user=acting_user,
        snapshot={"line_id": line.pk, "contract": reference},
    )


def _reopen(annual_return: AnnualReturn, *, acting_user, reason: str) -> None:
    """Sends the return back to the supplier by the review services (which keep
    the submitted versions in their events and email the contacts)."""
    if annual_return.status == AnnualReturn.Status.SUBMITTED:
        return_send_back(annual_return=annual_return, user=acting_user, reason=reason)
    elif annual_return.status == AnnualReturn.Status.APPROVED:
        if not is_administrator(acting_user):
            raise ValidationError(REOPEN_ADMINISTRATOR)
        return_reopen(annual_return=annual_return, user=acting_user, reason=reason)
    else:
        raise ValidationError(
            REOPEN_NOT_CLOSED.format(status=_status_words(annual_return))
        )
    annual_return.refresh_from_db()


def _add_line(
    annual_return: AnnualReturn, *, reference: str, acting_user
) -> ReturnLine:
    """A line for the contract on this return, as an issue would write it (rules 3
    to 5): the contract must be the supplier's, not cancelled, running in the year
    and qualifying by its spend; spend and target come from its valuations."""
    if annual_return.status not in AnnualReturn.EDITABLE:
        raise ValidationError(
            RETURN_NOT_OPEN_FOR_LINE.format(
                reference=annual_return.reference, status=_status_words(annual_return)
            )
        )
    contract = (
        Contract.objects.select_related("supplier", "lot", "member")
        .filter(reference=reference)
        .first()
    )
    year = annual_return.year
    if contract is None:
        raise ValidationError(
            {"contract_reference": CONTRACT_UNKNOWN.format(reference=reference)}
        )
    words = {"reference": contract.reference, "year": year.label}
    if contract.supplier_id != annual_return.supplier_id:
        raise ValidationError(
            CONTRACT_OTHER_SUPPLIER.format(supplier=contract.supplier.name, **words)
        )
    if ReturnLine.objects.filter(
        annual_return=annual_return, contract=contract
    ).exists():
        raise ValidationError(CONTRACT_ON_RETURN.format(**words))
    if contract.status == Contract.Status.CANCELLED:
        raise ValidationError(CONTRACT_CANCELLED.format(**words))
    if contract.starts_on > year.ends_on or contract.ends_on < year.starts_on:
        raise ValidationError(CONTRACT_OUTSIDE_YEAR.format(**words))
    spend, target = contract_spend_and_target(contract_id=contract.pk, year=year)
    if not qualifies(
        spend=spend, is_consultancy=contract.lot.is_consultancy, year=year
    ):
        raise ValidationError(
            CONTRACT_DOES_NOT_QUALIFY.format(
                spend=f"£{spend:,.2f}",
                threshold=f"£{year.spend_threshold:,.2f}",
                **words,
            )
        )
    line = ReturnLine(
        annual_return=annual_return,
        contract=contract,
        member_id=contract.member_id,
        lot_id=contract.lot_id,
        local_authority_id=contract.local_authority_id,
        spend=spend,
        target_credits=target,
    )
    line._history_user = acting_user
    line.save()
    summary_refresh(contract_ids=[contract.pk])
    event_record(
        annual_return=annual_return,
        kind=events.LINE_ADDED,
        actor=acting_user,
        comment=contract.reference,
        snapshot={
            "lines": [
                {
                    "contract": contract.reference,
                    "spend": str(spend),
                    "target": str(target),
                }
            ],
            "reason": "missing contract reported by the supplier",
        },
    )
    return line
