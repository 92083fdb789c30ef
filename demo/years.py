"""Demo reporting years: the last three financial years (`--years`) before --today, opened and
issued with the real service (`returns_issue`, no emails), then filled in.

- The latest year to have ended is in season: issued, its deadline ahead of today.
  Its returns are a believable mix: not started, in progress, submitted, approved,
  one sent back for amendment and one not required. The demo supplier
  (supplier@example.org) has its return in progress, with several lines filled in.
- The two years before it are approved, with figures near their targets (a few
  below, with a reason and a recovery plan), submitted mostly on time.

Deterministic (each return and line draws from its own seeded `random.Random`) and
idempotent: a year already issued is not issued again, and only returns still
`not_started` with no figures are filled in, so a second run changes nothing.
Entries are written in bulk and each line's delivered credits computed with the
credits service (`line_credits`), with the year's own credit values.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import SupplierContact, User
from core.numbers import round_half_up
from demo.consortium import DemoBuild, _rng
from frameworks.models import DeliveryPlanItem
from returns import events
from returns.models import (
    AnnualReturn,
    IssueRun,
    Measure,
    ReportingYear,
    ReturnEntry,
    ReturnEvent,
    ReturnLine,
    YearMeasure,
)
from returns.services import line_credits, returns_issue, year_open

TEAM_EMAIL = "team@example.org"
S = AnnualReturn.Status
# The current year's mix (the rest of the returns are not started).
SEASON_WEIGHTS = (
    (S.NOT_STARTED, 30),
    (S.IN_PROGRESS, 30),
    (S.SUBMITTED, 22),
    (S.APPROVED, 18),
)
FALLBACK_MEASURES = ("TRN", "CAR", "VOL")  # for a line whose contract has no plan
SHORTFALL_REASONS = (
    "Two apprentices left the scheme in the autumn and the replacements start in "
    "the spring.",
    "The works were paused for four months while the member redesigned the scheme, "
    "so fewer people were on site.",
    "Our local training partner closed; we have agreed places with the college "
    "instead.",
    "Most of the year's work was specialist plant with few labour hours on site.",
)
RECOVERY_PLANS = (
    "Two apprenticeships and a work experience programme with the local college in "
    "the first half of next year.",
    "Careers sessions at the two nearest secondary schools each term, and "
    "volunteering days with the member's tenants' association.",
    "A local labour target of 60% for the next phase, checked monthly with the "
    "member's community investment officer.",
)
MAKE_GOOD = (
    "The contract has ended: we will deliver the remaining credits on our other "
    "contract with the same member, agreed with its contract manager.",
    "The contract has ended: a cash donation to the member's community fund "
    "equal to the shortfall, paid this year.",
)
NOTHING_DELIVERED = (
    "The commission was on hold for most of the year: no work was carried out."
)


def _update_rows(model, rows, names: list[str]) -> None:
    """One UPDATE per row through `executemany`: for hundreds of rows with different
    values, far quicker than `bulk_update`'s CASE expressions."""
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = %s" for field in fields
    )
    # Only the model's own table and column names, quoted; every value a parameter.
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
    params = [
        [
            field.get_db_prep_save(getattr(row, field.attname), connection)
            for field in fields
        ]
        + [row.pk]
        for row in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def demo_years(
    today: datetime.date, count: int = 3
) -> list[tuple[str, datetime.date, datetime.date]]:
    """(label, issue date, deadline) of the `count` years before --today, oldest
    first. The latest is in season: issued by today, its deadline ahead."""
    current_first = today.year if today.month >= 4 else today.year - 1
    years = []
    for first in range(current_first - count, current_first):
        ends_on = datetime.date(first + 1, 3, 31)
        issue_on = ends_on + datetime.timedelta(days=14)
        deadline = datetime.date(first + 1, 6, 30)
        if first == current_first - 1:  # in season
            issue_on = min(issue_on, today)
            if deadline <= today:  # a late --today: keep the season open
                deadline = today + datetime.timedelta(days=30)
        label = f"{first}/{(first + 1) % 100:02d}"
        years.append((label, issue_on, deadline))
    return years


def _moment(day: datetime.date, hour: int, build: DemoBuild) -> datetime.datetime:
    return build.at(days_before=(build.today - day).days, hour=hour)


def build_reporting_years(build: DemoBuild) -> None:
    """Opens and issues the demo's years with the real services; no emails."""
    team = User.objects.get(email=TEAM_EMAIL)
    for label, issue_on, deadline in demo_years(build.today, build.years):
        year = ReportingYear.objects.filter(label=label).first()
        if year is None:
            year = year_open(
                label=label, issue_on=issue_on, deadline=deadline, acting_user=team
            )
        if year.issued_at is not None:
            continue
        year.ready_at = _moment(issue_on - datetime.timedelta(days=5), 11, build)
        year.ready_by = team
        year.save()
        run = returns_issue(year=year, send_emails=False)  # as the daily job does
        issued_at = _moment(issue_on, 6, build)  # 06:00 or so: the 06:30 job
        ReportingYear.objects.filter(pk=year.pk).update(issued_at=issued_at)
        AnnualReturn.objects.filter(year=year).update(issued_at=issued_at)
        ReturnEvent.objects.filter(annual_return__year=year).update(at=issued_at)
        IssueRun.objects.filter(pk=run.pk).update(
            started_at=issued_at,
            finished_at=issued_at + datetime.timedelta(seconds=2),
        )


def _intended_status(latest: bool, reference: str, demo: bool):
    if not latest:
        return S.APPROVED
    if demo:
        return S.IN_PROGRESS
    rng = _rng("season", reference)
    statuses, weights = zip(*SEASON_WEIGHTS, strict=True)
    return rng.choices(statuses, weights=weights)[0]


def build_return_figures(build: DemoBuild) -> None:
    """Figures, submissions and approvals on the demo years' untouched returns."""
    labels = [label for label, _, _ in demo_years(build.today, build.years)]
    years = {y.label: y for y in ReportingYear.objects.filter(label__in=labels)}
    team = User.objects.get(email=TEAM_EMAIL)
    demo_supplier_id = (
        SupplierContact.objects.filter(user__email="supplier@example.org")
        .values_list("supplier_id", flat=True)
        .first()
    )
    primary = dict(
        SupplierContact.objects.filter(is_primary=True, is_active=True).values_list(
            "supplier_id", "user_id"
        )
    )
    names = dict(
        User.objects.filter(pk__in=primary.values()).values_list("id", "full_name")
    )
    measures = {m.code: m for m in Measure.objects.all()}
    for index, label in enumerate(labels):
        year = years.get(label)
        if year is None or year.issued_at is None:
            continue
        _fill_year(
            build,
            year=year,
            latest=index == len(labels) - 1,
            team=team,
            demo_supplier_id=demo_supplier_id,
            primary=primary,
            names=names,
            measures=measures,
        )


def _fill_year(
    build, *, year, latest, team, demo_supplier_id, primary, names, measures
):
    untouched = list(
        AnnualReturn.objects.filter(
            year=year, status=S.NOT_STARTED, source=AnnualReturn.Source.ISSUED
        )
        .exclude(Exists(ReturnEntry.objects.filter(line__annual_return=OuterRef("pk"))))
        .order_by("reference")
    )
    if not untouched:
        return
    if latest or year.label == _second_latest(build):
        # The demo supplier's two latest returns are filled in by its own step
        # (supplier_season.py) through the services its pages use.
        untouched = [r for r in untouched if r.supplier_id != demo_supplier_id]
    intended = {
        r.pk: _intended_status(latest, r.reference, r.supplier_id == demo_supplier_id)
        for r in untouched
    }
    if latest:
        # One sent back for amendment, one not required: the first of each kind.
        submitted = [r for r in untouched if intended[r.pk] == S.SUBMITTED]
        if (
            submitted
            and not AnnualReturn.objects.filter(year=year, status=S.RETURNED).exists()
        ):
            intended[submitted[0].pk] = S.RETURNED
        waiting = [
            r
            for r in untouched
            if intended[r.pk] == S.NOT_STARTED and r.supplier_id != demo_supplier_id
        ]
        if (
            waiting
            and not AnnualReturn.objects.filter(
                year=year, status=S.NOT_REQUIRED
            ).exists()
        ):
            intended[waiting[-1].pk] = S.NOT_REQUIRED
    active = [r for r in untouched if intended[r.pk] != S.NOT_STARTED]
    if not active:
        return
    rates = dict(
        YearMeasure.objects.filter(year=year).values_list(
            "measure_id", "credits_per_unit"
        )
    )
    lines = list(
        ReturnLine.objects.filter(annual_return__in=active)
        .select_related("contract")
        .order_by("contract__reference")
    )
    plans: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for contract_id, measure_id, quantity in DeliveryPlanItem.objects.filter(
        contract__in=[line.contract_id for line in lines]
    ).values_list("contract_id", "measure_id", "committed_quantity"):
        plans[contract_id].append((measure_id, quantity))
    by_id = {m.pk: m for m in measures.values()}
    status_of = {r.pk: intended[r.pk] for r in active}
    returns_by_id = {r.pk: r for r in active}
    entries: list[ReturnEntry] = []
    changed_lines: list[ReturnLine] = []
    quantities: dict[int, dict[str, str]] = defaultdict(dict)
    for line in lines:
        status = status_of[line.annual_return_id]
        rng = _rng("figures", f"{year.label}:{line.contract.reference}")
        if status == S.NOT_REQUIRED:
            continue
        if status == S.IN_PROGRESS and rng.random() < 0.4:
            continue  # not got to this one yet
        figures = _figures(rng, line, plans[line.contract_id], by_id, measures)
        reporter = primary.get(returns_by_id[line.annual_return_id].supplier_id)
        line.updated_by_id = reporter
        line.updated_at = _moment(
            min(build.today, year.deadline)
            - datetime.timedelta(days=rng.randint(3, 25)),
            14,
            build,
        )
        line.version = 2
        if not figures:
            line.nothing_delivered_reason = NOTHING_DELIVERED
            line.delivered_credits = Decimal("0.00")
        else:
            entries += [
                ReturnEntry(line_id=line.pk, measure_id=measure_id, quantity=quantity)
                for measure_id, quantity in figures
            ]
            quantities[line.pk] = {
                by_id[measure_id].code: str(quantity)
                for measure_id, quantity in figures
            }
            line.delivered_credits = line_credits(figures, rates)
        if line.delivered_credits < line.target_credits and (
            status != S.IN_PROGRESS or rng.random() < 0.5
        ):
            line.shortfall_reason = rng.choice(SHORTFALL_REASONS)
            if line.contract.ends_on < build.today:
                line.recovery_plan = rng.choice(MAKE_GOOD)
            else:
                line.recovery_plan = rng.choice(RECOVERY_PLANS)
                line.recovery_by = min(
                    line.contract.ends_on, build.today + datetime.timedelta(days=240)
                )
        changed_lines.append(line)
    ReturnEntry.objects.bulk_create(entries, ignore_conflicts=True)
    _update_rows(
        ReturnLine,
        changed_lines,
        [
            "delivered_credits",
            "nothing_delivered_reason",
            "shortfall_reason",
            "recovery_plan",
            "recovery_by",
            "updated_at",
            "updated_by",
            "version",
        ],
    )
    lines_by_return: dict[int, list[ReturnLine]] = defaultdict(list)
    for line in lines:
        lines_by_return[line.annual_return_id].append(line)
    emails = dict(
        User.objects.filter(pk__in=primary.values()).values_list("id", "email")
    )
    snapshots = {
        annual_return.pk: _snapshot(
            annual_return, lines_by_return[annual_return.pk], quantities, emails
        )
        for annual_return in active
    }
    _states(
        build,
        snapshots=snapshots,
        year=year,
        returns=active,
        intended=intended,
        team=team,
        primary=primary,
        names=names,
    )


def _figures(rng, line, plan, by_id, measures) -> list[tuple[int, Decimal]]:
    """(measure id, quantity) for a line: its delivery plan's share for the year,
    more or less; a contract without a plan reports training and careers work."""
    if line.target_credits == 0 and rng.random() < 0.3:
        return []  # a paused commission: "nothing delivered", with a reason
    share = (
        float(line.spend) / float(line.contract.value) if line.contract.value else 0.25
    )
    share = min(max(share, 0.05), 1.0)
    # Most deliver about what the plan asks; some fall short.
    factor = rng.uniform(0.85, 1.35) if rng.random() < 0.8 else rng.uniform(0.3, 0.9)
    figures = []
    if plan:
        for measure_id, committed in plan:
            measure = by_id[measure_id]
            quantity = round_half_up(
                float(committed) * share * factor * rng.uniform(0.7, 1.3),
                measure.decimal_places,
            )
            if quantity > 0:
                figures.append((measure_id, quantity))
    if not figures:
        target = float(line.target_credits) or 1.0
        for code in FALLBACK_MEASURES:
            measure = measures[code]
            rate = float(measure.default_credits_per_unit) or 1.0
            quantity = round_half_up(
                target * factor / len(FALLBACK_MEASURES) / rate, measure.decimal_places
            )
            if quantity > 0:
                figures.append((measure.pk, quantity))
    return figures


def _second_latest(build: DemoBuild) -> str:
    return demo_years(build.today, build.years)[-2][0]


def _snapshot(annual_return, lines, quantities, emails) -> dict:
    """What a submission's event keeps (as `return_snapshot` writes it), from the
    rows in hand rather than a query per return."""
    rows = []
    for line in lines:
        rows.append(
            {
                "contract": line.contract.reference,
                "version": line.version,
                "quantities": dict(sorted(quantities.get(line.pk, {}).items())),
                "nothing_delivered_reason": line.nothing_delivered_reason,
                "shortfall_reason": line.shortfall_reason,
                "recovery_plan": line.recovery_plan,
                "recovery_by": line.recovery_by.isoformat()
                if line.recovery_by
                else None,
                "target_credits": str(line.target_credits),
                "delivered_credits": str(line.delivered_credits),
                "updated_by": emails.get(line.updated_by_id, ""),
                "updated_at": line.updated_at.isoformat() if line.updated_at else None,
                "excluded": line.is_excluded,
            }
        )
    return {
        "reference": annual_return.reference,
        "lines": rows,
        "target_credits": str(
            sum((line.target_credits for line in lines), Decimal("0.00"))
        ),
        "delivered_credits": str(
            sum((line.delivered_credits for line in lines), Decimal("0.00"))
        ),
    }


def _states(build, *, snapshots, year, returns, intended, team, primary, names) -> None:
    """Statuses, timestamps and events of the filled-in returns."""
    event_rows: list[ReturnEvent] = []

    def record(annual_return, kind: str, **fields) -> None:
        event_rows.append(ReturnEvent(annual_return=annual_return, kind=kind, **fields))

    changed = []
    deadline = year.deadline
    for annual_return in returns:
        status = intended[annual_return.pk]
        rng = _rng("state", annual_return.reference)
        reporter = primary.get(annual_return.supplier_id)
        started = _moment(
            min(build.today, deadline) - datetime.timedelta(days=rng.randint(20, 45)),
            10,
            build,
        )
        if status == S.NOT_REQUIRED:
            annual_return.status = S.NOT_REQUIRED
            annual_return.status_before_not_required = S.NOT_STARTED
            annual_return.not_required_reason = (
                "The supplier went into administration; the member has re-let the work."
            )
            record(
                annual_return,
                events.NOT_REQUIRED,
                actor=team,
                at=started,
                comment=annual_return.not_required_reason,
            )
            changed.append(annual_return)
            continue
        record(annual_return, events.STARTED, actor_id=reporter, at=started)
        annual_return.status = S.IN_PROGRESS
        if status in (S.SUBMITTED, S.APPROVED, S.RETURNED):
            if build.today > deadline:  # a past year: about one in ten was late
                late = rng.random() < 0.1
                offset = rng.randint(1, 20) if late else -rng.randint(0, 30)
                day = deadline + datetime.timedelta(days=offset)
            else:
                day = build.today - datetime.timedelta(days=rng.randint(1, 12))
            submitted_at = _moment(day, rng.randint(9, 17), build)
            annual_return.status = S.SUBMITTED
            annual_return.submitted_at = submitted_at
            annual_return.first_submitted_at = submitted_at
            annual_return.submitted_by_id = reporter
            annual_return.declared_by_name = names.get(reporter, "")
            record(
                annual_return,
                events.SUBMITTED,
                actor_id=reporter,
                at=submitted_at,
                snapshot=snapshots[annual_return.pk],
            )
            decided = min(
                submitted_at + datetime.timedelta(days=rng.randint(3, 25)),
                _moment(build.today, 9, build),
            )
            if status == S.APPROVED:
                annual_return.status = S.APPROVED
                annual_return.approved_at = decided
                annual_return.approved_by = team
                record(annual_return, events.APPROVED, actor=team, at=decided)
            elif status == S.RETURNED:
                annual_return.status = S.RETURNED
                annual_return.returned_reason = (
                    "The apprenticeship figures look like the whole contract's, not "
                    "this year's: please check them against your payroll and resubmit."
                )
                record(
                    annual_return,
                    events.RETURNED,
                    actor=team,
                    at=decided,
                    comment=annual_return.returned_reason,
                )
        changed.append(annual_return)
    _update_rows(
        AnnualReturn,
        changed,
        [
            "status",
            "status_before_not_required",
            "not_required_reason",
            "returned_reason",
            "submitted_at",
            "first_submitted_at",
            "submitted_by",
            "declared_by_name",
            "approved_at",
            "approved_by",
        ],
    )
    ReturnEvent.objects.bulk_create(event_rows)
