"""Reads for the team's review pages: the desk list of returns awaiting review, one
return with everything a reviewer needs, and what changed since the last submission.

The figures (target, delivered, big changes) come from `returns.figures`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404

from returns import events
from returns.figures import FIGURES
from returns.models import (
    AnnualReturn,
    CaseStudy,
    Evidence,
    IssueRun,
    LineQuery,
    Measure,
    ReturnEvent,
    ReturnLine,
)

from . import review_queue


def returns_awaiting_review(
    *, year=None, search: str = "", order: str = review_queue.ORDER_RANK
) -> review_queue.RankedQueue:
    """Submitted returns, ranked by what needs a look (`review_queue`: each reason
    counted, then the score) or the longest waiting first; a slice of it reads only
    those returns, with their reasons and counted and excluded lines. A fixed number
    of queries for any number of returns."""
    returns = AnnualReturn.objects.filter(
        status=AnnualReturn.Status.SUBMITTED
    ).select_related("supplier", "year", "submitted_by", "entered_by")
    if year is not None:
        returns = returns.filter(year=year)
    if search:
        returns = returns.filter(
            Q(reference__icontains=search) | Q(supplier__name__icontains=search)
        )
    return review_queue.RankedQueue(returns, order)


def return_totals(*, return_ids: list[int]) -> dict[int, dict]:
    """Target and delivered credits of the counted lines of each return (delivered
    here is what the supplier entered, whatever the return's status)."""
    from returns.figures import _sum

    rows = (
        ReturnLine.objects.filter(
            annual_return_id__in=return_ids, excluded_at__isnull=True
        )
        .order_by()
        .values("annual_return_id")
        .annotate(target=FIGURES["target"](), entered=_sum("delivered_credits"))
    )
    return {row["annual_return_id"]: row for row in rows}


def review_return_get(*, reference: str) -> AnnualReturn:
    """One return for the team (who may see every return), or 404."""
    return get_object_or_404(
        AnnualReturn.objects.select_related(
            "supplier", "year", "submitted_by", "entered_by", "approved_by"
        ),
        reference=reference,
    )


def review_lines(*, annual_return: AnnualReturn) -> list[ReturnLine]:
    return list(
        ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "member", "lot__framework", "excluded_by")
        .order_by("contract__reference")
    )


def review_evidence(*, annual_return: AnnualReturn) -> list[Evidence]:
    return list(
        Evidence.objects.filter(line__annual_return=annual_return)
        .select_related("line__contract", "uploaded_by")
        .order_by("line__contract__reference", "uploaded_at")
    )


def review_case_studies(*, annual_return: AnnualReturn) -> list[CaseStudy]:
    return list(
        CaseStudy.objects.filter(line__annual_return=annual_return)
        .select_related("line__contract")
        .order_by("line__contract__reference", "created_at")
    )


def review_open_queries(*, annual_return: AnnualReturn) -> list[LineQuery]:
    return list(
        LineQuery.objects.filter(
            line__annual_return=annual_return, answered_at__isnull=True
        )
        .select_related("line__contract", "raised_by")
        .order_by("raised_at")
    )


def return_events(*, annual_return: AnnualReturn) -> list[ReturnEvent]:
    return list(
        ReturnEvent.objects.filter(annual_return=annual_return)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def latest_send_back(*, annual_return: AnnualReturn) -> ReturnEvent | None:
    """The event that sent the return back (or reopened it), while it is with the
    supplier for amendment; None otherwise (no query then)."""
    if annual_return.status != AnnualReturn.Status.RETURNED:
        return None
    return (
        ReturnEvent.objects.filter(
            annual_return=annual_return, kind__in=[events.RETURNED, events.REOPENED]
        )
        .order_by("-at", "-id")
        .first()
    )


def comments_of(event: ReturnEvent | None) -> dict[int, str]:
    if event is None:
        return {}
    comments = (event.snapshot or {}).get("line_comments") or {}
    return {int(line_id): text for line_id, text in comments.items() if text}


def line_comments(*, annual_return: AnnualReturn) -> dict[int, str]:
    """{line id: the team's comment} from the latest send-back, while the return is
    with the supplier for amendment; empty otherwise. The supplier's task list shows
    "there is a problem" on these lines (set `line.sent_back_comment` from it)."""
    return comments_of(latest_send_back(annual_return=annual_return))


# --- What changed since the last submission ----------------------------------------

REASON_FIELDS = {
    "nothing_delivered_reason": "Nothing delivered: reason",
    "shortfall_reason": "Reason below target",
    "recovery_plan": "Recovery plan",
    "recovery_by": "Recover by",
    "excluded": "Excluded",
}


@dataclass
class LineChange:
    contract: str
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # what, was, now
    added: bool = False
    removed: bool = False


@dataclass
class SubmissionChanges:
    previous: ReturnEvent
    latest: ReturnEvent
    lines: list[LineChange]
    delivered_before: str
    delivered_now: str


def _quantity(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(text)


def _diff_line(before: dict, after: dict, names: dict[str, str]) -> list[tuple]:
    changes = []
    was_q = before.get("quantities") or {}
    now_q = after.get("quantities") or {}
    for code in sorted(set(was_q) | set(now_q)):
        was, now = _quantity(was_q.get(code)), _quantity(now_q.get(code))
        if was != now:
            changes.append(
                (
                    f"{names.get(code, code)} ({code})",
                    "none" if was is None else str(was),
                    "none" if now is None else str(now),
                )
            )
    for key, label in REASON_FIELDS.items():
        was, now = before.get(key), after.get(key)
        if (was or "") != (now or ""):
            changes.append((label, str(was or "(empty)"), str(now or "(empty)")))
    was, now = before.get("delivered_credits"), after.get("delivered_credits")
    if _quantity(was) != _quantity(now):
        changes.append(("Delivered credits", str(was), str(now)))
    return changes


def submission_changes(*, annual_return: AnnualReturn) -> SubmissionChanges | None:
    """What changed between the last two submissions, line by line, from the
    snapshots the submit service keeps in its events (`returns.services.submission.
    return_snapshot`: {"lines": [{"contract", "quantities": {code: "1.00"},
    reasons…, "delivered_credits", "excluded"}], "delivered_credits"}). None before
    a second submission."""
    submissions = list(
        ReturnEvent.objects.filter(annual_return=annual_return, kind=events.SUBMITTED)
        .select_related("actor")
        .order_by("-at", "-id")[:2]
    )
    if len(submissions) < 2:
        return None
    latest, previous = submissions
    before = {row["contract"]: row for row in previous.snapshot.get("lines", [])}
    after = {row["contract"]: row for row in latest.snapshot.get("lines", [])}
    names = dict(Measure.objects.values_list("code", "name"))
    changes = []
    for contract in sorted(set(before) | set(after)):
        if contract not in before:
            changes.append(LineChange(contract=contract, added=True))
            continue
        if contract not in after:
            changes.append(LineChange(contract=contract, removed=True))
            continue
        figures = _diff_line(before[contract], after[contract], names)
        if figures:
            changes.append(LineChange(contract=contract, figures=figures))
    return SubmissionChanges(
        previous=previous,
        latest=latest,
        lines=changes,
        delivered_before=previous.snapshot.get("delivered_credits", ""),
        delivered_now=latest.snapshot.get("delivered_credits", ""),
    )


# --- What a re-issue listed for submitted and approved returns ---------------------

REISSUE_CHANGED = "changed"
REISSUE_ADDED = "added"
REISSUE_NO_LONGER = "no_longer_qualifies"


@dataclass
class ReissueItem:
    kind: str
    contract: str
    old_spend: str = ""
    new_spend: str = ""
    old_target: str = ""
    new_target: str = ""
    line_id: int | None = None


@dataclass
class ReissueReturn:
    reference: str
    status_at_run: str
    annual_return: AnnualReturn | None
    items: list[ReissueItem] = field(default_factory=list)
    reason: str = ""


def _money(text: str) -> str:
    try:
        return f"£{Decimal(text):,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return text


def reissue_reason(items: list[ReissueItem], *, year_label: str) -> str:
    """The explanation a send-back after a re-issue gives the supplier."""
    sentences = []
    for item in items:
        if item.kind == REISSUE_CHANGED:
            sentences.append(
                f"The spend on contract {item.contract} in {year_label} was corrected "
                f"from {_money(item.old_spend)} to {_money(item.new_spend)}, so its "
                f"target changes from {item.old_target} to {item.new_target} credits."
            )
        elif item.kind == REISSUE_ADDED:
            sentences.append(
                f"Contract {item.contract} now qualifies for {year_label} (spend "
                f"{_money(item.new_spend)}, target {item.new_target} credits) and "
                "will be added to your return."
            )
        else:
            sentences.append(
                f"Contract {item.contract} no longer qualifies for {year_label} "
                f"(its spend is now {_money(item.new_spend)})."
            )
    sentences.append(
        "We are sending your return back so that it can be brought up to date: "
        "please check your figures against the new targets and submit it again."
    )
    return " ".join(sentences)


def reissue_flags(*, year) -> tuple[IssueRun | None, list[ReissueReturn]]:
    """The latest real issue run of `year` and, by return, what it listed for the
    team: changed spend and newly qualifying contracts on submitted or approved
    returns (which a re-issue never changes), and lines that no longer qualify.
    Reads the run's summary (`returns.services.issuing`: "locked_changes",
    "locked_additions", "no_longer_qualifying"). Three queries."""
    run = (
        IssueRun.objects.filter(
            year=year, dry_run=False, status=IssueRun.Status.SUCCEEDED
        )
        .order_by("-finished_at", "-started_at")
        .first()
    )
    if run is None:
        return None, []
    summary = run.summary or {}
    by_reference: dict[str, ReissueReturn] = {}

    def add(row: dict, item: ReissueItem) -> None:
        reference = row.get("return") or ""
        if not reference:
            return
        entry = by_reference.setdefault(
            reference,
            ReissueReturn(
                reference=reference,
                status_at_run=row.get("status", ""),
                annual_return=None,
            ),
        )
        entry.items.append(item)

    for row in summary.get("locked_changes", []):
        add(
            row,
            ReissueItem(
                kind=REISSUE_CHANGED,
                contract=row.get("contract", ""),
                old_spend=row.get("old_spend", ""),
                new_spend=row.get("new_spend", ""),
                old_target=row.get("old_target", ""),
                new_target=row.get("new_target", ""),
            ),
        )
    for row in summary.get("locked_additions", []):
        add(
            row,
            ReissueItem(
                kind=REISSUE_ADDED,
                contract=row.get("contract", ""),
                new_spend=row.get("spend", ""),
                new_target=row.get("target", ""),
            ),
        )
    for row in summary.get("no_longer_qualifying", []):
        add(
            row,
            ReissueItem(
                kind=REISSUE_NO_LONGER,
                contract=row.get("contract", ""),
                old_spend=row.get("spend", ""),
                new_spend=row.get("new_spend", ""),
            ),
        )
    returns = AnnualReturn.objects.filter(
        reference__in=list(by_reference)
    ).select_related("supplier", "year")
    for annual_return in returns:
        by_reference[annual_return.reference].annual_return = annual_return
    line_ids = {
        (reference, contract): pk
        for pk, reference, contract in ReturnLine.objects.filter(
            annual_return__reference__in=list(by_reference)
        ).values_list("pk", "annual_return__reference", "contract__reference")
    }
    for entry in by_reference.values():
        for item in entry.items:
            item.line_id = line_ids.get((entry.reference, item.contract))
        entry.reason = reissue_reason(entry.items, year_label=year.label)
    return run, [by_reference[k] for k in sorted(by_reference)]


def reissue_reason_for(annual_return: AnnualReturn) -> str:
    """The prefilled send-back reason for one return from its year's latest re-issue;
    empty when the re-issue listed nothing for it."""
    _, flagged = reissue_flags(year=annual_return.year)
    for entry in flagged:
        if entry.reference == annual_return.reference:
            return entry.reason
    return ""
