"""Opening a reporting year: its dates, rate, threshold and a copy of the catalogue."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.numbers import round_money

from ..models import Measure, ReportingYear, YearMeasure

LABEL_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")
DEFAULT_REMINDER_OFFSETS = [-14, -7, -1, 1, 7, 14, 28]

LABEL_FORMAT = 'Enter the year as "2024/25": the year it starts, a slash, the next year'
LABEL_TAKEN = "Reporting year {label} has already been opened"
ISSUE_BEFORE_END = "The issue date must be after the year ends on {ends_on:%-d %B %Y}"
DEADLINE_BEFORE_ISSUE = "The deadline must be after the issue date"
NEGATIVE = "Enter a number that is 0 or more"
OFFSETS_WHOLE_DAYS = (
    "Enter reminder offsets as whole numbers of days, like -14, -7, 1, 7"
)


def year_dates(label: str) -> tuple[datetime.date, datetime.date]:
    """1 April to 31 March of the financial year a label names."""
    match = LABEL_PATTERN.match(label or "")
    if not match:
        raise ValidationError({"label": LABEL_FORMAT})
    first = int(match.group(1))
    if int(match.group(2)) != (first + 1) % 100:
        raise ValidationError({"label": LABEL_FORMAT})
    return datetime.date(first, 4, 1), datetime.date(first + 1, 3, 31)


def label_for(starts_on: datetime.date) -> str:
    return f"{starts_on.year}/{(starts_on.year + 1) % 100:02d}"


def _validate_offsets(offsets) -> list[int]:
    if not isinstance(offsets, list | tuple) or not all(
        isinstance(o, int) and not isinstance(o, bool) for o in offsets
    ):
        raise ValidationError({"reminder_offsets": OFFSETS_WHOLE_DAYS})
    return sorted(set(offsets))


@transaction.atomic
def year_open(
    *,
    label: str,
    issue_on: datetime.date,
    deadline: datetime.date,
    credits_per_100k: Decimal = Decimal("10"),
    spend_threshold: Decimal = Decimal("100000"),
    reminder_offsets: list[int] | None = None,
    acting_user=None,
) -> ReportingYear:
    """Opens a financial year and copies the measure catalogue into `YearMeasure`
    with the credit values and £-per-person limits of the year before (for the
    first year, each measure's default), and the year before's soft-check
    thresholds. Called by the team's "open a year" page and by the past-returns import."""
    starts_on, ends_on = year_dates(label)
    errors: dict[str, str] = {}
    if ReportingYear.objects.filter(label=label).exists():
        errors["label"] = LABEL_TAKEN.format(label=label)
    if issue_on <= ends_on:
        errors["issue_on"] = ISSUE_BEFORE_END.format(ends_on=ends_on)
    if deadline <= issue_on:
        errors["deadline"] = DEADLINE_BEFORE_ISSUE
    if credits_per_100k < 0:
        errors["credits_per_100k"] = NEGATIVE
    if spend_threshold < 0:
        errors["spend_threshold"] = NEGATIVE
    offsets = _validate_offsets(
        DEFAULT_REMINDER_OFFSETS if reminder_offsets is None else reminder_offsets
    )
    if errors:
        raise ValidationError(errors)
    year = ReportingYear.objects.create(
        label=label,
        starts_on=starts_on,
        ends_on=ends_on,
        credits_per_100k=credits_per_100k,
        spend_threshold=round_money(spend_threshold),
        issue_on=issue_on,
        deadline=deadline,
        reminder_offsets=offsets,
    )
    previous = (
        ReportingYear.objects.filter(starts_on__lt=starts_on)
        .order_by("-starts_on")
        .first()
    )
    previous_rates: dict = {}
    previous_limits: dict = {}
    if previous:
        for measure_id, rate, spend_per_unit in previous.year_measures.values_list(
            "measure_id", "credits_per_unit", "spend_per_unit"
        ):
            previous_rates[measure_id] = rate
            previous_limits[measure_id] = spend_per_unit
        # The soft checks' thresholds carry on as the team left them.
        year.flag_ratio = previous.flag_ratio
        year.flag_floor = previous.flag_floor
        year.flag_target_ratio = previous.flag_target_ratio
        year.flag_same_people_contracts = previous.flag_same_people_contracts
        year.save(
            update_fields=[
                "flag_ratio",
                "flag_floor",
                "flag_target_ratio",
                "flag_same_people_contracts",
            ]
        )
    YearMeasure.objects.bulk_create(
        [
            YearMeasure(
                year=year,
                measure=measure,
                credits_per_unit=previous_rates.get(
                    measure.pk, measure.default_credits_per_unit
                ),
                spend_per_unit=previous_limits.get(
                    measure.pk, measure.default_spend_per_unit
                ),
            )
            for measure in Measure.objects.filter(is_active=True)
        ]
    )
    return year
