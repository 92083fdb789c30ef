"""The rules a line's figures and reasons must meet (DESIGN "Lines, completeness,
versions"), written once.

`line_check` is the only place they are checked: `line_save` (the line page, the team
acting for a supplier) and `lines_save` (a spreadsheet upload's preview and
confirmation) both call it for each line, so every way in refuses exactly the same
input with the same messages:

- each quantity is checked against its measure's decimals and its "part of" rule
  (EMP-BAR may not exceed EMP-FT + EMP-PT on the same line);
- a blank quantity means none and stores no entry; a typed 0 is stored;
- a line marked "nothing delivered" (a reason given) holds no figures;
- a recovery date is no later than the contract's end, and an ended contract's plan
  has no date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.numbers import round_half_up

from ..models import REASON_MAX_LENGTH, Measure, ReturnLine, YearMeasure

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
TEXT_TOO_LONG = "{label} must be {limit:,} characters or fewer"
TEXT_LABELS = {
    "nothing_delivered_reason": "The reason nothing was delivered",
    "shortfall_reason": "The reason for the shortfall",
    "recovery_plan": "The recovery plan",
}
RECOVERY_DATE_AFTER_END = (
    "The contract ended on {ends_on:%-d %B %Y}: say how you will make it good, "
    "without a date"
)


@dataclass(frozen=True)
class LineInput:
    """One line's figures and reasons as someone gave them. `quantities` maps measure
    codes to what was typed (blank or None: no entry; codes left out are blank too).
    `expected_version` is the version the form (or the workbook) was loaded at; None
    skips the check (the team's own corrections). `explanations` maps (flag code,
    measure code) to an explanation of that soft-check flag (issue 23)."""

    line_id: int
    expected_version: int | None
    quantities: dict[str, object]
    nothing_delivered_reason: str = ""
    shortfall_reason: str = ""
    recovery_plan: str = ""
    recovery_by: datetime.date | None = None
    explanations: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class LineState:
    """What a line holds: compared before and after a save to decide whether anything
    changed (and so whether the version rises)."""

    quantities: dict[int, Decimal] = field(default_factory=dict)  # measure id → qty
    nothing_delivered_reason: str = ""
    shortfall_reason: str = ""
    recovery_plan: str = ""
    recovery_by: datetime.date | None = None


def text_too_long(name: str) -> str:
    """The refusal of a reason or plan over the limit, the same on every way in (the
    line form's max_length message too)."""
    return TEXT_TOO_LONG.format(label=TEXT_LABELS[name], limit=REASON_MAX_LENGTH)


def contract_has_ended(line: ReturnLine, *, today: datetime.date | None = None) -> bool:
    """A contract has ended once its end date is before today (London)."""
    today = today or timezone.localdate()
    return line.contract.ends_on < today


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


def line_check(
    *,
    line: ReturnLine,
    given: LineInput,
    by_code: dict[str, YearMeasure],
    year_label: str,
    today: datetime.date,
) -> LineState:
    """What `given` would make the line hold, or a ValidationError (a dict: measure
    code or field name → messages) naming everything wrong with it. `by_code` is the
    year's measures by code; `line.contract` must be loaded. Reads nothing from the
    database."""
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Decimal] = {}
    for code, raw in (given.quantities or {}).items():
        year_measure = by_code.get(code)
        if year_measure is None:
            if raw not in (None, ""):
                errors.setdefault(code, []).append(
                    UNKNOWN_MEASURE.format(code=code, year=year_label)
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

    nothing_delivered_reason = (given.nothing_delivered_reason or "").strip()
    shortfall_reason = (given.shortfall_reason or "").strip()
    recovery_plan = (given.recovery_plan or "").strip()
    recovery_by = given.recovery_by
    for name, text in (
        ("nothing_delivered_reason", nothing_delivered_reason),
        ("shortfall_reason", shortfall_reason),
        ("recovery_plan", recovery_plan),
    ):
        if len(text) > REASON_MAX_LENGTH:
            errors.setdefault(name, []).append(text_too_long(name))
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
    return LineState(
        quantities={by_code[c].measure_id: q for c, q in parsed.items()},
        nothing_delivered_reason=nothing_delivered_reason,
        shortfall_reason=shortfall_reason,
        recovery_plan=recovery_plan,
        recovery_by=recovery_by,
    )


def _name(measure: Measure) -> str:
    return f"“{measure.name}”"


def _short(measure: Measure) -> str:
    # The part before any bracket: "Jobs created, full-time".
    return measure.name.split(" (")[0]


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
