"""Applying a checked upload: every change through `lines_save` (the bulk form of
`line_save`, with the same rules and messages), all or nothing.

Between the preview and the confirmation the plan travels signed in the form (it is
the supplier's own file's content, so the signature only stops tampering). Lines that
were changed online since the download are applied only when the person ticked
"replace the online changes".
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from returns import events
from returns.models import AnnualReturn
from returns.services.events import event_record
from returns.services.lines import (
    LineConflict,
    LineInput,
    LinesNotSaved,
    ReturnNotEditable,
    lines_save,
)

from .upload import LineChange, UploadPlan

PLAN_SALT = "returns.spreadsheets.plan"
PLAN_MAX_AGE = 60 * 60 * 2  # the preview is good for the length of a session


class UploadStale(Exception):
    """A line changed between the preview and the confirmation."""


def plan_dumps(plan: UploadPlan, *, user_id: int) -> str:
    changes = []
    for change in plan.changes:
        data = asdict(change)
        data["quantities"] = {k: str(v) for k, v in change.quantities.items()}
        data["credits"] = str(change.credits)
        data["recovery_by"] = (
            change.recovery_by.isoformat() if change.recovery_by else None
        )
        changes.append(data)
    payload = {"return": plan.annual_return_id, "user": user_id, "changes": changes}
    return signing.dumps(payload, salt=PLAN_SALT, compress=True)


def plan_loads(token: str, *, annual_return: AnnualReturn, user_id: int) -> list:
    """The changes of a signed plan; BadSignature if altered, expired or not theirs."""
    payload = signing.loads(token, salt=PLAN_SALT, max_age=PLAN_MAX_AGE)
    if payload["return"] != annual_return.pk or payload["user"] != user_id:
        raise signing.BadSignature("plan for another return or person")
    changes = []
    for data in payload["changes"]:
        data["quantities"] = {k: Decimal(v) for k, v in data["quantities"].items()}
        data["credits"] = Decimal(data["credits"])
        data["recovery_by"] = (
            datetime.date.fromisoformat(data["recovery_by"])
            if data["recovery_by"]
            else None
        )
        data["cells"] = [tuple(cell) for cell in data["cells"]]
        changes.append(LineChange(**data))
    return changes


def _input(change: LineChange) -> LineInput:
    return LineInput(
        line_id=change.line_id,
        expected_version=change.expected_version,
        quantities={code: str(q) for code, q in change.quantities.items()},
        nothing_delivered_reason=change.texts.get("nothing_delivered_reason", ""),
        shortfall_reason=change.texts.get("shortfall_reason", ""),
        recovery_plan=change.texts.get("recovery_plan", ""),
        recovery_by=change.recovery_by,
    )


def _messages(change: LineChange, error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [
            f"contract {change.reference}: {message}"
            for messages in error.message_dict.values()
            for message in messages
        ]
    return [f"contract {change.reference}: {message}" for message in error.messages]


def upload_rules_check(*, plan: UploadPlan, user) -> None:
    """Runs every change through `lines_save` inside a transaction that is rolled
    back, so the preview reports exactly what the web form would refuse, and the
    soft checks the figures trip (warnings: they never stop the confirmation)."""
    # With problems found reading the file already, the lines that read well are
    # still checked, for their warnings only (their refusals would repeat).
    report_problems = plan.ok
    if not plan.changes:
        return
    by_line = {change.line_id: change for change in plan.changes}
    soft_flags: dict = {}
    with transaction.atomic():
        try:
            saved = lines_save(
                # Only its key is read: lines_save locks and reads the return itself.
                annual_return=AnnualReturn(pk=plan.annual_return_id),
                changes=[_input(change) for change in plan.changes],
                user=user,
            )
        except ReturnNotEditable as error:
            # What `line_save` would have said for each line of the file.
            for change in plan.changes if report_problems else []:
                plan.problems.extend(_messages(change, error))
        except LinesNotSaved as refused:
            soft_flags = refused.soft_flags
            for given, error in refused.failures if report_problems else []:
                if isinstance(error, LineConflict):
                    continue  # reported as a conflict already; applied only when chosen
                plan.problems.extend(_messages(by_line[given.line_id], error))
        else:
            soft_flags = {line.pk: line.soft_flags for line in saved}
        transaction.set_rollback(True)
    plan.flags = [
        (change.reference, flag.message)
        for change in plan.changes
        for flag in soft_flags.get(change.line_id, [])
    ]


@transaction.atomic
def upload_apply(
    *,
    annual_return: AnnualReturn,
    changes: list[LineChange],
    user,
    replace_online: bool,
    file_name: str = "",
    entered_by=None,
) -> int:
    """Applies the changes; returns how many lines changed. Raises UploadStale (and
    writes nothing) if a line changed since the preview, ValidationError likewise:
    for the first line refused, as saving the lines in turn would. When nothing
    changes (the same preview confirmed twice, or figures already saved online),
    returns 0 and records no event."""
    chosen = [c for c in changes if replace_online or not c.conflict]
    try:
        saved = lines_save(
            annual_return=annual_return,
            changes=[_input(change) for change in chosen],
            user=user,
        )
    except LinesNotSaved as refused:
        given, error = refused.failures[0]
        if isinstance(error, LineConflict):
            reference = next(c.reference for c in chosen if c.line_id == given.line_id)
            raise UploadStale(
                f"Contract {reference} was changed online after your preview. "
                "Nothing from the file was saved: upload it again to see the "
                "latest figures."
            ) from error
        raise error from None
    applied = sum(1 for line in saved if line.changed)
    if not applied:
        return 0
    event_record(
        annual_return=annual_return,
        kind=events.UPLOADED,
        actor=user,
        comment=(
            f"{file_name}: {applied} contract{'' if applied == 1 else 's'} changed"
        ).strip(": "),
        snapshot={
            "file": file_name,
            "lines": [line.pk for line in saved if line.changed],
            "replaced_online": replace_online,
            "entered_by": getattr(entered_by, "pk", None),
        },
    )
    return applied
