"""Issuing's honest floor (issue 25): hand-written SQL writing the rows a first issue
of a year writes, into the real tables with their indexes, constraints and foreign
keys, in the caller's transaction. No Python per row, no plan, no warnings.

What `returns_issue` writes on a first issue, and so the floor too:

- one return per supplier with a qualifying contract (`returns_annualreturn`);
- one line per qualifying contract (`returns_returnline`), spend and target as rules
  4 and 5 (ROUND on PostgreSQL numerics is half away from zero: half-up, as
  `round_half_up`, for the non-negative sums here);
- the first history row of each return and each line (django-simple-history's tables,
  "+", reason "Issued", by the actor, at the issue's time), because the history pages
  link to them;
- one "issued" event per return with the contracts' references in its snapshot;
- the per-contract summary (issue 25, `returns_contractsummary`): each issued
  contract's row of this year replaced from its new line, and its to-date row
  replaced by the sum of its year rows;
- the to-date rows of the issued contracts' suppliers and members
  (`returns_groupsummary`), replaced by the sums of their contracts' to-date rows;
- the year's `issued_at`.

Not written, by either: return entries (a line has none until its supplier saves it:
entries are the supplier's figures, not the issue's) and emails (the suite issues with
`send_emails=False`). Left out of the floor: the `IssueRun` row and its JSON summary
(one row, whatever the size), the plan's checks that only warn (no valuation for the
last quarter, spend outside a contract's dates, suppliers without an active contact),
the year's row lock and the summary's lock on each issued contract (`SELECT … FOR
UPDATE`, which writes each contract's row too): they are part of what issuing costs
over the floor.

`tests/returns/test_issue_floor.py` checks that the floor writes the same rows as
`returns_issue` (PostgreSQL only: the SQL is PostgreSQL's).
"""

from __future__ import annotations

import datetime

SELECTION = """
CREATE TEMPORARY TABLE issue_floor_selection ON COMMIT DROP AS
SELECT c.id AS contract_id, c.reference, c.supplier_id, c.member_id, c.lot_id,
       c.local_authority_id, s.spend,
       ROUND(s.spend * CAST(%(rate)s AS NUMERIC) / 100000, 2) AS target
FROM (
    SELECT c.id AS contract_id, ROUND(COALESCE(SUM(v.amount), 0), 2) AS spend
    FROM frameworks_contract c
    LEFT JOIN frameworks_valuation v
      ON v.contract_id = c.id
     AND v.period_end >= %(starts_on)s AND v.period_end <= %(ends_on)s
    WHERE c.starts_on <= %(ends_on)s AND c.ends_on >= %(starts_on)s
      AND c.status <> 'cancelled'
    GROUP BY c.id
) s
JOIN frameworks_contract c ON c.id = s.contract_id
JOIN frameworks_lot l ON l.id = c.lot_id
WHERE s.spend >= CAST(%(threshold)s AS NUMERIC) OR l.is_consultancy
"""

RETURNS = """
INSERT INTO returns_annualreturn (
    reference, status, status_before_not_required, source, issued_at,
    extension_reason, not_required_reason, returned_reason, declared_by_name,
    big_changes, supplier_id, year_id)
SELECT 'SV-' || %(slug)s || '-' || CASE WHEN supplier_id < 100000
           THEN LPAD(CAST(supplier_id AS text), 5, '0')
           ELSE CAST(supplier_id AS text) END,
       'not_started', '', 'issued', %(now)s, '', '', '', '', 0, supplier_id,
       %(year)s
FROM (SELECT DISTINCT supplier_id FROM issue_floor_selection) suppliers
ORDER BY supplier_id
"""

LINES = """
INSERT INTO returns_returnline (
    spend, target_credits, delivered_credits, nothing_delivered_reason,
    shortfall_reason, recovery_plan, excluded_reason, version,
    annual_return_id, contract_id, member_id, lot_id, local_authority_id)
SELECT f.spend, f.target, 0, '', '', '', '', 1,
       r.id, f.contract_id, f.member_id, f.lot_id, f.local_authority_id
FROM issue_floor_selection f
JOIN returns_annualreturn r ON r.supplier_id = f.supplier_id AND r.year_id = %(year)s
ORDER BY f.supplier_id, f.reference
"""

EVENTS = """
INSERT INTO returns_returnevent (kind, at, comment, snapshot, actor_id, annual_return_id)
SELECT 'issued', %(now)s, '',
       jsonb_build_object('contracts', jsonb_agg(f.reference ORDER BY f.reference)),
       %(actor)s, r.id
FROM issue_floor_selection f
JOIN returns_annualreturn r ON r.supplier_id = f.supplier_id AND r.year_id = %(year)s
GROUP BY r.id
ORDER BY r.id
"""

YEAR = "UPDATE returns_reportingyear SET issued_at = %(now)s WHERE id = %(year)s"

# The summary: the issued contracts' rows of this year and to date go (a data set can
# hold rows of lines issued before, as the suite's does), then come back from the
# lines: a year row per contract and member of its counted lines (an issued line
# counts; nothing is delivered or awaiting review yet), a to-date row per contract
# adding up its year rows.
SUMMARY_DELETE = """
DELETE FROM returns_contractsummary s
USING issue_floor_selection f
WHERE s.contract_id = f.contract_id AND (s.year_id = %(year)s OR s.year_id IS NULL)
"""

SUMMARY_YEAR = """
INSERT INTO returns_contractsummary (
    contract_id, year_id, member_id, target_credits, approved_target_credits,
    delivered_credits, awaiting_review_credits, delivered_all_credits,
    shortfall_credits, years, approved_lines)
SELECT l.contract_id, %(year)s, l.member_id, SUM(l.target_credits), 0, 0, 0,
       SUM(l.delivered_credits), SUM(l.target_credits), 1, 0
FROM returns_returnline l
JOIN returns_annualreturn r ON r.id = l.annual_return_id
WHERE r.year_id = %(year)s
GROUP BY l.contract_id, l.member_id
"""

SUMMARY_TO_DATE = """
INSERT INTO returns_contractsummary (
    contract_id, year_id, member_id, target_credits, approved_target_credits,
    delivered_credits, awaiting_review_credits, delivered_all_credits,
    shortfall_credits, years, approved_lines)
SELECT s.contract_id, NULL, NULL, SUM(s.target_credits),
       SUM(s.approved_target_credits), SUM(s.delivered_credits),
       SUM(s.awaiting_review_credits), SUM(s.delivered_all_credits),
       GREATEST(SUM(s.target_credits) - SUM(s.delivered_credits), 0),
       COUNT(DISTINCT s.year_id), SUM(s.approved_lines)
FROM returns_contractsummary s
JOIN issue_floor_selection f ON f.contract_id = s.contract_id
WHERE s.year_id IS NOT NULL
GROUP BY s.contract_id
"""

# The suppliers' and members' to-date rows (issue 25, `returns_groupsummary`): those of
# the issued contracts' groups go, then come back as the sums of their contracts'
# to-date rows (each contract's shortfall first, then added up).
GROUP_DELETE = """
DELETE FROM returns_groupsummary g
WHERE g.kind = '{kind}' AND g.group_id IN (
    SELECT c.{column} FROM issue_floor_selection f
    JOIN frameworks_contract c ON c.id = f.contract_id)
"""

GROUP_INSERT = """
INSERT INTO returns_groupsummary (
    kind, group_id, target_credits, delivered_credits, awaiting_review_credits,
    shortfall_credits, contracts, contracts_short)
SELECT '{kind}', c.{column}, SUM(s.target_credits), SUM(s.delivered_credits),
       SUM(s.awaiting_review_credits), SUM(s.shortfall_credits), COUNT(*),
       COUNT(*) FILTER (WHERE s.shortfall_credits > 0)
FROM returns_contractsummary s
JOIN frameworks_contract c ON c.id = s.contract_id
WHERE s.year_id IS NULL AND c.{column} IN (
    SELECT c2.{column} FROM issue_floor_selection f
    JOIN frameworks_contract c2 ON c2.id = f.contract_id)
GROUP BY c.{column}
"""

GROUPS = {"supplier": "supplier_id", "member": "member_id"}


def _groups() -> list[tuple[str, str]]:
    return [
        (f"groups: {kind}s {what}", sql.format(kind=kind, column=column))
        for kind, column in GROUPS.items()
        for what, sql in (("old rows", GROUP_DELETE), ("rows", GROUP_INSERT))
    ]


# The history rows copy every tracked column of the rows just written; the column
# lists come from the history models (they grow with the models), the statements
# are these.
HISTORY = """
INSERT INTO {history} ({columns}, history_date, history_user_id, history_type,
                       history_change_reason)
SELECT {copied}, %(now)s, %(actor)s, '+', 'Issued'
FROM {table} {join}
WHERE {where}
"""


def _history(model, join: str, where: str) -> str:
    history = model.history.model
    columns = [f.column for f in history.tracked_fields]
    table = model._meta.db_table
    return HISTORY.format(
        history=history._meta.db_table,
        columns=", ".join(columns),
        copied=", ".join(f"{table}.{c}" for c in columns),
        table=table,
        join=join,
        where=where,
    )


def statements() -> list[tuple[str, str]]:
    """(what, SQL) in the order they run."""
    from returns.models import AnnualReturn, ReturnLine

    return [
        ("selection", SELECTION),
        ("returns", RETURNS),
        ("lines", LINES),
        (
            "returns' history",
            _history(AnnualReturn, "", "returns_annualreturn.year_id = %(year)s"),
        ),
        (
            "lines' history",
            _history(
                ReturnLine,
                "JOIN returns_annualreturn r ON r.id = returns_returnline.annual_return_id",
                "r.year_id = %(year)s",
            ),
        ),
        ("events", EVENTS),
        ("summary: old rows", SUMMARY_DELETE),
        ("summary: the year's rows", SUMMARY_YEAR),
        ("summary: to date", SUMMARY_TO_DATE),
        *_groups(),
        ("year", YEAR),
    ]


def write_floor(year, *, now: datetime.datetime, actor_id: int | None = None) -> None:
    """Writes a first issue of `year` (which has no return yet) in the current
    transaction; the caller rolls it back or keeps it."""
    from django.db import connection

    params = {
        "rate": year.credits_per_100k,
        "threshold": year.spend_threshold,
        "starts_on": year.starts_on,
        "ends_on": year.ends_on,
        "slug": year.slug,
        "now": now,
        "actor": actor_id,
        "year": year.pk,
    }
    with connection.cursor() as cursor:
        for _what, sql in statements():
            cursor.execute(sql, params)
