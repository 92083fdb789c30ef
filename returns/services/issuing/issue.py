"""Issuing a year's returns, and re-issuing after corrected valuations (rule 6).

`returns_issue` takes the plan (`plan.py`) and writes it with a fixed number of
queries: returns, lines (each with its first history row) and events in bulk, refreshed lines with one bulk update, the
"issued" emails as `Notification` ledger rows sent after commit. Two runs at once
cannot double-issue: each locks the year's row first (`SELECT … FOR UPDATE`; SQLite
serialises writers anyway), so the second waits, then finds everything in place. The
unique constraints (one return per supplier and year, one line per return and
contract) and `ignore_conflicts` stand behind the lock.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import SupplierContact
from core.bulk import history_copy

from ... import events
from ...models import (
    AnnualReturn,
    IssueRun,
    Notification,
    ReportingYear,
    ReturnEvent,
    ReturnLine,
)
from ..notifications.ledger import send_after_commit
from ..summary import summary_refresh
from .plan import IssuePlan, issue_plan, return_reference
from .rows import insert_rows

# The change reasons of the history rows issuing writes (shown on the history pages).
ISSUED_REASON = "Issued"
ADDED_REASON = "Added at re-issue"

YEAR_NOT_READY = (
    "Reporting year {label} has not been marked ready to issue: check the dry run "
    "and mark it ready first"
)


def returns_issue(
    *,
    year: ReportingYear,
    dry_run: bool = False,
    started_by=None,
    run: IssueRun | None = None,
    send_emails: bool = True,
    unless_issued: bool = False,
) -> IssueRun | None:
    """Issues (or, with `dry_run`, only plans) the year's returns and records the
    run as an `IssueRun` with its summary. A real issue needs the year marked ready.

    Creates one return per supplier with a qualifying contract and one line per
    qualifying contract; on a re-issue refreshes spend and target on open returns
    (with an event the supplier sees as a banner), adds newly qualifying lines to
    them, never deletes a line, and only lists what would change on submitted,
    approved or not-required returns and lines that no longer qualify. With
    `unless_issued` (the daily job) a year already issued is left alone: None. Queues one
    "issued" email per active contact and new return (`send_emails=False`: ledger
    rows are not even written, as in the demo). Called by the year's page (through
    the `issue_year` task), the daily job, `manage.py issue_returns` and the demo.
    """
    try:
        with transaction.atomic():
            return _issue(
                year=year,
                dry_run=dry_run,
                started_by=started_by,
                run=run,
                send_emails=send_emails,
                unless_issued=unless_issued,
            )
    except Exception as error:
        failed = {
            "status": IssueRun.Status.FAILED,
            "finished_at": timezone.now(),
            "summary": {"error": _message(error)},
        }
        if run is not None and run.pk:
            IssueRun.objects.filter(pk=run.pk).update(**failed)
        else:  # the run rolled back with the rest: record that it failed
            IssueRun.objects.create(
                year=year, started_by=started_by, dry_run=dry_run, **failed
            )
        raise


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"{type(error).__name__}: {error}"[:1000]


def _issue(*, year, dry_run, started_by, run, send_emails, unless_issued):
    if run is not None and run.pk:
        # The run's own lock, held to the end: the runs page and the resume job
        # read a running run whose row is not locked as one whose worker died. A
        # second delivery of the same run waits here, then finds it finished.
        locked = IssueRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in (IssueRun.Status.QUEUED, IssueRun.Status.RUNNING):
            return locked
    # The lock: a second run waits here until the first commits, then sees its rows.
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if unless_issued and year.issued_at is not None:
        return None
    if not dry_run and year.ready_at is None:
        raise ValidationError(YEAR_NOT_READY.format(label=year.label))
    now = timezone.now()
    if run is None:
        run = IssueRun(year=year, started_by=started_by, dry_run=dry_run)
    run.status = IssueRun.Status.RUNNING
    run.started_at = run.started_at or now

    plan = issue_plan(year=year)
    summary = plan.summary()
    if not dry_run:
        summary["emails_queued"] = _write(
            plan=plan, year=year, actor=started_by, now=now, send_emails=send_emails
        )
        if year.issued_at is None:
            year.issued_at = now
            year.save(update_fields=["issued_at"])
    run.status = IssueRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.summary = summary
    run.save()
    return run


def _write(*, plan: IssuePlan, year: ReportingYear, actor, now, send_emails) -> int:
    actor_id = actor.pk if actor is not None else None
    # 1. New returns, keyed on (supplier, year). Under the year's lock the plan is
    # exact: these suppliers had no return, so every one is created here.
    created = dict(
        insert_rows(
            AnnualReturn,
            {
                "supplier_id": plan.new_supplier_ids,
                "reference": [
                    return_reference(year, supplier_id)
                    for supplier_id in plan.new_supplier_ids
                ],
            },
            values={
                "year_id": year.pk,
                "status": AnnualReturn.Status.NOT_STARTED,
                "source": AnnualReturn.Source.ISSUED,
                "issued_at": now,
            },
            returning=("supplier_id", "id"),
        )
    )
    return_ids = {r.supplier_id: r.id for r in plan.existing_returns.values()}
    return_ids.update(created)

    # 2. Lines: all of a new return's, and newly qualifying ones on open returns.
    lines = [
        contract
        for contract in plan.new_lines + plan.added_lines
        if contract.supplier_id in return_ids
    ]
    inserted_lines = insert_rows(
        ReturnLine,
        {
            "annual_return_id": [return_ids[c.supplier_id] for c in lines],
            "contract_id": [c.contract_id for c in lines],
            "member_id": [c.member_id for c in lines],
            "lot_id": [c.lot_id for c in lines],
            "local_authority_id": [c.local_authority_id for c in lines],
            "spend": [c.spend for c in lines],
            "target_credits": [c.target for c in lines],
        },
        returning=("id", "annual_return_id"),
    )
    # History rows for what was written in bulk (no save signal ran), so every
    # return and line the history pages link to starts with who issued it and when.
    history_copy(
        AnnualReturn,
        list(created.values()),
        history_type="+",
        user=actor,
        at=now,
        reason=ISSUED_REASON,
    )
    new_return_ids = set(created.values())
    for reason, in_new_return in ((ISSUED_REASON, True), (ADDED_REASON, False)):
        history_copy(
            ReturnLine,
            [
                pk
                for pk, rid in inserted_lines
                if (rid in new_return_ids) is in_new_return
            ],
            history_type="+",
            user=actor,
            at=now,
            reason=reason,
        )

    # 3. Refreshed spend and target on open returns, with history.
    if plan.refreshed:
        changes = {row.line_id: row for row in plan.refreshed}
        changed_lines = list(ReturnLine.objects.filter(pk__in=changes))
        for line in changed_lines:
            line.spend = changes[line.pk].new_spend
            line.target_credits = changes[line.pk].new_target
        bulk_update_with_history(
            changed_lines,
            ReturnLine,
            ["spend", "target_credits"],
            default_user=actor,
            default_change_reason="Re-issue: spend and target updated",
            default_date=now,
        )

    # 4. Events: issued, contract added, spend and target updated.
    issued_contracts: dict[int, list[str]] = defaultdict(list)
    for contract in plan.new_lines:
        issued_contracts[contract.supplier_id].append(contract.reference)
    event_rows = [
        (return_id, events.ISSUED, "", {"contracts": issued_contracts[supplier_id]})
        for supplier_id, return_id in created.items()
    ]
    added: dict[int, list[dict]] = defaultdict(list)
    for contract in plan.added_lines:
        added[return_ids[contract.supplier_id]].append(
            {
                "contract": contract.reference,
                "spend": str(contract.spend),
                "target": str(contract.target),
            }
        )
    event_rows += [
        (
            return_id,
            events.LINE_ADDED,
            ", ".join(row["contract"] for row in rows),
            {"lines": rows},
        )
        for return_id, rows in added.items()
    ]
    refreshed: dict[int, list[dict]] = defaultdict(list)
    for row in plan.refreshed:
        refreshed[row.annual_return_id].append(
            {
                "contract": row.contract_reference,
                "old_spend": str(row.old_spend),
                "new_spend": str(row.new_spend),
                "old_target": str(row.old_target),
                "new_target": str(row.new_target),
            }
        )
    event_rows += [
        (
            return_id,
            events.REFRESHED,
            ", ".join(row["contract"] for row in rows),
            {"lines": rows},
        )
        for return_id, rows in refreshed.items()
    ]
    insert_rows(
        ReturnEvent,
        {
            "annual_return_id": [row[0] for row in event_rows],
            "kind": [row[1] for row in event_rows],
            "comment": [row[2] for row in event_rows],
            "snapshot": [row[3] for row in event_rows],
        },
        values={"actor_id": actor_id, "at": now},
    )
    # 5. The summary of figures of every contract whose lines this wrote: their
    # rows of this year, and to date.
    summary_refresh(
        contract_ids=[c.contract_id for c in lines]
        + [row.contract_id for row in plan.refreshed],
        year_ids=[year.pk],
    )

    if not send_emails:
        return 0
    return _queue_issued_emails(year=year, return_ids=list(created.values()))


def _queue_issued_emails(*, year: ReportingYear, return_ids: list[int]) -> int:
    """One ledger row per active contact and new return; then every row of this
    year's "issued" emails still queued (a crashed earlier run's too) is sent after
    commit. The ledger's unique constraint makes each at most once."""
    wanted = set(return_ids)
    contacts = SupplierContact.objects.filter(
        supplier__returns__in=return_ids,
        is_active=True,
        user__is_active=True,
    ).values_list("user_id", "user__email", "supplier__returns")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                annual_return_id=return_id,
                kind=Notification.Kind.ISSUED,
                key="",
                address=email,
            )
            for user_id, email, return_id in contacts
            if return_id in wanted
        ],
        ignore_conflicts=True,
    )
    pending = list(
        Notification.objects.filter(
            annual_return__year=year,
            kind=Notification.Kind.ISSUED,
            status=Notification.Status.QUEUED,
        ).values_list("pk", flat=True)
    )
    if pending:
        send_after_commit(pending)
    return len(pending)
