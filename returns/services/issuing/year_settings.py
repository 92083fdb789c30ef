"""Changing a year before (and, for its deadline and reminders, after) issue."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.numbers import round_half_up, round_money

from ...models import ReportingYear, YearMeasure
from ..years import (
    DEADLINE_BEFORE_ISSUE,
    ISSUE_BEFORE_END,
    NEGATIVE,
    _validate_offsets,
)

FROZEN = (
    "Reporting year {label} has been issued: its rate, threshold, issue date, "
    "credit values and soft-check thresholds are frozen"
)
RATIO_NOT_ABOVE_ONE = "Enter a ratio above 1, like 3"
RATIO_NOT_POSITIVE = "Enter a ratio above 0, like 3"
SAME_PEOPLE_BELOW_TWO = "Enter 2 or more contracts"
SPEND_PER_UNIT_NOT_POSITIVE = "Enter an amount above £0, or leave it empty for no check"
UNKNOWN_MEASURE = "That measure is not in this year's catalogue"


def _withdraw_ready(year: ReportingYear) -> None:
    # What the team checked has changed: it must check the dry run again.
    year.ready_at = None
    year.ready_by = None


@transaction.atomic
def year_update(
    *,
    year: ReportingYear,
    acting_user,
    deadline: datetime.date,
    reminder_offsets: list[int],
    issue_on: datetime.date | None = None,
    credits_per_100k: Decimal | None = None,
    spend_threshold: Decimal | None = None,
    flag_ratio: Decimal | None = None,
    flag_floor: Decimal | None = None,
    flag_target_ratio: Decimal | None = None,
    flag_same_people_contracts: int | None = None,
) -> ReportingYear:
    """Changes a year's settings. The deadline and reminder offsets stay editable
    after issue; the issue date, rate, threshold and the soft checks' thresholds
    (issue 23) freeze at issue. A change to those before issue withdraws "ready".
    Called by the year's edit page."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    frozen_fields = {
        "issue_on": issue_on,
        "credits_per_100k": credits_per_100k,
        "spend_threshold": spend_threshold,
        "flag_ratio": flag_ratio,
        "flag_floor": flag_floor,
        "flag_target_ratio": flag_target_ratio,
        "flag_same_people_contracts": flag_same_people_contracts,
    }
    changes = {
        name: value
        for name, value in frozen_fields.items()
        if value is not None and value != getattr(year, name)
    }
    if changes and year.issued_at is not None:
        raise ValidationError(FROZEN.format(label=year.label))
    errors: dict[str, str] = {}
    new_issue_on = changes.get("issue_on", year.issue_on)
    if new_issue_on <= year.ends_on:
        errors["issue_on"] = ISSUE_BEFORE_END.format(ends_on=year.ends_on)
    if deadline <= new_issue_on:
        errors["deadline"] = DEADLINE_BEFORE_ISSUE
    for name in ("credits_per_100k", "spend_threshold", "flag_floor"):
        if name in changes and changes[name] < 0:
            errors[name] = NEGATIVE
    if "flag_ratio" in changes and changes["flag_ratio"] <= 1:
        errors["flag_ratio"] = RATIO_NOT_ABOVE_ONE
    if "flag_target_ratio" in changes and changes["flag_target_ratio"] <= 0:
        errors["flag_target_ratio"] = RATIO_NOT_POSITIVE
    if changes.get("flag_same_people_contracts", 2) < 2:
        errors["flag_same_people_contracts"] = SAME_PEOPLE_BELOW_TWO
    try:
        offsets = _validate_offsets(reminder_offsets)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if "spend_threshold" in changes:
        changes["spend_threshold"] = round_money(changes["spend_threshold"])
    for name in ("credits_per_100k", "flag_ratio", "flag_floor", "flag_target_ratio"):
        if name in changes:
            changes[name] = round_half_up(changes[name], 2)
    for name, value in changes.items():
        setattr(year, name, value)
    if changes:
        _withdraw_ready(year)
    year.deadline = deadline
    year.reminder_offsets = offsets
    year._change_reason = f"Settings changed by {acting_user}"
    year.save()
    return year


@transaction.atomic
def year_measures_update(
    *,
    year: ReportingYear,
    acting_user,
    credits: dict[int, Decimal],
    spend_per_unit: dict[int, Decimal | None] | None = None,
) -> int:
    """Sets this year's credits per unit for the measures given (by YearMeasure
    id), and the £ of spend per person of the people-measures given
    (`spend_per_unit`, None for no check: issue 23's soft check), until issue.
    Withdraws "ready" when anything changed. Returns how many measures changed.
    Called by the year's credit values page."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if year.issued_at is not None:
        raise ValidationError(FROZEN.format(label=year.label))
    rows = {row.pk: row for row in YearMeasure.objects.filter(year=year)}
    errors = {}
    changed = []
    for pk, value in credits.items():
        row = rows.get(pk)
        if row is None:
            errors[f"measure_{pk}"] = UNKNOWN_MEASURE
        elif value is None or value < 0:
            errors[f"measure_{pk}"] = NEGATIVE
        elif round_half_up(value, 6) != row.credits_per_unit:
            row.credits_per_unit = round_half_up(value, 6)
            changed.append(row)
    for pk, value in (spend_per_unit or {}).items():
        row = rows.get(pk)
        if row is None:
            errors[f"spend_{pk}"] = UNKNOWN_MEASURE
        elif value is not None and value <= 0:
            errors[f"spend_{pk}"] = SPEND_PER_UNIT_NOT_POSITIVE
        else:
            value = None if value is None else round_money(value)
            if value != row.spend_per_unit:
                row.spend_per_unit = value
                if row not in changed:
                    changed.append(row)
    if errors:
        raise ValidationError(errors)
    for row in changed:
        row._change_reason = f"Credit value changed by {acting_user}"
        row.save(update_fields=["credits_per_unit", "spend_per_unit"])
    if changed and year.ready_at is not None:
        _withdraw_ready(year)
        year.save()
    return len(changed)
