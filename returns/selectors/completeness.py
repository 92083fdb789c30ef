"""Is a line complete? The task list's statuses and the rules a submission checks
(DESIGN "Lines, completeness, versions"), written once.

- not started: no input at all;
- in progress: some input, but it fails a submission rule;
- complete: at least one figure, or "nothing delivered" with a reason, and nothing
  owed for being below target;
- below target: complete, below target, with a reason and a recovery plan;
- there is a problem: the team sent the return back with a comment on this line
  and the supplier has not changed the line since (whatever else is true);
- query open: the supplier queried the line and the team has not answered yet (a
  question waiting for an answer, not an error: it does not stop a submission);
- amended: the return was sent back and the supplier has changed this line since,
  and it meets every submission rule;
- a flag of the soft checks or of double counting (issue 23) without the supplier's
  explanation stops a submission, like a missing reason.

Pages call `lines_for_task_list` (one query for any number of lines); services call
`line_problems` on lines that `with_completeness` annotated.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from returns.models import LineFlag, ReturnEntry, ReturnLine

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETE = "complete"
BELOW_TARGET = "below_target"
PROBLEM = "problem"
QUERY_OPEN = "query_open"
AMENDED = "amended"
EXCLUDED = "excluded"

LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    COMPLETE: "Complete",
    BELOW_TARGET: "Below target",
    PROBLEM: "There is a problem",
    QUERY_OPEN: "Query open",
    AMENDED: "Amended",
    EXCLUDED: "Excluded",
}
# Tag colours (includes/tag.html); None: plain text, as GOV.UK shows "Completed".
COLOURS = {
    NOT_STARTED: "grey",
    IN_PROGRESS: "blue",
    COMPLETE: None,
    BELOW_TARGET: "yellow",
    PROBLEM: "red",
    # Waiting for the team's answer: a calm colour, not the error red.
    QUERY_OPEN: "purple",
    AMENDED: "teal",
    EXCLUDED: None,
}
DONE = (COMPLETE, BELOW_TARGET, AMENDED)

NO_INPUT = "Enter at least one figure, or say nothing was delivered this year"
NO_SHORTFALL_REASON = "Say why the credits delivered are below the target"
NO_RECOVERY_PLAN = "Say how and when you will make up the shortfall"
NO_MAKE_GOOD = "The contract has ended: say how you will make up the shortfall"
NO_RECOVERY_DATE = "Give the date by which you will make up the shortfall"
RECOVERY_TOO_LATE = (
    "The date to make up the shortfall must be no later than the contract's end, "
    "{ends_on:%-d %B %Y}"
)
UNEXPLAINED_FLAGS = "Explain {what} flagged on this contract"
OPEN_QUERY = "There is an open query on this contract"
SENT_BACK_COMMENT = "The social value team commented on this contract"

# Where the team's send-back comment on a line lives is for the review work to
# decide; these are the names read, if the model has them.
SENT_BACK_FIELDS = ("sent_back_comment", "returned_comment", "review_comment")


@dataclass(frozen=True)
class LineState:
    status: str
    problems: tuple[str, ...]  # what stops it being submitted
    has_figures: bool
    below_target: bool
    open_queries: int = 0
    comment: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def colour(self) -> str | None:
        return COLOURS[self.status]

    @property
    def is_done(self) -> bool:
        """Meets every submission rule (a line with a problem may still)."""
        return self.status != EXCLUDED and not self.problems


def with_completeness(lines: QuerySet[ReturnLine]) -> QuerySet[ReturnLine]:
    """Annotates what `line_state` needs: whether the line has figures, how many
    open queries and how many flags without an explanation it has. Adds no query per
    line."""
    return lines.annotate(
        has_figures=Exists(ReturnEntry.objects.filter(line=OuterRef("pk"))),
        open_query_count=Count(
            "queries", filter=Q(queries__answered_at__isnull=True), distinct=True
        ),
        unexplained_flag_count=Coalesce(
            Subquery(
                LineFlag.objects.filter(line=OuterRef("pk"), explanation="")
                .order_by()
                .values("line")
                .annotate(count=Count("pk"))
                .values("count"),
                output_field=IntegerField(),
            ),
            0,
        ),
    )


def sent_back_comment(line: ReturnLine) -> str:
    for name in SENT_BACK_FIELDS:
        value = getattr(line, name, "")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def attach_sent_back_comments(annual_return, lines) -> None:
    """Sets `sent_back_comment` on each line from the team's latest send-back, and
    `amended` on each line the supplier has changed since (one query). The comments
    are the review work's (`returns.selectors.review`)."""
    try:
        from returns.selectors.review import comments_of, latest_send_back
    except ImportError:  # the review pages are not installed yet
        return
    event = latest_send_back(annual_return=annual_return)
    comments = comments_of(event)
    since = event.at if event else None
    for line in lines:
        line.sent_back_comment = comments.get(line.pk, "")
        line.amended = bool(
            since and line.updated_at is not None and line.updated_at > since
        )


def _has_figures(line: ReturnLine) -> bool:
    value = getattr(line, "has_figures", None)
    if value is None:
        value = line.entries.exists()
    return bool(value)


def _open_queries(line: ReturnLine) -> int:
    value = getattr(line, "open_query_count", None)
    if value is None:
        value = line.queries.filter(answered_at__isnull=True).count()
    return int(value)


def _unexplained_flags(line: ReturnLine) -> int:
    value = getattr(line, "unexplained_flag_count", None)
    if value is None:
        value = line.flags.filter(explanation="").count()
    return int(value)


def unexplained_problem(count: int) -> str:
    what = "the figure" if count == 1 else f"the {count} figures"
    return UNEXPLAINED_FLAGS.format(what=what)


def line_problems(line: ReturnLine, *, today: datetime.date | None = None) -> list[str]:
    """What stops this line being submitted (empty when it may be). Queries and
    comments do not stop a submission: they are the team's to close."""
    if line.is_excluded:
        return []
    has_figures = _has_figures(line)
    nothing_delivered = bool(line.nothing_delivered_reason.strip())
    if not has_figures and not nothing_delivered:
        return [NO_INPUT]
    unexplained = _unexplained_flags(line)
    flagged = [unexplained_problem(unexplained)] if unexplained else []
    if line.delivered_credits >= line.target_credits:
        return flagged
    problems = flagged
    # A line marked "nothing delivered" gives its reason there.
    if not nothing_delivered and not line.shortfall_reason.strip():
        problems.append(NO_SHORTFALL_REASON)
    today = today or timezone.localdate()
    ended = line.contract.ends_on < today
    if not line.recovery_plan.strip():
        problems.append(NO_MAKE_GOOD if ended else NO_RECOVERY_PLAN)
    if not ended:
        if line.recovery_by is None:
            problems.append(NO_RECOVERY_DATE)
        elif line.recovery_by > line.contract.ends_on:
            problems.append(RECOVERY_TOO_LATE.format(ends_on=line.contract.ends_on))
    return problems


def line_state(line: ReturnLine, *, today: datetime.date | None = None) -> LineState:
    """The task-list status of one line (annotate with `with_completeness` first)."""
    has_figures = _has_figures(line)
    open_queries = _open_queries(line)
    comment = sent_back_comment(line)
    below = line.delivered_credits < line.target_credits
    if line.is_excluded:
        return LineState(EXCLUDED, (), has_figures, False)
    problems = tuple(line_problems(line, today=today))
    started = (
        has_figures
        or line.nothing_delivered_reason.strip()
        or line.shortfall_reason.strip()
        or line.recovery_plan.strip()
        or line.recovery_by is not None
    )
    amended = bool(getattr(line, "amended", False))
    if comment and not amended:
        status = PROBLEM
    elif open_queries:
        status = QUERY_OPEN
    elif not started:
        status = NOT_STARTED
    elif problems:
        status = IN_PROGRESS
    elif amended:
        status = AMENDED
    elif below:
        status = BELOW_TARGET
    else:
        status = COMPLETE
    return LineState(status, problems, has_figures, below, open_queries, comment)


def lines_for_task_list(annual_return) -> QuerySet[ReturnLine]:
    """A return's lines with everything the task list, check-answers page and
    submission need, in one query."""
    return with_completeness(
        ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "member", "lot__framework")
        .order_by("contract__reference")
    )


@dataclass(frozen=True)
class ReturnProgress:
    total: int
    done: int
    problems: dict[int, tuple[str, ...]]  # line id → what stops it

    @property
    def ready(self) -> bool:
        return not self.problems


def return_progress(states: list[tuple[ReturnLine, LineState]]) -> ReturnProgress:
    counted = [(line, s) for line, s in states if s.status != EXCLUDED]
    return ReturnProgress(
        total=len(counted),
        done=sum(1 for _, s in counted if not s.problems),
        problems={line.pk: s.problems for line, s in counted if s.problems},
    )
