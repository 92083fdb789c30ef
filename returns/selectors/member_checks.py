"""Members' confirmations and disputes of approved lines (issue 22), as the member's,
the team's and the supplier's pages show them, the desk counts them and the report
sums them.

What a line shows is its latest check, while that check still stands
(`check_stands`): a confirmation stands while the return stays approved as it was
when confirmed; a dispute stands until the return it sent back to the supplier is
approved again (then the member may check the new figures).
"""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from returns.figures import reported_lines
from returns.models import AnnualReturn, MemberCheck, ReportingYear, ReturnLine

K = MemberCheck.Kind


def check_stands(check: MemberCheck | None, annual_return: AnnualReturn) -> bool:
    if check is None:
        return False
    approved_at = annual_return.approved_at
    if check.kind == K.CONFIRMED:
        return bool(
            annual_return.status == AnnualReturn.Status.APPROVED
            and approved_at
            and check.raised_at >= approved_at
        )
    reopened = check.outcome == MemberCheck.Outcome.REOPENED
    approved_again = bool(
        approved_at and check.answered_at and approved_at > check.answered_at
    )
    return not (reopened and approved_again)


def standing_check(checks: list[MemberCheck], annual_return) -> MemberCheck | None:
    """The check a line shows, of its checks oldest first (None: no word stands)."""
    latest = checks[-1] if checks else None
    return latest if check_stands(latest, annual_return) else None


def latest_checks(*, lines: QuerySet[ReturnLine]) -> dict[int, MemberCheck]:
    """Line id → the check it shows (standing only), for a page of lines: one
    query."""
    found: dict[int, MemberCheck] = {}
    for check in (
        MemberCheck.objects.filter(line__in=lines.order_by().values("pk"))
        .select_related("line__annual_return", "measure")
        .order_by("raised_at", "pk")
    ):
        found[check.line_id] = check
    return {
        line_id: check
        for line_id, check in found.items()
        if check_stands(check, check.line.annual_return)
    }


def open_member_disputes() -> QuerySet[MemberCheck]:
    """Disputes waiting for the team's answer, oldest first: the desk's list."""
    return (
        MemberCheck.objects.filter(kind=K.DISPUTED, answered_at__isnull=True)
        .select_related(
            "line__contract",
            "line__annual_return__supplier",
            "line__annual_return__year",
            "member",
            "measure",
            "raised_by",
        )
        .order_by("raised_at", "pk")
    )


def open_member_disputes_count() -> int:
    """The desk's figure: the same rows as `open_member_disputes`, in one aggregate
    query."""
    return MemberCheck.objects.aggregate(
        open=Count("id", filter=Q(kind=K.DISPUTED, answered_at__isnull=True))
    )["open"]


def team_dispute_get(*, pk: int) -> MemberCheck:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        MemberCheck.objects.filter(kind=K.DISPUTED).select_related(
            "line__contract",
            "line__annual_return__supplier",
            "line__annual_return__year",
            "member",
            "measure",
            "raised_by",
            "answered_by",
        ),
        pk=pk,
    )


def confirmed_lines_count(*, year: ReportingYear) -> int:
    """How many of the year's reported lines the member has confirmed, the
    confirmation standing (the line's latest check, made since its approval): one
    query."""
    latest = MemberCheck.objects.filter(line=OuterRef("pk")).order_by(
        "-raised_at", "-pk"
    )
    return (
        reported_lines(year=year)
        .annotate(
            latest_kind=Subquery(latest.values("kind")[:1]),
            latest_at=Subquery(latest.values("raised_at")[:1]),
        )
        .filter(latest_kind=K.CONFIRMED, latest_at__gte=F("annual_return__approved_at"))
        .count()
    )
