"""The consequences, in numbers, of four decisions that reach members and the
public; each is None when there is nothing to warn about. The services refuse the
decision until the team confirms it (`returns.services.confirmation`)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q

from frameworks.models import Contract, Valuation
from returns.models import AnnualReturn, LineQuery, ReportingYear, ReturnEntry


def _percent_change(now: Decimal, before: Decimal | None) -> str | None:
    if not before:
        return None
    change = ((now - before) * 100 / before).quantize(Decimal("1"), ROUND_HALF_UP)
    sign = "+" if change > 0 else "\u2212" if change < 0 else ""
    return f"{sign}{abs(change)}%"


def publish_consequence(*, year: ReportingYear) -> str | None:
    """Publishing while some returns are not approved: the public page counts
    approved returns only, so it will understate the year."""
    from returns.selectors.reports import impact_report

    report = impact_report(year=year)
    if report.returns_approved >= report.returns_expected:
        return None
    text = (
        f"{report.returns_approved} of {report.returns_expected} returns approved: "
        "the public page counts approved returns only"
    )
    if report.last_year is not None:
        headline = report.headline
        change = _percent_change(headline.quantity, headline.last_year)
        if change is not None:
            text += (
                f", so it will show {change} employment opportunities against "
                f"{report.last_year.label}"
            )
    return text + "."


def contracts_missing_last_quarter(*, year: ReportingYear) -> int:
    """Live contracts with no valuation for the year's last quarter: the issue plan's
    warning (`issuing.plan`, WARN_NO_MARCH_VALUATION), as one count."""
    month = year.ends_on.month - 2
    last_quarter_start = datetime.date(year.ends_on.year, month, 1)
    return (
        Contract.objects.filter(
            status=Contract.Status.ACTIVE,
            starts_on__lte=year.ends_on,
            ends_on__gte=last_quarter_start,
        )
        .exclude(
            Exists(
                Valuation.objects.filter(
                    contract=OuterRef("pk"), period_end=year.ends_on
                )
            )
        )
        .count()
    )


def issue_now_consequence(*, year: ReportingYear, today: datetime.date) -> str | None:
    """Issuing before the year has ended, or with contracts missing the valuation of
    its last quarter: their spend, targets and qualification will be short."""
    problems = []
    if today <= year.ends_on:
        days = (year.ends_on - today).days + 1
        problems.append(
            f"the year has not ended: it runs to {year.ends_on:%-d %B %Y}, "
            f"{days} more day{'s' if days != 1 else ''}, so spend after today is "
            "not counted"
        )
    missing = contracts_missing_last_quarter(year=year)
    if missing:
        problems.append(
            f"{missing} live contract{'s have' if missing != 1 else ' has'} no "
            f"valuation for the quarter ending {year.ends_on:%-d %B %Y}, so "
            f"{'their' if missing != 1 else 'its'} spend and target may be short "
            "and some may not qualify"
        )
    if not problems:
        return None
    return "Issuing now: " + "; ".join(problems) + "."


def approve_consequence(*, annual_return: AnnualReturn) -> str | None:
    """Approving with a query still open on one of the return's lines."""
    open_queries = LineQuery.objects.filter(
        line__annual_return=annual_return, answered_at__isnull=True
    )
    count = open_queries.count()
    if not count:
        return None
    contracts = sorted(
        set(open_queries.values_list("line__contract__reference", flat=True))
    )
    return (
        f"{count} quer{'ies are' if count != 1 else 'y is'} still open on "
        f"{', '.join(contracts)}: approving locks the return, and the members see "
        "its figures as they are."
    )


def not_required_consequence(*, annual_return: AnnualReturn) -> str | None:
    """Marking not required a return with figures entered: they drop out of every
    figure (completion, shortfall, reports)."""
    with_figures = (
        annual_return.lines.filter(
            Q(Exists(ReturnEntry.objects.filter(line=OuterRef("pk"))))
            | ~Q(nothing_delivered_reason="")
        )
        .order_by()
        .count()
    )
    if not with_figures:
        return None
    return (
        f"{with_figures} contract{'s have' if with_figures != 1 else ' has'} "
        "figures entered: marked not required, they count in no figure, target or "
        "report."
    )
