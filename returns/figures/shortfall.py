"""Shortfall: target against delivery, in a year or over each contract's life, by
contract, supplier, framework, member or place."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from frameworks.models import Contract

from ..models import ReturnLine
from .lines import FIGURES, ZERO, counted_lines
from .outer import (
    IS_SHORT,
    SHORT,
    Rows,
    as_date,
    credits,
    fetch,
    subquery,
    text_order,
)

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


SORTS = ("name", "shortfall")


class ShortfallTable(Rows):
    """Target, delivered (approved), awaiting review and shortfall per group (one of
    SHORTFALL_GROUPS) over `lines`, computed in the database and ordered by name (or
    by shortfall, largest first); `short_only` keeps the groups with a shortfall.

    The database sums each contract's lines within each group, then adds up the
    contracts, so that the shortfall of a group is the sum of its contracts'
    shortfalls (a contract that delivered more than its target does not make good
    another's). Over all years (`shortfall_lines()` without a year) these are the
    contracts' to-date figures; years without a line add nothing.

    A page takes a slice (one query for its rows) and `total()` (one query, which
    also counts the rows); iterating gives every row (one query).
    """

    def __init__(
        self,
        group: str,
        *,
        lines: QuerySet[ReturnLine],
        short_only: bool = False,
        sort: str = "name",
    ):
        super().__init__()
        self.group = group
        self.lines = lines
        self.short_only = short_only
        self.sort = sort if sort in SORTS else "name"

    def _per_contract(self) -> QuerySet:
        key_field, name_field = SHORTFALL_GROUPS[self.group]
        figures = {
            "target": FIGURES["target"](),
            "delivered": FIGURES["delivered"](),
            "awaiting_review": FIGURES["awaiting_review"](),
        }
        if self.group == "contract":
            figures["years"] = Count("annual_return__year", distinct=True)
        return (
            self.lines.order_by()
            .values(
                group_key=F(key_field),
                group_name=F(name_field),
                per_contract=F("contract_id"),
            )
            .annotate(**figures)
        )

    def _grouped(self) -> tuple[str, tuple]:
        inner, params = subquery(self._per_contract())
        years = "MAX(years)" if self.group == "contract" else "0"
        having = f"HAVING SUM({SHORT}) > 0" if self.short_only else ""
        sql = f"""
            SELECT group_key, group_name,
                ROUND(SUM(target), 2) AS target,
                ROUND(SUM(delivered), 2) AS delivered,
                ROUND(SUM(awaiting_review), 2) AS awaiting_review,
                ROUND(SUM({SHORT}), 2) AS shortfall,
                COUNT(*) AS contracts,
                SUM({IS_SHORT}) AS contracts_short,
                {years} AS years
            FROM {inner} per_contract
            GROUP BY group_key, group_name {having}
        """  # noqa: S608 (our own SQL; every value is a parameter)
        return sql, params

    def _order(self, table: str) -> str:
        name = text_order(f"COALESCE({table}.group_name, '')")
        order = f"{name}, {table}.group_key"
        if self.sort == "shortfall":
            order = f"{table}.shortfall DESC, {order}"
        return order

    def _sql(self) -> tuple[str, tuple]:
        grouped, params = self._grouped()
        sql = f"SELECT * FROM ({grouped}) grouped ORDER BY {self._order('grouped')}"  # noqa: S608
        return sql, params

    def _select(self, limit: int | None = None, offset: int = 0) -> list:
        if self.group != "contract":
            return super()._select(limit, offset)
        # Each contract row with its title, supplier, member, framework and end (as
        # the contract has them now), joined to the rows of the page only.
        sql, params = self._sql()
        if limit is not None:
            sql = f"{sql} LIMIT %s OFFSET %s"
            params = (*params, limit, offset)
        details, detail_params = subquery(
            Contract.objects.order_by().values(
                detail_id=F("pk"),
                detail_title=F("title"),
                detail_supplier=F("supplier__name"),
                detail_member=F("member__name"),
                detail_framework=F("lot__framework__name"),
                detail_ends_on=F("ends_on"),
            )
        )
        sql = f"""
            SELECT page.*, detail_title, detail_supplier, detail_member,
                detail_framework, detail_ends_on
            FROM ({sql}) page JOIN {details} details ON details.detail_id = page.group_key
            ORDER BY {self._order("page")}
        """  # noqa: S608
        return self._make(fetch(sql, (*params, *detail_params)))

    def _make(self, rows: list[tuple]) -> list[ShortfallRow]:
        made = []
        for key, name, target, delivered, awaiting, short, contracts, *rest in rows:
            contracts_short, years, *details = rest
            row = ShortfallRow(
                key=key,
                name=name or "",
                target=credits(target),
                delivered=credits(delivered),
                awaiting_review=credits(awaiting),
                shortfall=credits(short),
                contracts=contracts,
                contracts_short=int(contracts_short or 0),
                years=years,
            )
            if details:
                row.title, row.supplier, row.member, row.framework, ends_on = details
                row.ends_on = as_date(ends_on)
            made.append(row)
        return made

    def total(self) -> ShortfallRow:
        """The sum of every row (not only a page's): one query."""
        grouped, params = self._grouped()
        sql = f"""
            SELECT ROUND(SUM(target), 2), ROUND(SUM(delivered), 2),
                ROUND(SUM(awaiting_review), 2), ROUND(SUM(shortfall), 2),
                SUM(contracts), SUM(contracts_short), COUNT(*)
            FROM ({grouped}) grouped
        """  # noqa: S608
        ((target, delivered, awaiting, short, contracts, contracts_short, count),) = (
            fetch(sql, params)
        )
        self._count = count
        return ShortfallRow(
            key=0,
            name="Total",
            target=credits(target),
            delivered=credits(delivered),
            awaiting_review=credits(awaiting),
            shortfall=credits(short),
            contracts=int(contracts or 0),
            contracts_short=int(contracts_short or 0),
        )


def shortfall_by(group: str, *, lines: QuerySet[ReturnLine]) -> list[ShortfallRow]:
    """Every row of `ShortfallTable(group, lines=lines)`, ordered by name."""
    return list(ShortfallTable(group, lines=lines))


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
