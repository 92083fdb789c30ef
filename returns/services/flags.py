"""Writing a line's flags (issue 23): the soft checks and the double-counting
flags, the supplier's explanation of each.

`flags_sync` is the one writer of flag rows: given the lines looked at, the kinds of
flag looked for and what was found, it adds the flags newly found, rewrites the
words of those still found (keeping their explanation and check: the supplier
explained the flag, not the figure) and deletes those no longer found, each with its
history row, in a few queries whatever the number of lines. The soft checks call it
from every save of a line's figures (`lines._save`); the double-counting detection
calls it with its own codes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import limits
from core.bulk import bulk_update_values, history_copy

from ..models import LineFlag

EXPLANATION_LABEL = "The explanation"
EXPLANATION_NEEDED = "Enter why the figure is right"
NOT_EXPLAINABLE = "Return {reference} is {status}: its flags cannot be explained now"


@dataclass(frozen=True)
class FlagFound:
    """One flag a check found: on `line_id`, of `code`, on `measure_code` ("" for
    the whole line), in `message`'s words, naming `other_lines` (ids)."""

    line_id: int
    code: str
    measure_code: str
    message: str
    other_lines: tuple[int, ...] = ()


def flags_sync(
    *,
    line_ids: Collection[int],
    codes: Collection[str],
    found: Iterable[FlagFound],
    user=None,
    also: Sequence[tuple[Collection[int], Collection[str]]] = (),
) -> None:
    """Makes the flags of `codes` on `line_ids` exactly `found` (every item of which
    must be on one of `line_ids` and of one of `codes`). Flags of other codes or
    other lines are left alone. Call it inside the transaction that changed what the
    flags are about; three to six queries whatever the number of lines.

    `also` adds more (line ids, codes) pairs synced by the same queries: a line's
    save syncs its own soft checks and the whole return's SAME_PEOPLE flags at
    once."""
    scopes = [(set(line_ids), set(codes))]
    scopes += [(set(ids), set(kinds)) for ids, kinds in also]
    scopes = [(ids, kinds) for ids, kinds in scopes if ids and kinds]
    if not scopes:
        return
    wanted: dict[tuple[int, str, str], FlagFound] = {}
    for flag in found:
        if not any(flag.line_id in ids and flag.code in kinds for ids, kinds in scopes):
            raise ValueError(f"{flag} is outside the lines or codes given")
        wanted[(flag.line_id, flag.code, flag.measure_code)] = flag
    where = Q()
    for ids, kinds in scopes:
        where |= Q(line_id__in=ids, code__in=kinds)
    existing = {
        (f.line_id, f.code, f.measure_code): f for f in LineFlag.objects.filter(where)
    }
    now = timezone.now()
    gone = [f.pk for key, f in existing.items() if key not in wanted]
    reworded: list[LineFlag] = []
    for key, flag in wanted.items():
        row = existing.get(key)
        if row is None:
            continue
        other_lines = sorted(flag.other_lines)
        if row.message != flag.message or row.other_lines != other_lines:
            row.message = flag.message
            row.other_lines = other_lines
            reworded.append(row)
    added = [
        LineFlag(
            line_id=flag.line_id,
            code=flag.code,
            measure_code=flag.measure_code,
            message=flag.message,
            other_lines=sorted(flag.other_lines),
            raised_at=now,
        )
        for key, flag in wanted.items()
        if key not in existing
    ]
    if gone:
        history_copy(LineFlag, gone, history_type="-", user=user, at=now)
        # Without the delete signal, which would write a second history row.
        LineFlag.objects.filter(pk__in=gone)._raw_delete(LineFlag.objects.db)
    if reworded:
        bulk_update_values(LineFlag, reworded, ["message", "other_lines"])
        history_copy(
            LineFlag, [f.pk for f in reworded], history_type="~", user=user, at=now
        )
    if added:
        LineFlag.objects.bulk_create(added)  # sets their keys (RETURNING)
        history_copy(
            LineFlag, [f.pk for f in added], history_type="+", user=user, at=now
        )


@transaction.atomic
def flag_explain(*, flag: LineFlag, user, explanation: str) -> LineFlag:
    """The supplier's (or the team's, acting for it) explanation of one flag, kept
    in history. Refused, changing nothing, when blank, too long, or when the return
    is no longer editable."""
    flag = (
        LineFlag.objects.select_for_update(of=("self",))
        .select_related("line__annual_return")
        .get(pk=flag.pk)
    )
    annual_return = flag.line.annual_return
    if not annual_return.is_editable:
        raise ValidationError(
            {
                "explanation": NOT_EXPLAINABLE.format(
                    reference=annual_return.reference,
                    status=annual_return.get_status_display().lower(),
                )
            }
        )
    explanation = (explanation or "").strip()
    if not explanation:
        raise ValidationError({"explanation": EXPLANATION_NEEDED})
    limits.require_length(
        explanation, label=EXPLANATION_LABEL, limit=limits.NOTE, field="explanation"
    )
    if explanation != flag.explanation:
        flag.explanation = explanation
        flag.explained_by = user
        flag.explained_at = timezone.now()
        flag._history_user = user
        flag.save(update_fields=["explanation", "explained_by", "explained_at"])
    return flag
