"""Saving return lines' figures and reasons (DESIGN "Lines, completeness, versions").

`line_save` (one line: the supplier's line page, the team acting for a supplier) and
`lines_save` (many lines at once: a spreadsheet upload's preview and confirmation)
are the only writers of a line's entries and reasons. Both check every line with
`line_rules.line_check`, the one place the rules live, and both take all of their
input or none of it:

- the line's `version` rises only when its entries or reasons actually change;
- a save whose `expected_version` is not the line's version, and that would change
  something, is refused with `LineConflict` carrying the other person's figures.

Delivered credits are recomputed here, through `credits.line_credits`, and the
soft checks (`soft_checks.soft_checks`, issue 23) run on every line saved: their
flags are written in the same transaction (`flags.flags_sync`), and a line given
explanations of its flags gets them written too. The return's SAME_PEOPLE flags
(`double_counting`) are refreshed only when a save changes a people figure: nothing
else a line's save changes is compared across contracts.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import limits
from core.bulk import bulk_update_values, history_copy

from .. import events
from ..models import (
    AnnualReturn,
    LineFlag,
    Measure,
    ReturnEntry,
    ReturnLine,
    YearMeasure,
)
from .credits import line_credits
from .double_counting import double_counting_scope, people_figures_changed
from .events import event_record
from .flags import EXPLANATION_LABEL, FlagFound, flags_sync
from .line_rules import (
    MAX_QUANTITY,
    NEGATIVE,
    NOT_A_NUMBER,
    NOTHING_DELIVERED_WITH_FIGURES,
    PART_OF_EXCEEDED,
    RECOVERY_AFTER_CONTRACT_END,
    RECOVERY_DATE_AFTER_END,
    TOO_LARGE,
    TWO_PLACES,
    UNKNOWN_MEASURE,
    WHOLE_NUMBER,
    LineInput,
    LineState,
    contract_has_ended,
    line_check,
    parse_quantity,
)
from .soft_checks import Thresholds, soft_checks
from .summary import summary_refresh

__all__ = [
    "EXCLUDED",
    "MAX_QUANTITY",
    "NEGATIVE",
    "NOT_A_NUMBER",
    "NOT_EDITABLE",
    "NOTHING_DELIVERED_WITH_FIGURES",
    "PART_OF_EXCEEDED",
    "RECOVERY_AFTER_CONTRACT_END",
    "RECOVERY_DATE_AFTER_END",
    "TOO_LARGE",
    "TWO_PLACES",
    "UNKNOWN_MEASURE",
    "WHOLE_NUMBER",
    "LineConflict",
    "LineInput",
    "LinesNotSaved",
    "ReturnNotEditable",
    "contract_has_ended",
    "explanation_key",
    "line_figures",
    "line_save",
    "lines_save",
    "parse_quantity",
    "return_check_editable",
    "return_mark_started",
    "soft_flags_found",
    "year_measures",
]

# The line's columns a save writes (and its history row records).
LINE_FIELDS = [
    "delivered_credits",
    "nothing_delivered_reason",
    "shortfall_reason",
    "recovery_plan",
    "recovery_by",
    "version",
    "updated_at",
    "updated_by",
]

NOT_EDITABLE = "Return {reference} is {status} and cannot be changed"
EXCLUDED = (
    "Contract {contract} has been excluded from this return and cannot be changed"
)


class ReturnNotEditable(ValidationError):
    """The return is submitted, approved or not required: nothing on it may change."""


class LineConflict(Exception):
    """Someone else saved this line since the form was loaded. `theirs` holds the
    line's figures as they are now (see `line_figures`), `line` the fresh line."""

    def __init__(self, *, line: ReturnLine, theirs: dict):
        super().__init__(f"Line {line.pk} changed since version was read")
        self.line = line
        self.theirs = theirs


class LinesNotSaved(Exception):
    """`lines_save` refused and wrote nothing. `failures` lists, in the order the
    lines were given, each refused line's input and what `line_save` would have
    raised for it alone: a ValidationError, ReturnNotEditable (an excluded line) or
    LineConflict. `soft_flags` holds the soft checks the other lines trip (line id →
    flags found), for a preview to show beside the errors."""

    def __init__(
        self,
        failures: list[tuple[LineInput, Exception]],
        soft_flags: dict[int, list[FlagFound]] | None = None,
    ):
        super().__init__(f"{len(failures)} line(s) refused")
        self.failures = failures
        self.soft_flags = soft_flags or {}


def explanation_key(code: str, measure_code: str) -> str:
    """The name an explanation of a flag goes by in a form and in the errors a save
    raises: "explain__above_last_year__EMP-FT"."""
    return f"explain__{code}__{measure_code}"


def year_measures(year) -> list[YearMeasure]:
    """The year's measures, in the catalogue's order, with their measure."""
    return list(
        YearMeasure.objects.filter(year=year)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )


def line_figures(line: ReturnLine, *, prefetched: bool = False) -> dict:
    """A line's figures and reasons as plain JSON-ready data: what a conflict shows
    as "theirs" and what a submission snapshots. With `prefetched`, reads
    `line.entries.all()` (prefetch `entries__measure` first)."""
    entries = (
        line.entries.all() if prefetched else line.entries.select_related("measure")
    )
    return _figures_dict(line, {e.measure.code: str(e.quantity) for e in entries})


def _figures_dict(line: ReturnLine, quantities: dict[str, str]) -> dict:
    return {
        "contract": line.contract.reference if line.contract_id else "",
        "version": line.version,
        "quantities": dict(sorted(quantities.items())),
        "nothing_delivered_reason": line.nothing_delivered_reason,
        "shortfall_reason": line.shortfall_reason,
        "recovery_plan": line.recovery_plan,
        "recovery_by": line.recovery_by.isoformat() if line.recovery_by else None,
        "target_credits": str(line.target_credits),
        "delivered_credits": str(line.delivered_credits),
        "updated_by": str(line.updated_by) if line.updated_by_id else "",
        "updated_at": line.updated_at.isoformat() if line.updated_at else None,
    }


def return_check_editable(annual_return: AnnualReturn) -> None:
    if not annual_return.is_editable:
        raise ReturnNotEditable(
            NOT_EDITABLE.format(
                reference=annual_return.reference,
                status=annual_return.get_status_display().lower(),
            ),
            code="not_editable",
        )


def return_mark_started(*, annual_return: AnnualReturn, user) -> bool:
    """not_started → in_progress, with a "started" event; a no-op otherwise."""
    won = AnnualReturn.objects.filter(
        pk=annual_return.pk, status=AnnualReturn.Status.NOT_STARTED
    ).update(status=AnnualReturn.Status.IN_PROGRESS)
    if won:
        annual_return.status = AnnualReturn.Status.IN_PROGRESS
        event_record(annual_return=annual_return, kind=events.STARTED, actor=user)
    return bool(won)


@transaction.atomic
def line_save(
    *,
    line: ReturnLine,
    user,
    expected_version: int | None,
    quantities: dict[str, object],
    nothing_delivered_reason: str = "",
    shortfall_reason: str = "",
    recovery_plan: str = "",
    recovery_by: datetime.date | None = None,
    explanations: Mapping[tuple[str, str], str] | None = None,
    today: datetime.date | None = None,
) -> ReturnLine:
    """Writes one line's entries and reasons, all or nothing. `quantities` maps
    measure codes to what was typed (blank or None: no entry); codes left out of
    the dict are blank too. `expected_version` is the version the form (or the
    workbook) was loaded at; None skips the check (the team's own corrections).

    Raises ValidationError (a dict: measure code or field name → messages),
    ReturnNotEditable, or LineConflict. Returns the fresh line; its version has
    risen only if something changed. The first save on a not-started return moves it
    to in progress. Called by the line page and the team acting for a supplier; a
    spreadsheet upload saves all its lines with `lines_save`.

    The soft checks run on the figures saved: the line's flags are written with
    them, and the fresh line's `soft_flags` lists what was found. `explanations`
    maps (flag code, measure code) to the supplier's explanation of that flag,
    written to the flags the save leaves on the line (others are ignored: the
    figure no longer trips them); one over limits.NOTE is refused under
    `explanation_key(code, measure_code)`, and a blank one changes nothing."""
    given = LineInput(
        line_id=line.pk,
        expected_version=expected_version,
        quantities=quantities,
        nothing_delivered_reason=nothing_delivered_reason,
        shortfall_reason=shortfall_reason,
        recovery_plan=recovery_plan,
        recovery_by=recovery_by,
        explanations=dict(explanations or {}),
    )
    try:
        [saved] = _save(
            annual_return_id=line.annual_return_id,
            changes=[given],
            user=user,
            today=today,
        )
    except LinesNotSaved as refused:
        raise refused.failures[0][1] from None
    return saved


@transaction.atomic
def lines_save(
    *,
    annual_return: AnnualReturn,
    changes: Sequence[LineInput],
    user,
    today: datetime.date | None = None,
) -> list[ReturnLine]:
    """Writes many lines' entries and reasons of one return, all or nothing, with
    the same result as calling `line_save` for each in turn: same rules and
    messages, entries, credits, versions, history rows and "started" event. The
    queries do not grow with the lines: one lock for all of them, bulk writes.

    Raises ReturnNotEditable if the return is not editable, or LinesNotSaved listing
    every line that `line_save` would refuse (and then writes nothing). Returns the
    fresh lines in the order given, each with `changed`: whether this save changed
    it (a line given as it already is is left alone). Called by the spreadsheet
    upload's preview and confirmation."""
    if not changes:
        return []  # as saving no line in turn: nothing locked, checked or written
    return _save(
        annual_return_id=annual_return.pk, changes=changes, user=user, today=today
    )


def _save(
    *,
    annual_return_id: int,
    changes: Sequence[LineInput],
    user,
    today: datetime.date | None,
) -> list[ReturnLine]:
    # The one writer behind line_save and lines_save; the caller holds a transaction.
    line_ids = [given.line_id for given in changes]
    if len(set(line_ids)) != len(line_ids):
        raise ValueError("each line may be given once")
    annual_return, lines = _lock_many(annual_return_id, line_ids)
    return_check_editable(annual_return)
    today = today or timezone.localdate()
    by_code = {ym.measure.code: ym for ym in year_measures(annual_return.year_id)}
    entries: dict[int, dict[int, ReturnEntry]] = {line_id: {} for line_id in line_ids}
    for entry in ReturnEntry.objects.filter(line_id__in=line_ids):
        entries[entry.line_id][entry.measure_id] = entry

    failures: list[tuple[LineInput, Exception]] = []
    to_write: list[tuple[ReturnLine, LineState]] = []
    checked: list[tuple[ReturnLine, LineState]] = []
    for given in changes:
        line = lines[given.line_id]
        try:
            if line.is_excluded:
                raise ReturnNotEditable(
                    EXCLUDED.format(contract=line.contract.reference), code="excluded"
                )
            new = line_check(
                line=line,
                given=given,
                by_code=by_code,
                year_label=annual_return.year.label,
                today=today,
            )
            _check_explanations(given)
        except ValidationError as error:
            failures.append((given, error))
            continue
        checked.append((line, new))
        if new == _state(line, entries[line.pk]):
            continue
        if (
            given.expected_version is not None
            and given.expected_version != line.version
        ):
            theirs = _figures_dict(line, _quantities_by_code(entries[line.pk], by_code))
            failures.append((given, LineConflict(line=line, theirs=theirs)))
            continue
        to_write.append((line, new))
    soft_flags = soft_flags_found(
        annual_return=annual_return, checked=checked, by_code=by_code
    )
    if failures:
        raise LinesNotSaved(failures, soft_flags)
    written = {line.pk for line, _ in to_write}
    for line_id in line_ids:
        lines[line_id].changed = line_id in written
        lines[line_id].soft_flags = soft_flags.get(line_id, [])
    people_changed = False
    if to_write:
        people_changed = people_figures_changed(
            to_write, entries=entries, by_code=by_code
        )
        _write_lines(to_write, entries=entries, by_code=by_code, user=user)
        summary_refresh(contract_ids=[line.contract_id for line, _ in to_write])
        if annual_return.status == AnnualReturn.Status.NOT_STARTED:
            return_mark_started(annual_return=annual_return, user=user)
    also, more = [], []
    if to_write and people_changed:
        # A line's figures are all SAME_PEOPLE looks at (files and stories have
        # their own services, which refresh their signs): synced with the soft
        # checks' flags, in the same queries.
        people_lines, people_codes, more = double_counting_scope(
            annual_return=annual_return, codes=[LineFlag.Code.SAME_PEOPLE]
        )
        also = [(people_lines, people_codes)]
    flags_sync(
        line_ids=line_ids,
        codes=LineFlag.SOFT_CHECKS,
        found=itertools.chain(itertools.chain.from_iterable(soft_flags.values()), more),
        user=user,
        also=also,
    )
    _write_explanations(changes, user=user)
    return [lines[line_id] for line_id in line_ids]


def soft_flags_found(
    *,
    annual_return: AnnualReturn,
    checked: Sequence[tuple[ReturnLine, LineState]],
    by_code: Mapping[str, YearMeasure],
) -> dict[int, list[FlagFound]]:
    """The soft checks each line's figures (`checked`: the line and its state, as
    saved or about to be) trip, by line id: three queries for the facts (last
    year, the plans) whatever the number of lines. Used by every save and by
    `upgrade.return_flags_refresh`; `by_code` is the year's measures by code."""
    if not checked:
        return {}
    from ..selectors.flags import soft_check_facts  # the selector reads; no cycle

    year = annual_return.year
    facts = soft_check_facts(
        year=year, lines=[line for line, _ in checked], year_measures=by_code.values()
    )
    thresholds = Thresholds.of_year(year)
    rates = {ym.measure_id: ym.credits_per_unit for ym in by_code.values()}
    codes = {ym.measure_id: code for code, ym in by_code.items()}
    return {
        line.pk: soft_checks(
            line_id=line.pk,
            quantities={codes[m]: q for m, q in new.quantities.items()},
            delivered_credits=line_credits(new.quantities.items(), rates),
            facts=facts[line.pk],
            thresholds=thresholds,
            measures=by_code,
        )
        for line, new in checked
    }


def _check_explanations(given: LineInput) -> None:
    errors = {}
    for (code, measure_code), text in given.explanations.items():
        message = limits.over(
            (text or "").strip(), label=EXPLANATION_LABEL, limit=limits.NOTE
        )
        if message:
            errors[explanation_key(code, measure_code)] = [message]
    if errors:
        raise ValidationError(errors)


def _write_explanations(changes: Sequence[LineInput], *, user) -> None:
    """Each explanation given, on the flag it explains if the save left that flag on
    the line; a blank one, or one the flag already has, changes nothing."""
    wanted = {
        (given.line_id, code, measure_code): text.strip()
        for given in changes
        for (code, measure_code), text in given.explanations.items()
        if (text or "").strip()
    }
    if not wanted:
        return
    now = timezone.now()
    explained = []
    for flag in LineFlag.objects.filter(
        line_id__in={line_id for line_id, _, _ in wanted}
    ):
        text = wanted.get((flag.line_id, flag.code, flag.measure_code))
        if text and text != flag.explanation:
            flag.explanation = text
            flag.explained_by = user
            flag.explained_at = now
            explained.append(flag)
    if explained:
        bulk_update_values(
            LineFlag, explained, ["explanation", "explained_by", "explained_at"]
        )
        history_copy(
            LineFlag, [f.pk for f in explained], history_type="~", user=user, at=now
        )


def _lock_many(
    annual_return_id: int, line_ids: list[int]
) -> tuple[AnnualReturn, dict[int, ReturnLine]]:
    # Always the return first, then its lines: no deadlocks with return_submit, and a
    # submission never reads lines half-saved.
    annual_return = (
        AnnualReturn.objects.select_for_update(of=("self",))
        .select_related("year")
        .get(pk=annual_return_id)
    )
    lines = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("contract", "updated_by")
        .filter(annual_return_id=annual_return_id)
        .order_by()  # the default ordering joins four tables for nothing here
        .in_bulk(line_ids)
    )
    missing = set(line_ids) - set(lines)
    if missing:
        raise ReturnLine.DoesNotExist(
            f"Lines {sorted(missing)} are not on return {annual_return.reference}"
        )
    for line in lines.values():
        line.annual_return = annual_return
    return annual_return, lines


def _state(line: ReturnLine, entries: dict[int, ReturnEntry]) -> LineState:
    return LineState(
        quantities={measure_id: e.quantity for measure_id, e in entries.items()},
        nothing_delivered_reason=line.nothing_delivered_reason,
        shortfall_reason=line.shortfall_reason,
        recovery_plan=line.recovery_plan,
        recovery_by=line.recovery_by,
    )


def _quantities_by_code(
    entries: dict[int, ReturnEntry], by_code: dict[str, YearMeasure]
) -> dict[str, str]:
    codes = {ym.measure_id: code for code, ym in by_code.items()}
    unknown = [measure_id for measure_id in entries if measure_id not in codes]
    if unknown:  # an entry on a measure the year no longer has: still theirs
        codes.update(Measure.objects.filter(pk__in=unknown).values_list("pk", "code"))
    return {codes[measure_id]: str(e.quantity) for measure_id, e in entries.items()}


def _write_lines(
    to_write: list[tuple[ReturnLine, LineState]],
    *,
    entries: dict[int, dict[int, ReturnEntry]],
    by_code: dict[str, YearMeasure],
    user,
) -> None:
    """Entries deleted, changed and added, then the lines, each kind in one bulk
    write with its history rows: the same rows `line_save` writes one by one."""
    rates = {ym.measure_id: ym.credits_per_unit for ym in by_code.values()}
    now = timezone.now()
    deleted: list[ReturnEntry] = []
    changed: list[ReturnEntry] = []
    added: list[ReturnEntry] = []
    for line, new in to_write:
        old = entries[line.pk]
        for measure_id, entry in old.items():
            if measure_id not in new.quantities:
                deleted.append(entry)
            elif new.quantities[measure_id] != entry.quantity:
                entry.quantity = new.quantities[measure_id]
                changed.append(entry)
        added.extend(
            ReturnEntry(line_id=line.pk, measure_id=measure_id, quantity=quantity)
            for measure_id, quantity in new.quantities.items()
            if measure_id not in old
        )
        line.delivered_credits = line_credits(new.quantities.items(), rates)
        line.nothing_delivered_reason = new.nothing_delivered_reason
        line.shortfall_reason = new.shortfall_reason
        line.recovery_plan = new.recovery_plan
        line.recovery_by = new.recovery_by
        line.version += 1
        line.updated_at = now
        line.updated_by = user
    lines = [line for line, _ in to_write]
    # History rows are copied from the rows just written, in the database: building
    # them in Python (simple-history's bulk helpers) cost more than the rest together.
    if deleted:
        deleted_ids = [entry.pk for entry in deleted]
        history_copy(ReturnEntry, deleted_ids, history_type="-", user=user, at=now)
        # A queryset's delete() would fire simple-history's signal once per row
        # (without the user, so recording each deletion twice): delete without it.
        ReturnEntry.objects.filter(pk__in=deleted_ids)._raw_delete(
            ReturnEntry.objects.db
        )
    if changed:
        bulk_update_values(ReturnEntry, changed, ["quantity"])
        history_copy(
            ReturnEntry, [e.pk for e in changed], history_type="~", user=user, at=now
        )
    if added:
        ReturnEntry.objects.bulk_create(added)  # sets their keys (RETURNING)
        history_copy(
            ReturnEntry, [e.pk for e in added], history_type="+", user=user, at=now
        )
    bulk_update_values(ReturnLine, lines, LINE_FIELDS)
    history_copy(
        ReturnLine, [line.pk for line in lines], history_type="~", user=user, at=now
    )
