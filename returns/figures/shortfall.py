"""Shortfall: target against delivery, in a year or over each contract's life, by
contract, supplier, framework, member or place."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from portal.numbers import round_credits

from ..models import ReturnLine
from .lines import FIGURES, ZERO, counted_lines
from .to_date import ContractToDate

SHORTFALL_GROUPS = {
    # group: (key, name); the contract group carries its supplier, member, framework.
    "contract": ("contract_id", "contract__reference"),
    "supplier": ("annual_return__supplier_id", "annual_return__supplier__name"),
    "framework": ("lot__framework_id", "lot__framework__name"),
    "member": ("member_id", "member__name"),
    # The report's breakdowns by place use the shortfall page's sums too.
    "local_authority": ("local_authority_id", "local_authority__name"),
    "region": ("local_authority__region", "local_authority__region"),
}


@dataclass
class ShortfallRow:
    """Figures of one group (a contract, supplier, framework or member) in a period.

    `shortfall` is the sum of its contracts' shortfalls, each `max(target - delivered,
    0)` over the period's counted lines: a contract that delivered more than its
    target does not make good another contract's shortfall.
    """

    key: int
    name: str
    target: Decimal = ZERO
    delivered: Decimal = ZERO
    awaiting_review: Decimal = ZERO
    shortfall: Decimal = ZERO
    contracts: int = 0
    contracts_short: int = 0
    # Only on contract rows:
    title: str = ""
    supplier: str = ""
    member: str = ""
    framework: str = ""
    ends_on: datetime.date | None = None
    years: int = 0

    def add(self, *, target, delivered, awaiting_review) -> None:
        short = max(target - delivered, ZERO)
        self.target += target
        self.delivered += delivered
        self.awaiting_review += awaiting_review
        self.shortfall += short
        self.contracts += 1
        self.contracts_short += 1 if short > 0 else 0


def shortfall_lines(
    *,
    year=None,
    supplier_id: int | None = None,
    framework_id: int | None = None,
    member_id: int | None = None,
    search: str = "",
) -> QuerySet[ReturnLine]:
    """Counted lines of one year (or of all years: to date), narrowed by the team's
    filters. `search` matches a contract's reference or title, or the supplier's or
    member's name."""
    lines = counted_lines(year=year)
    if supplier_id:
        lines = lines.filter(annual_return__supplier_id=supplier_id)
    if framework_id:
        lines = lines.filter(lot__framework_id=framework_id)
    if member_id:
        lines = lines.filter(member_id=member_id)
    if search:
        lines = lines.filter(
            Q(contract__reference__icontains=search)
            | Q(contract__title__icontains=search)
            | Q(annual_return__supplier__name__icontains=search)
            | Q(member__name__icontains=search)
        )
    return lines


_CONTRACT_FIELDS = (
    "contract__title",
    "contract__supplier__name",
    "contract__member__name",
    "contract__lot__framework__name",
    "contract__ends_on",
)


def shortfall_by(group: str, *, lines: QuerySet[ReturnLine]) -> list[ShortfallRow]:
    """Target, delivered (approved), awaiting review and shortfall per group (one of
    SHORTFALL_GROUPS) over `lines`, in one query, ordered by name.

    The database sums each contract's lines within each group; the contracts are then
    added up here, so that the shortfall of a group is the sum of its contracts'
    shortfalls. Over all years (`shortfall_lines()` without a year) these are the
    contracts' to-date figures; years without a line add nothing.
    """
    key_field, name_field = SHORTFALL_GROUPS[group]
    fields = ["contract_id", key_field, name_field]
    if group == "contract":
        fields = ["contract_id", "contract__reference", *_CONTRACT_FIELDS]
    per_contract = (
        lines.order_by()
        .values(*fields)
        .annotate(
            target=FIGURES["target"](),
            delivered=FIGURES["delivered"](),
            awaiting_review=FIGURES["awaiting_review"](),
            years=Count("annual_return__year", distinct=True),
        )
    )
    rows: dict[int, ShortfallRow] = {}
    for item in per_contract:
        key = item[key_field]
        row = rows.get(key)
        if row is None:
            row = rows[key] = ShortfallRow(key=key, name=item[name_field] or "")
            if group == "contract":
                row.title = item["contract__title"]
                row.supplier = item["contract__supplier__name"]
                row.member = item["contract__member__name"]
                row.framework = item["contract__lot__framework__name"]
                row.ends_on = item["contract__ends_on"]
                row.years = item["years"]
        row.add(
            target=round_credits(item["target"] or 0),
            delivered=round_credits(item["delivered"] or 0),
            awaiting_review=round_credits(item["awaiting_review"] or 0),
        )
    return sorted(rows.values(), key=lambda row: (row.name.lower(), row.key))


def shortfall_total(rows: list[ShortfallRow]) -> ShortfallRow:
    """The sum of the rows shown (every total is a sum of line values)."""
    total = ShortfallRow(key=0, name="Total")
    for row in rows:
        total.target += row.target
        total.delivered += row.delivered
        total.awaiting_review += row.awaiting_review
        total.shortfall += row.shortfall
        total.contracts += row.contracts
        total.contracts_short += row.contracts_short
    return total


def shortfall_total_of_contracts(rows: list[ContractToDate]) -> ShortfallRow:
    """The sum of a list of contracts' to-date figures (at risk, ended short)."""
    total = ShortfallRow(key=0, name="Total")
    for row in rows:
        total.add(
            target=row.target,
            delivered=row.delivered,
            awaiting_review=row.awaiting_review,
        )
    return total
