"""Saving a return line's figures and reasons (DESIGN "Lines, completeness, versions").

`line_save` is the one writer of a line's entries and reasons: the supplier's line
page, the team acting for a supplier and the spreadsheet upload all call it. It takes
all of its input or none of it:

- each quantity is checked against its measure's decimals and its "part of" rule
  (EMP-BAR may not exceed EMP-FT + EMP-PT on the same line);
- a blank quantity means none and stores no entry; a typed 0 is stored;
- a line marked "nothing delivered" (a reason given) holds no figures;
- the line's `version` rises only when its entries or reasons actually change;
- a save whose `expected_version` is not the line's version, and that would change
  something, raises `LineConflict` carrying the other person's figures.

Delivered credits are recomputed here, through `credits.line_credits`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.numbers import round_half_up

from .. import events
from ..models import AnnualReturn, Measure, ReturnEntry, ReturnLine, YearMeasure
from .credits import line_credits
from .events import event_record

MAX_QUANTITY = Decimal("1000000000000")  # QuantityField: 14 digits, 2 places

NOT_A_NUMBER = "Enter {name} as a number, like 12{example}"
NEGATIVE = "Enter {name} as 0 or more"
TOO_LARGE = "Enter {name} as a number less than 1,000,000,000,000"
WHOLE_NUMBER = "Enter {name} as a whole number of {unit}"
TWO_PLACES = "Enter {name} to no more than 2 decimal places"
PART_OF_EXCEEDED = (
    "{name} ({code}) cannot be more than {parts_names} ({parts_codes}) together, "
    "which is {parts_total}"
)
UNKNOWN_MEASURE = "{code} is not a measure of the {year} return"
NOTHING_DELIVERED_WITH_FIGURES = (
    "You said nothing was delivered this year, but entered figures: remove the "
    "figures, or untick “nothing delivered”"
)
RECOVERY_AFTER_CONTRACT_END = (
    "The date must be no later than the contract's end, {ends_on:%-d %B %Y}"
)
RECOVERY_DATE_AFTER_END = (
    "The contract ended on {ends_on:%-d %B %Y}: say how you will make it good, "
    "without a date"
)
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


@dataclass
class _State:
    quantities: dict[int, Decimal] = field(default_factory=dict)  # measure id → qty
    nothing_delivered_reason: str = ""
    shortfall_reason: str = ""
    recovery_plan: str = ""
    recovery_by: datetime.date | None = None


def contract_has_ended(line: ReturnLine, *, today: datetime.date | None = None) -> bool:
    """A contract has ended once its end date is before today (London)."""
    today = today or timezone.localdate()
    return line.contract.ends_on < today


def year_measures(year) -> list[YearMeasure]:
    """The year's measures, in the catalogue's order, with their measure."""
    return list(
        YearMeasure.objects.filter(year=year)
        .select_related("measure")
        .order_by("measure__position", "measure__code")
    )


def parse_quantity(raw, measure: Measure) -> Decimal | None:
    """A stored quantity from what someone typed: None for blank; raises a
    ValidationError (a message naming the measure) for anything else wrong."""
    if raw is None:
        return None
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        if isinstance(raw, float):
            raw = repr(raw)
        text = str(raw).strip().replace(",", "").replace("£", "").strip()
        if text == "":
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            example = ".5" if measure.decimal_places else ""
            raise ValidationError(
                NOT_A_NUMBER.format(name=_name(measure), example=example)
            ) from None
    if value < 0:
        raise ValidationError(NEGATIVE.format(name=_name(measure)))
    if value >= MAX_QUANTITY:
        raise ValidationError(TOO_LARGE.format(name=_name(measure)))
    if value != round_half_up(value, measure.decimal_places):
        if measure.decimal_places == 0:
            raise ValidationError(
                WHOLE_NUMBER.format(name=_name(measure), unit=measure.unit)
            )
        raise ValidationError(TWO_PLACES.format(name=_name(measure)))
    return round_half_up(value, measure.decimal_places)


def _name(measure: Measure) -> str:
    return f"“{measure.name}”"


def _short(measure: Measure) -> str:
    # The part before any bracket: "Jobs created, full-time".
    return measure.name.split(" (")[0]


def _current_state(line: ReturnLine) -> _State:
    return _State(
        quantities=dict(line.entries.values_list("measure_id", "quantity")),
        nothing_delivered_reason=line.nothing_delivered_reason,
        shortfall_reason=line.shortfall_reason,
        recovery_plan=line.recovery_plan,
        recovery_by=line.recovery_by,
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


def _lock(line: ReturnLine) -> tuple[AnnualReturn, ReturnLine]:
    # Always the return first, then the line: no deadlocks with return_submit, and a
    # submission never reads lines half-saved.
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=line.annual_return_id
    )
    locked = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("contract", "annual_return__year", "updated_by")
        .get(pk=line.pk)
    )
    return annual_return, locked


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
    today: datetime.date | None = None,
) -> ReturnLine:
    """Writes one line's entries and reasons, all or nothing. `quantities` maps
    measure codes to what was typed (blank or None: no entry); codes left out of
    the dict are blank too. `expected_version` is the version the form (or the
    workbook) was loaded at; None skips the check (the team's own corrections).

    Raises ValidationError (a dict: measure code or field name → messages),
    ReturnNotEditable, or LineConflict. Returns the fresh line; its version has
    risen only if something changed. The first save on a not-started return moves it
    to in progress. Called by the line page, the team acting for a supplier, and the
    spreadsheet upload."""
    annual_return, line = _lock(line)
    return_check_editable(annual_return)
    if line.is_excluded:
        raise ReturnNotEditable(
            EXCLUDED.format(contract=line.contract.reference), code="excluded"
        )
    today = today or timezone.localdate()

    by_code = {ym.measure.code: ym for ym in year_measures(annual_return.year_id)}
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Decimal] = {}
    for code, raw in (quantities or {}).items():
        year_measure = by_code.get(code)
        if year_measure is None:
            if raw not in (None, ""):
                errors.setdefault(code, []).append(
                    UNKNOWN_MEASURE.format(code=code, year=annual_return.year.label)
                )
            continue
        try:
            value = parse_quantity(raw, year_measure.measure)
        except ValidationError as error:
            errors.setdefault(code, []).extend(error.messages)
            continue
        if value is not None:
            parsed[code] = value

    for code, value in parsed.items():
        measure = by_code[code].measure
        parts = [p for p in measure.part_of or [] if p in by_code]
        if not parts or any(p in errors for p in parts):
            continue
        parts_total = sum((parsed.get(p, Decimal(0)) for p in parts), Decimal(0))
        if value > parts_total:
            errors.setdefault(code, []).append(
                PART_OF_EXCEEDED.format(
                    name=_short(measure),
                    code=code,
                    parts_names=" and ".join(
                        _short(by_code[p].measure).lower() for p in parts
                    ),
                    parts_codes=" + ".join(parts),
                    parts_total=_plain(parts_total),
                )
            )

    nothing_delivered_reason = (nothing_delivered_reason or "").strip()
    shortfall_reason = (shortfall_reason or "").strip()
    recovery_plan = (recovery_plan or "").strip()
    if nothing_delivered_reason and parsed:
        errors.setdefault("nothing_delivered_reason", []).append(
            NOTHING_DELIVERED_WITH_FIGURES
        )
    if recovery_by is not None:
        if contract_has_ended(line, today=today):
            errors.setdefault("recovery_by", []).append(
                RECOVERY_DATE_AFTER_END.format(ends_on=line.contract.ends_on)
            )
        elif recovery_by > line.contract.ends_on:
            errors.setdefault("recovery_by", []).append(
                RECOVERY_AFTER_CONTRACT_END.format(ends_on=line.contract.ends_on)
            )
    if errors:
        raise ValidationError(errors)

    new = _State(
        quantities={by_code[c].measure_id: q for c, q in parsed.items()},
        nothing_delivered_reason=nothing_delivered_reason,
        shortfall_reason=shortfall_reason,
        recovery_plan=recovery_plan,
        recovery_by=recovery_by,
    )
    old = _current_state(line)
    if new == old:
        return line
    if expected_version is not None and expected_version != line.version:
        raise LineConflict(line=line, theirs=line_figures(line))

    _write_entries(line, old.quantities, new.quantities, user)
    rates = {ym.measure_id: ym.credits_per_unit for ym in by_code.values()}
    line.delivered_credits = line_credits(new.quantities.items(), rates)
    line.nothing_delivered_reason = new.nothing_delivered_reason
    line.shortfall_reason = new.shortfall_reason
    line.recovery_plan = new.recovery_plan
    line.recovery_by = new.recovery_by
    line.version += 1
    line.updated_at = timezone.now()
    line.updated_by = user
    line._history_user = user
    line.save(
        update_fields=[
            "delivered_credits",
            "nothing_delivered_reason",
            "shortfall_reason",
            "recovery_plan",
            "recovery_by",
            "version",
            "updated_at",
            "updated_by",
        ]
    )
    return_mark_started(annual_return=annual_return, user=user)
    return line


def _write_entries(line, old: dict, new: dict, user) -> None:
    # One row at a time (at most the catalogue's 19) so history records each change.
    for entry in line.entries.all():
        if entry.measure_id not in new:
            entry._history_user = user
            entry.delete()
        elif new[entry.measure_id] != entry.quantity:
            entry.quantity = new[entry.measure_id]
            entry._history_user = user
            entry.save(update_fields=["quantity"])
    for measure_id, quantity in new.items():
        if measure_id not in old:
            entry = ReturnEntry(line=line, measure_id=measure_id, quantity=quantity)
            entry._history_user = user
            entry.save()


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
