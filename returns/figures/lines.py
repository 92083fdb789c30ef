"""Which lines count, and the sums every figure is made of (DESIGN "Figures").

- A line counts when it is not excluded and its return is not `not_required`.
- Target counts on every counted line; delivered counts approved returns only;
  "awaiting review" is the delivered credits of submitted returns, shown separately.

Database sums are `core.fields.rounded_sum`: Round(Sum(...), 2), read back with exactly
two places (on SQLite a SUM is a float that would otherwise show as 257.710000000000).
"""

from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Value, When

from core.fields import rounded_sum
from core.numbers import round_credits, round_money

from ..models import AnnualReturn, ReturnLine

AT_RISK_DAYS = 183
ZERO = Decimal("0.00")
_CREDITS = DecimalField(max_digits=14, decimal_places=2)
_MONEY = DecimalField(max_digits=16, decimal_places=2)

GROUPS = {
    "contract": ("contract_id", "contract__reference", "contract__title"),
    "supplier": ("annual_return__supplier_id", "annual_return__supplier__name"),
    "framework": ("lot__framework_id", "lot__framework__name"),
    "member": ("member_id", "member__name"),
    "local_authority": ("local_authority_id", "local_authority__name"),
    "region": ("local_authority__region",),
    "year": ("annual_return__year_id", "annual_return__year__label"),
}


def counted_lines(*, year=None) -> QuerySet[ReturnLine]:
    lines = ReturnLine.objects.filter(excluded_at__isnull=True).exclude(
        annual_return__status=AnnualReturn.Status.NOT_REQUIRED
    )
    if year is not None:
        lines = lines.filter(annual_return__year=year)
    return lines


def _sum(expression, field=_CREDITS):
    """A rounded database sum read back with exactly 2 places (`core.fields`)."""
    return rounded_sum(expression, max_digits=field.max_digits)


def _delivered_when(status):
    return Case(
        When(annual_return__status=status, then=F("delivered_credits")),
        default=Value(0),
        output_field=_CREDITS,
    )


FIGURES = {
    "target": lambda: _sum("target_credits"),
    "delivered": lambda: _sum(_delivered_when(AnnualReturn.Status.APPROVED)),
    "awaiting_review": lambda: _sum(_delivered_when(AnnualReturn.Status.SUBMITTED)),
    "spend": lambda: _sum("spend", _MONEY),
    "lines": lambda: Count("id"),
}


def _clean(row: dict) -> dict:
    for key in ("target", "delivered", "awaiting_review"):
        row[key] = round_credits(row[key] or 0)
    row["spend"] = round_money(row["spend"] or 0)
    row["shortfall"] = max(row["target"] - row["delivered"], ZERO)
    return row


def figures_by(group: str, *, lines: QuerySet[ReturnLine]) -> list[dict]:
    """Target, delivered (approved), awaiting review, spend, shortfall and line count
    per group (one of GROUPS), in one query."""
    keys = GROUPS[group]
    rows = (
        lines.order_by()
        .values(*keys)
        .annotate(**{name: make() for name, make in FIGURES.items()})
        .order_by(*keys[1:2] or keys)
    )
    return [_clean(dict(row)) for row in rows]


def totals(*, lines: QuerySet[ReturnLine]) -> dict:
    row = lines.order_by().aggregate(**{name: make() for name, make in FIGURES.items()})
    return _clean(row)


def status_counts(*, year) -> dict[str, int]:
    return dict(
        AnnualReturn.objects.filter(year=year)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )


def submitted_filter() -> Q:
    """A return counts as submitted once it has ever been submitted (a return sent
    back and resubmitted counts once), or is submitted or approved."""
    return Q(first_submitted_at__isnull=False) | Q(
        status__in=[AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED]
    )


def reported_lines(*, year=None) -> QuerySet[ReturnLine]:
    """Counted lines of approved returns: the only lines members and the public see."""
    return counted_lines(year=year).filter(
        annual_return__status=AnnualReturn.Status.APPROVED
    )
