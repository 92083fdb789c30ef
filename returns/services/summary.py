"""The per-contract summary of figures (`ContractSummary`): written here only.

`summary_refresh(contract_ids=...)` recomputes the given contracts' rows from their
lines, with the definitions of `returns.figures` (counted lines, delivered approved
only, awaiting review submitted, rounded sums read through `core.numbers`), and
replaces them. Every service that moves a figure calls it once, at its end, in its
own transaction: issuing and re-issuing, saving lines (line page, spreadsheet, the
team acting), submitting, approving, sending back, reopening, marking not required
and back, excluding and including a line, correcting spend (also through a query's
answer), recomputing credits, and importing past returns.

It also keeps `GroupSummary`, the to-date sums per supplier and per member of the
contracts they have now: the groups of the refreshed contracts are summed again
from their contracts' to-date rows. A contract moved to another supplier or member
keeps its rows (a year row keeps the member its line names, the snapshot), but its
old and new groups change: `summary_contracts_moved` refreshes both, and every
path that moves a contract (the contracts import, the admin) calls it.

A few queries for any number of contracts: lock the contracts (so two changes to
one contract's lines in different returns cannot interleave their refreshes), one
grouped sum over their lines, one delete, one insert; then per kind of group a lock,
a delete and a grouped insert.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import RawSQL

from core.numbers import round_credits
from frameworks.models import Contract

from ..figures.lines import _CREDITS, FIGURES, ZERO, _sum, counted_lines
from ..models import AnnualReturn, ContractSummary, GroupSummary, ReturnLine

FIELDS = (
    "target",
    "target_approved",
    "delivered",
    "awaiting_review",
    "delivered_all",
)


def _target_approved():
    return _sum(
        Case(
            When(
                annual_return__status=AnnualReturn.Status.APPROVED,
                then=F("target_credits"),
            ),
            default=Value(0),
            output_field=_CREDITS,
        )
    )


def _sums(contract_ids, year_ids=None) -> QuerySet:
    """Per contract, year and member of its counted lines: the figures' sums
    (`returns.figures`), each read through `rounded_sum`, under names that cannot
    clash with the lines' own fields."""
    lines = counted_lines()
    if contract_ids is not None:
        lines = lines.filter(contract_id__in=contract_ids)
    if year_ids is not None:
        lines = lines.filter(annual_return__year_id__in=year_ids)
    return (
        lines.order_by()
        .values(
            s_contract=F("contract_id"),
            s_year=F("annual_return__year_id"),
            s_member=F("member_id"),
        )
        .annotate(
            s_approved_lines=Count(
                "pk", filter=Q(annual_return__status=AnnualReturn.Status.APPROVED)
            ),
            s_target=FIGURES["target"](),
            s_target_approved=_target_approved(),
            s_delivered=FIGURES["delivered"](),
            s_awaiting_review=FIGURES["awaiting_review"](),
            s_delivered_all=_sum("delivered_credits"),
        )
    )


def summary_rows(contract_ids: Iterable[int] | QuerySet | None) -> list[dict]:
    """The summary rows of `contract_ids` (None: every contract) as dicts of
    ContractSummary's columns, computed from the counted lines: a row per contract,
    year and member of the line, and a to-date row per contract (year and member
    None) that adds up its year rows."""
    sums = _sums(contract_ids).values_list(
        "s_contract",
        "s_year",
        "s_member",
        "s_approved_lines",
        *(f"s_{name}" for name in FIELDS),
    )
    rows: list[dict] = []
    to_date: dict[int, dict] = {}
    for contract_id, year_id, member_id, approved_lines, *figures in sums:
        row = {
            "contract_id": contract_id,
            "year_id": year_id,
            "member_id": member_id,
            "approved_lines": approved_lines,
        }
        for name, value in zip(FIELDS, figures, strict=True):
            row[name] = round_credits(value or 0)
        rows.append(row)
        whole = to_date.get(contract_id)
        if whole is None:
            whole = to_date[contract_id] = {
                "contract_id": contract_id,
                "year_id": None,
                "member_id": None,
                "approved_lines": 0,
                **{name: ZERO for name in FIELDS},
                "year_ids": set(),
            }
        for name in FIELDS:
            # Sums of two-place values: exact, no rounding needed or done.
            whole[name] += row[name]
        whole["approved_lines"] += approved_lines
        whole["year_ids"].add(year_id)
    for row in rows:
        row["years"] = 1
    for whole in to_date.values():
        whole["years"] = len(whole.pop("year_ids"))
        rows.append(whole)
    for row in rows:
        row["shortfall"] = max(row["target"] - row["delivered"], ZERO)
    return rows


# The figures' names in `summary_rows` → ContractSummary's columns.
COLUMNS = {
    "contract_id": "contract_id",
    "year_id": "year_id",
    "member_id": "member_id",
    "target": "target_credits",
    "target_approved": "approved_target_credits",
    "delivered": "delivered_credits",
    "awaiting_review": "awaiting_review_credits",
    "delivered_all": "delivered_all_credits",
    "shortfall": "shortfall_credits",
    "years": "years",
    "approved_lines": "approved_lines",
}


def _write(rows: list[dict]) -> None:
    if not rows:
        return
    # Imported here: the issuing package imports this module.
    from .issuing.rows import insert_rows

    insert_rows(
        ContractSummary,
        {column: [row[name] for row in rows] for name, column in COLUMNS.items()},
    )


@transaction.atomic(savepoint=False)
def summary_refresh(
    *,
    contract_ids: Iterable[int] | QuerySet,
    year_ids: Iterable[int] | None = None,
    old_groups: dict[str, Iterable[int]] | None = None,
) -> None:
    """Recomputes the summary rows of `contract_ids` (ids, or a query giving
    contract ids) from their lines and replaces them: their rows of `year_ids` (all
    years when None: pass the years only when the change touched no other year's
    lines, as an issue), then their to-date rows from their year rows. Call it at
    the end of a change to lines or returns, inside its transaction, with the
    contracts whose lines it touched. Runs in the caller's transaction (no
    savepoint of its own), so the lock below is held until the change commits;
    called outside one (a test's factory), it is its own.

    The group rows of the contracts' current suppliers and members are summed again
    too, and those of `old_groups` ({"supplier": ids, "member": ids}: where moved
    contracts were before)."""
    if not isinstance(contract_ids, QuerySet):
        contract_ids = sorted(set(contract_ids))
        if not contract_ids:
            return
        if connection.vendor == "postgresql":
            # One array parameter rather than an IN list of thousands (an issue).
            contract_ids = RawSQL("SELECT unnest(%s::bigint[])", (contract_ids,))
    # The contracts locked in id order: a second refresh of one of them waits for
    # this transaction, then reads its lines as this one left them. NO KEY UPDATE:
    # rows that refer to a contract (lines, valuations) are still written meanwhile.
    locked = list(
        Contract.objects.select_for_update(no_key=True)
        .filter(pk__in=contract_ids)
        .order_by("pk")
        .values_list("pk", "supplier_id", "member_id")
    )
    if locked:
        _replace(contract_ids, None if year_ids is None else sorted(set(year_ids)))
    groups = {kind: set((old_groups or {}).get(kind, ())) for kind in GROUP_KEYS}
    for _, supplier_id, member_id in locked:
        groups["supplier"].add(supplier_id)
        groups["member"].add(member_id)
    _replace_groups(groups)


def summary_contracts_moved(
    *, contract_ids: Iterable[int], old_supplier_ids=(), old_member_ids=()
) -> None:
    """After contracts were given another supplier or member (`old_*_ids`: the ones
    they had): their old and new groups' rows summed again. Call it in the
    transaction of the change."""
    summary_refresh(
        contract_ids=contract_ids,
        old_groups={"supplier": old_supplier_ids, "member": old_member_ids},
    )


# A group kind → the key of a to-date row's contract in that group.
GROUP_KEYS = {"supplier": "contract__supplier_id", "member": "contract__member_id"}
GROUP_COLUMNS = {
    "s_group": "group_id",
    "s_target": "target_credits",
    "s_delivered": "delivered_credits",
    "s_awaiting_review": "awaiting_review_credits",
    "s_shortfall": "shortfall_credits",
    "s_contracts": "contracts",
    "s_contracts_short": "contracts_short",
}
# Advisory lock classes (PostgreSQL) of the two kinds of group row.
GROUP_LOCKS = {"supplier": 0x53470001, "member": 0x53470002}


def _group_sums(kind: str, group_ids) -> QuerySet:
    """Per group of `kind` (of `group_ids`; None: all): the sums of its contracts'
    to-date rows, as `ShortfallTable` sums them (each contract's shortfall, then
    the group's)."""
    rows = ContractSummary.objects.filter(year__isnull=True)
    if group_ids is not None:
        rows = rows.filter(**{f"{GROUP_KEYS[kind]}__in": group_ids})
    return (
        rows.order_by()
        .values(s_group=F(GROUP_KEYS[kind]))
        .annotate(
            s_target=_sum("target_credits"),
            s_delivered=_sum("delivered_credits"),
            s_awaiting_review=_sum("awaiting_review_credits"),
            s_shortfall=_sum("shortfall_credits"),
            s_contracts=Count("pk"),
            s_contracts_short=Count("pk", filter=Q(shortfall_credits__gt=0)),
        )
    )


def _replace_groups(groups: dict[str, set | None]) -> None:
    """Replaces the group rows of `groups` (kind → ids; None: every group of that
    kind) with their sums from the to-date rows (written just before)."""
    postgres = connection.vendor == "postgresql"
    for kind, ids in groups.items():
        wanted = ids
        if ids is not None:
            ids = sorted(ids - {None})
            if not ids:
                continue
            wanted = ids
        if postgres:
            _lock_groups(kind, ids)
        if ids is not None and postgres:
            wanted = RawSQL("SELECT unnest(%s::bigint[])", (ids,))
        kept = GroupSummary.objects.filter(kind=kind)
        if ids is not None:
            kept = kept.filter(group_id__in=wanted)
        kept.delete()
        sums = _group_sums(kind, wanted).filter(
            **{f"{GROUP_KEYS[kind]}__isnull": False}
        )
        if postgres:
            sql, params = sums.query.sql_with_params()
            table = connection.ops.quote_name(GroupSummary._meta.db_table)
            columns = ", ".join(GROUP_COLUMNS.values())
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    INSERT INTO {table} (kind, {columns})
                    SELECT %s, {", ".join(GROUP_COLUMNS)} FROM ({sql}) sums
                    """,  # noqa: S608 (our own SQL; every value is a parameter)
                    (kind, *params),
                )
            continue
        GroupSummary.objects.bulk_create(
            [GroupSummary(kind=kind, **_group_row(row)) for row in sums],
            batch_size=2000,
        )


# Above this many groups a refresh locks every group of the kind (one lock) rather
# than each: an issue refreshes ~23,000 groups, more advisory locks than PostgreSQL's
# lock table holds (max_locks_per_transaction × connections, 6,400 by default).
MANY_GROUPS = 100


def _lock_groups(kind: str, ids: list[int] | None) -> None:
    """PostgreSQL: two refreshes of contracts of one group would each delete and
    insert its row; with its lock the second waits for the first to commit, then
    reads the first's contract rows. A few groups: a shared lock on the kind, then
    each group's, in id order; many or all (None): the kind's alone, exclusive.
    Always supplier before member, after the contracts' locks, so two refreshes
    cannot wait for each other."""
    with connection.cursor() as cursor:
        if ids is None or len(ids) > MANY_GROUPS:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", (GROUP_LOCKS[kind],))
            return
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, 0)", (GROUP_LOCKS[kind],)
        )
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, g) FROM unnest(%s::int[]) g ORDER BY g",
            (GROUP_LOCKS[kind], ids),
        )


def _group_row(sums: dict) -> dict:
    row = {}
    for name, column in GROUP_COLUMNS.items():
        value = sums[name]
        if column.endswith("_credits"):
            value = round_credits(value or 0)
        row[column] = value
    return row


def _replace(contract_ids, year_ids: list[int] | None) -> None:
    """Replaces the year rows (of `year_ids`, or all) and the to-date rows of
    `contract_ids` (None: every contract): the year rows from the lines, then the
    to-date rows as the sums of the year rows (exact: two-place values)."""
    rows = ContractSummary.objects.all()
    if contract_ids is not None:
        rows = rows.filter(contract_id__in=contract_ids)
    # Two deletes, each matching one of the partial unique indexes (to-date rows:
    # year null; year rows: year set): one delete with "year null OR …" matched
    # neither and scanned the whole table (34 ms a line save at scale 170).
    rows.filter(year__isnull=True).delete()
    year_rows = rows.filter(year__isnull=False)
    if year_ids is not None:
        year_rows = year_rows.filter(year_id__in=year_ids)
    year_rows.delete()
    to_date = (
        rows.filter(year__isnull=False)
        .order_by()
        .values(s_contract=F("contract_id"))
        .annotate(
            s_target=_sum("target_credits"),
            s_target_approved=_sum("approved_target_credits"),
            s_delivered=_sum("delivered_credits"),
            s_awaiting_review=_sum("awaiting_review_credits"),
            s_delivered_all=_sum("delivered_all_credits"),
            s_years=Count("year_id", distinct=True),
            s_approved_lines=Sum("approved_lines"),
        )
    )
    sums = _sums(contract_ids, year_ids)
    if connection.vendor == "postgresql":
        _insert_select(sums, year_rows=True)
        _insert_select(to_date, year_rows=False)
        return
    _write([_year_row(row) for row in sums])
    _write(
        [
            _row(
                contract_id=row["s_contract"],
                year_id=None,
                member_id=None,
                approved_lines=row["s_approved_lines"],
                years=row["s_years"],
                sums=row,
            )
            for row in to_date
        ]
    )


def _row(*, contract_id, year_id, member_id, approved_lines, years, sums) -> dict:
    row = {
        "contract_id": contract_id,
        "year_id": year_id,
        "member_id": member_id,
        "approved_lines": approved_lines or 0,
        "years": years,
    }
    for name in FIELDS:
        row[name] = round_credits(sums[f"s_{name}"] or 0)
    row["shortfall"] = max(row["target"] - row["delivered"], ZERO)
    return row


def _year_row(sums: dict) -> dict:
    return _row(
        contract_id=sums["s_contract"],
        year_id=sums["s_year"],
        member_id=sums["s_member"],
        approved_lines=sums["s_approved_lines"],
        years=1,
        sums=sums,
    )


def _insert_select(sums: QuerySet, *, year_rows: bool) -> None:
    """PostgreSQL: the rows `_row` would make of `sums`, computed and written by the
    database in one statement (an issue refreshes tens of thousands of contracts).
    The same values: PostgreSQL adds two-place numerics exactly, so nothing is
    rounded on the way (the property test compares the result with `summary_rows`,
    computed in Python)."""
    sql, params = sums.query.sql_with_params()
    table = connection.ops.quote_name(ContractSummary._meta.db_table)
    columns = ", ".join(COLUMNS.values())
    where = "s_year, s_member" if year_rows else "NULL, NULL"
    years = "1" if year_rows else "s_years"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} ({columns})
            SELECT s_contract, {where}, s_target, s_target_approved, s_delivered,
                s_awaiting_review, s_delivered_all,
                GREATEST(s_target - s_delivered, 0), {years},
                COALESCE(s_approved_lines, 0)
            FROM ({sql}) sums
            """,  # noqa: S608 (our own SQL; every value is a parameter)
            params,
        )


@transaction.atomic
def summary_rebuild() -> int:
    """Every row of the summary rebuilt from the lines (`manage.py
    rebuild_contract_summary`: after loading data that bypassed the services, or to
    prove there is no drift). Returns how many rows it wrote."""
    _replace(None, None)
    _replace_groups(dict.fromkeys(GROUP_KEYS))
    return ContractSummary.objects.count() + GroupSummary.objects.count()


def summary_drift() -> list[tuple]:
    """Rows that differ between the summary as kept and a rebuild from the lines
    (empty when none): (contract, year, member, kept, rebuilt), then the group rows
    that differ from sums of the rebuilt to-date rows: (kind, group, None, kept,
    rebuilt)."""

    def key(row: dict) -> tuple:
        return (row["contract_id"], row["year_id"], row["member_id"])

    kept = {}
    for stored in ContractSummary.objects.values(*COLUMNS.values()):
        row = {name: stored[column] for name, column in COLUMNS.items()}
        for name in (*FIELDS, "shortfall"):
            row[name] = round_credits(row[name])
        kept[key(row)] = row
    rebuilt = {key(row): row for row in summary_rows(None)}
    drift = []
    for where in sorted(
        set(kept) | set(rebuilt), key=lambda k: tuple(x or 0 for x in k)
    ):
        if kept.get(where) != rebuilt.get(where):
            drift.append((*where, kept.get(where), rebuilt.get(where)))
    return drift + _group_drift(rebuilt)


def _group_drift(rebuilt: dict) -> list[tuple]:
    """The group rows as kept against their sums over `rebuilt` (the contracts'
    to-date rows rebuilt from the lines), computed here from the contracts' current
    supplier and member."""
    to_date = [row for row in rebuilt.values() if row["year_id"] is None]
    owners = (
        {
            pk: {"supplier": supplier_id, "member": member_id}
            for pk, supplier_id, member_id in Contract.objects.filter(
                pk__in=[row["contract_id"] for row in to_date]
            ).values_list("pk", "supplier_id", "member_id")
        }
        if to_date
        else {}
    )
    sums: dict[tuple, dict] = {}
    for row in to_date:
        for kind in GROUP_KEYS:
            group_id = owners[row["contract_id"]][kind]
            if group_id is None:
                continue
            group = sums.setdefault(
                (kind, group_id),
                {
                    "kind": kind,
                    "group_id": group_id,
                    "target_credits": ZERO,
                    "delivered_credits": ZERO,
                    "awaiting_review_credits": ZERO,
                    "shortfall_credits": ZERO,
                    "contracts": 0,
                    "contracts_short": 0,
                },
            )
            group["target_credits"] += row["target"]
            group["delivered_credits"] += row["delivered"]
            group["awaiting_review_credits"] += row["awaiting_review"]
            group["shortfall_credits"] += row["shortfall"]
            group["contracts"] += 1
            group["contracts_short"] += 1 if row["shortfall"] > 0 else 0
    kept = {}
    for stored in GroupSummary.objects.values("kind", *GROUP_COLUMNS.values()):
        for column in GROUP_COLUMNS.values():
            if column.endswith("_credits"):
                stored[column] = round_credits(stored[column])
        kept[(stored["kind"], stored["group_id"])] = stored
    return [
        (*where, None, kept.get(where), sums.get(where))
        for where in sorted(set(kept) | set(sums))
        if kept.get(where) != sums.get(where)
    ]


def summary_refresh_return(*, annual_return_id: int) -> None:
    """`summary_refresh` for every contract on a return: after a change of its
    status (submit, approve, send back, reopen, not required and back)."""
    summary_refresh(
        contract_ids=ReturnLine.objects.filter(
            annual_return_id=annual_return_id
        ).values("contract_id")
    )
