"""Shortfall: target against delivery, in a year or over each contract's life, by
contract, supplier, framework, member or place.

A year groups by the snapshot on its lines (the member, lot and supplier of that
year: a past year never moves). To date groups by what the contract is now: a
contract re-assigned between members is counted once, with its whole life, under its
current member, so the totals of a period are the same in every grouping (DESIGN
"Contract to date")."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from frameworks.models import Contract, Framework, LocalAuthority, Member, Supplier

from ..models import ContractSummary, ReturnLine
from .lines import FIGURES, ZERO, counted_lines
from .outer import (
    IS_SHORT,
    SHORT,
    Rows,
    as_date,
    credits,
    fetch_dicts,
    subquery,
    text_order,
)
from .summary import (
    groups_from_summary,
    is_every_contract_to_date,
    is_summary,
    per_contract_from_summary,
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
# To date: the group a contract belongs to now, whatever its lines' snapshots say.
TO_DATE_GROUP_KEYS = {
    "contract": "contract_id",
    "supplier": "contract__supplier_id",
    "framework": "contract__lot__framework_id",
    "member": "contract__member_id",
    "local_authority": "contract__local_authority_id",
    "region": "contract__local_authority__region",
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
    member's name.

    In a year the filters read the line's snapshot (that year's member, framework,
    supplier). To date they read the contract as it is now and keep every line of
    the contracts they match, so a contract's to-date figure is always its whole
    life: filtered to a member, it is the member's contracts now, over their lives."""
    lines = counted_lines(year=year)
    if year is None:
        supplier, framework, member = (
            "contract__supplier",
            "contract__lot__framework",
            "contract__member",
        )
    else:
        supplier, framework, member = (
            "annual_return__supplier",
            "lot__framework",
            "member",
        )
    if supplier_id:
        lines = lines.filter(**{f"{supplier}_id": supplier_id})
    if framework_id:
        lines = lines.filter(**{f"{framework}_id": framework_id})
    if member_id:
        lines = lines.filter(**{f"{member}_id": member_id})
    if search:
        lines = lines.filter(
            Q(contract__reference__icontains=search)
            | Q(contract__title__icontains=search)
            | Q(**{f"{supplier}__name__icontains": search})
            | Q(**{f"{member}__name__icontains": search})
        )
    return lines


SORTS = ("name", "shortfall")
# Where each group's name comes from: (model, field), looked up by the group's key
# after the sums (grouping by a name would make every group key wider); None: the
# key is the name.
GROUP_NAMES = {
    "contract": (Contract, "reference"),
    "supplier": (Supplier, "name"),
    "framework": (Framework, "name"),
    "member": (Member, "name"),
    "local_authority": (LocalAuthority, "name"),
    "region": None,
}


class ShortfallTable(Rows):
    """Target, delivered (approved), awaiting review and shortfall per group (one of
    SHORTFALL_GROUPS) over `lines`, computed in the database and ordered by name (or
    by shortfall, largest first); `short_only` keeps the groups with a shortfall.

    The database sums each contract's lines within each group, then adds up the
    contracts, so that the shortfall of a group is the sum of its contracts'
    shortfalls (a contract that delivered more than its target does not make good
    another's). Over all years (`shortfall_lines()` without a year, `to_date=True`)
    these are the contracts' to-date figures, grouped by what each contract is now
    (`TO_DATE_GROUP_KEYS`); years without a line add nothing. In a year a contract
    row names the member, supplier and framework of its line (the snapshot); to date
    those it has now.

    `page()` is one query for a page's rows, the total and the count (to date by
    contract, two: the total, then the page); iterating gives every row (one
    query); `total()` is one query.
    """

    TOTALS = {
        "target": ("target", True),
        "delivered": ("delivered", True),
        "awaiting_review": ("awaiting_review", True),
        "shortfall": ("shortfall", True),
        "contracts": ("contracts", False),
        "contracts_short": ("contracts_short", False),
    }

    def __init__(
        self,
        group: str,
        *,
        lines: QuerySet[ReturnLine] | QuerySet[ContractSummary],
        short_only: bool = False,
        sort: str = "name",
        to_date: bool = False,
    ):
        self.group = group
        self.to_date = to_date
        self.lines = lines
        self.short_only = short_only
        self.sort = sort if sort in SORTS else "name"

    def _per_contract(self) -> QuerySet:
        key_field, _ = SHORTFALL_GROUPS[self.group]
        if self.to_date:
            key_field = TO_DATE_GROUP_KEYS[self.group]
        if is_summary(self.lines):
            # To date from the summary: one row per contract, already summed.
            return per_contract_from_summary(self.lines, key_field)
        return (
            self.lines.order_by()
            .values(group_key=F(key_field), per_contract=F("contract_id"))
            .annotate(
                target=FIGURES["target"](),
                delivered=FIGURES["delivered"](),
                awaiting_review=FIGURES["awaiting_review"](),
            )
        )

    def _rows(self) -> tuple[str, tuple]:
        if (
            self.to_date
            and self.group in ("supplier", "member")
            and is_every_contract_to_date(self.lines)
        ):
            # Every contract by supplier or member: the sums kept per group (a row
            # each) rather than grouping every contract's to-date row (at scale 170,
            # 63,000 rows joined to their contracts for every page).
            return self._named(
                *groups_from_summary(self.group, short_only=self.short_only)
            )
        inner, params = subquery(self._per_contract())
        if self.group == "contract":
            # One contract per group: its sums are the group's.
            where = f"WHERE {SHORT} > 0" if self.short_only else ""
            grouped = f"""
                SELECT group_key, target, delivered, awaiting_review,
                    ROUND({SHORT}, 2) AS shortfall, 1 AS contracts,
                    {IS_SHORT} AS contracts_short
                FROM {inner} per_contract {where}
            """  # noqa: S608 (our own SQL; every value is a parameter)
            return self._named(grouped, params)
        having = f"HAVING SUM({SHORT}) > 0" if self.short_only else ""
        grouped = f"""
            SELECT group_key,
                ROUND(SUM(target), 2) AS target,
                ROUND(SUM(delivered), 2) AS delivered,
                ROUND(SUM(awaiting_review), 2) AS awaiting_review,
                ROUND(SUM({SHORT}), 2) AS shortfall,
                COUNT(*) AS contracts,
                SUM({IS_SHORT}) AS contracts_short
            FROM {inner} per_contract
            GROUP BY group_key {having}
        """  # noqa: S608 (our own SQL; every value is a parameter)
        return self._named(grouped, params)

    def _window(self, limit: int, offset: int) -> tuple[list, object, int]:
        if not (self.group == "contract" and is_summary(self.lines)):
            return super()._window(limit, offset)
        # To date by contract: the total in a query of its own, then the page. In
        # one query the total (a window over every row) made the database build and
        # sort every contract's row before the first fifty could be read; apart,
        # the total is one pass over the summary and the page a top-N sort (at
        # scale 170: 25 + 34 ms against 112-180 ms).
        rows, params = self._rows()
        total_sql = f"SELECT {self._sums()} FROM ({rows}) t"  # noqa: S608 (our own SQL)
        total, count = self._total_of(fetch_dicts(total_sql, params)[0])
        if not count:
            return [], None, 0
        page_sql = (
            f"SELECT t.* FROM ({rows}) t ORDER BY {self._order('t')} "  # noqa: S608 (our own SQL)
            "LIMIT %s OFFSET %s"
        )
        found = self._select(page_sql, (*params, limit, offset))
        if not found:
            return [], None, 0
        return self._make(found), total, count

    def _named(self, grouped: str, params: tuple) -> tuple[str, tuple]:
        names = GROUP_NAMES[self.group]
        if names is None:
            sql = f"SELECT g.*, g.group_key AS group_name FROM ({grouped}) g"  # noqa: S608
            return sql, params
        model, field = names
        names_sql, names_params = subquery(
            model.objects.order_by().values(name_key=F("pk"), name_text=F(field))
        )
        sql = f"""
            SELECT g.*, names.name_text AS group_name
            FROM ({grouped}) g LEFT JOIN {names_sql} names ON names.name_key = g.group_key
        """  # noqa: S608
        return sql, (*params, *names_params)

    def _order(self, table: str) -> str:
        name = text_order(f"COALESCE({table}.group_name, '')")
        order = f"{name}, {table}.group_key"
        if self.sort == "shortfall":
            order = f"{table}.shortfall DESC, {order}"
        return order

    def _select(self, sql: str, params: tuple) -> list[dict]:
        if self.group != "contract":
            return fetch_dicts(sql, params)
        # Each contract row with its title, supplier, member, framework and end and
        # how many years have a line: joined to the rows of a page only (counting
        # years needs DISTINCT, too dear for every contract when a page shows fifty).
        # To date: the supplier, member and framework the contract has now; in a
        # year: its line's (the snapshot, as every figure of that year).
        if is_summary(self.lines):
            years = self.lines.filter(contract_id=OuterRef("pk")).values("years")[:1]
        else:
            years = (
                self.lines.filter(contract_id=OuterRef("pk"))
                .order_by()
                .values("contract_id")
                .annotate(n=Count("annual_return__year", distinct=True))
                .values("n")
            )
        if self.to_date:
            names = {
                "detail_supplier": F("supplier__name"),
                "detail_member": F("member__name"),
                "detail_framework": F("lot__framework__name"),
            }
        else:
            line = self.lines.filter(contract_id=OuterRef("pk")).order_by("pk")
            names = {
                "detail_supplier": Subquery(
                    line.values("annual_return__supplier__name")[:1]
                ),
                "detail_member": Subquery(line.values("member__name")[:1]),
                "detail_framework": Subquery(line.values("lot__framework__name")[:1]),
            }
        details, detail_params = subquery(
            Contract.objects.order_by().values(
                detail_id=F("pk"),
                detail_title=F("title"),
                detail_ends_on=F("ends_on"),
                detail_years=Subquery(years),
                **names,
            )
        )
        sql = f"""
            SELECT page.*, details.*
            FROM ({sql}) page JOIN {details} details ON details.detail_id = page.group_key
            ORDER BY {self._order("page")}
        """  # noqa: S608
        return fetch_dicts(sql, (*params, *detail_params))

    def _make(self, rows: list[dict]) -> list[ShortfallRow]:
        made = []
        for item in rows:
            row = ShortfallRow(
                key=item["group_key"],
                name=item["group_name"] or "",
                target=credits(item["target"]),
                delivered=credits(item["delivered"]),
                awaiting_review=credits(item["awaiting_review"]),
                shortfall=credits(item["shortfall"]),
                contracts=int(item["contracts"]),
                contracts_short=int(item["contracts_short"] or 0),
            )
            if "detail_id" in item:
                row.title = item["detail_title"]
                row.supplier = item["detail_supplier"]
                row.member = item["detail_member"]
                row.framework = item["detail_framework"]
                row.ends_on = as_date(item["detail_ends_on"])
                row.years = int(item["detail_years"] or 0)
            made.append(row)
        return made

    def _make_total(self, sums: dict) -> ShortfallRow:
        return ShortfallRow(
            key=0,
            name="Total",
            target=credits(sums["target"]),
            delivered=credits(sums["delivered"]),
            awaiting_review=credits(sums["awaiting_review"]),
            shortfall=credits(sums["shortfall"]),
            contracts=int(sums["contracts"] or 0),
            contracts_short=int(sums["contracts_short"] or 0),
        )


def shortfall_by(
    group: str, *, lines: QuerySet[ReturnLine], to_date: bool = False
) -> list[ShortfallRow]:
    """Every row of `ShortfallTable(group, lines=lines, to_date=to_date)`, ordered
    by name."""
    return list(ShortfallTable(group, lines=lines, to_date=to_date))


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
