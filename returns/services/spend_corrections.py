"""The team corrects a line's valuations while answering a query ("the spend is
wrong"), instead of importing a corrected file and re-issuing the whole year.

It does what a valuation import followed by a re-issue would do to that one line, with
their code: the `Valuation` rows are written through the import's `Upsert` (so the
history keeps the old amount, and a row that had no history yet first gets one of
its old state), and the line's spend and target are recomputed by the issue's
`contract_spend_and_target` (rules 4 and 5, the year's frozen rate, rounded half-up by
`core.numbers`).

DESIGN rule 6 decides where it may happen: only on an issued return that is open
(not started, in progress, or returned for amendment). A submitted return is sent
back first; an approved one is reopened by an administrator first; an imported past
return never changes. A correction that takes the spend below the year's threshold
(outside a consultancy lot) is refused: the contract no longer qualifies, and the
team excludes the line instead.

Unlike a re-issue, the line's `version` rises when its spend or target changes, so a
supplier who has the line open gets the usual conflict message on saving. The change
is recorded as a `refreshed` event, which the supplier's return shows as a banner.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.numbers import round_money
from frameworks.imports.base import Upsert
from frameworks.models import Valuation

from .. import events
from ..models import AnnualReturn, ReportingYear, ReturnLine
from .events import event_record
from .issuing import contract_spend_and_target, qualifies
from .summary import summary_refresh

MAX_AMOUNT = Decimal("1000000000000")  # MoneyField: 14 digits, 2 places

AMOUNT_LABEL = "the spend in the quarter ending {period_end:%-d %B %Y}"
AMOUNT_NOT_A_NUMBER = "Enter {label} as a number of pounds, like 125000.50"
AMOUNT_NEGATIVE = "Enter {label} as 0 or more"
AMOUNT_PLACES = "Enter {label} to no more than 2 decimal places (pounds and pence)"
AMOUNT_TOO_LARGE = "Enter {label} as less than £1,000,000,000,000"
AMOUNT_REMOVED = (
    "Enter {label}: a valuation cannot be removed, so enter 0 if nothing was "
    "certified in that quarter"
)
NOT_A_QUARTER = "{period_end:%-d %B %Y} is not a quarter end of {year}"
VALUATIONS_CHANGED = (
    "The valuations of {contract} changed after you opened this page (someone "
    "imported or corrected them): check the amounts shown now and try again"
)
RETURN_NOT_OPEN = (
    "Return {reference} is {status}, so its spend cannot be corrected here: "
    "{what_to_do}"
)
WHAT_TO_DO = {
    AnnualReturn.Status.SUBMITTED: (
        "send it back for amendment first, then correct the spend"
    ),
    AnnualReturn.Status.APPROVED: (
        "an administrator must reopen it first, then the spend can be corrected"
    ),
    AnnualReturn.Status.NOT_REQUIRED: (
        "mark it required again first, then correct the spend"
    ),
}
IMPORTED_RETURN = (
    "Return {reference} was imported from a past spreadsheet: its spend is a record "
    "of that year and is not recomputed"
)
LINE_EXCLUDED = (
    "Contract {contract} is excluded from this return: its spend counts nowhere"
)
BELOW_THRESHOLD = (
    "The corrected spend of {contract} in {year}, £{spend:,.2f}, is below the year's "
    "threshold of £{threshold:,.2f}, so the contract no longer qualifies for a "
    "return: exclude it instead, with this answer as the reason (its valuations can "
    "be corrected by the valuation import)"
)


@dataclass(frozen=True)
class QuarterValuation:
    """One quarter of the year on the answer page: its stored amount, if any."""

    period_end: datetime.date
    amount: Decimal | None

    @property
    def key(self) -> str:
        return self.period_end.isoformat()


@dataclass
class SpendCorrection:
    """What a correction changed: the valuations, and the line's figures."""

    contract: str
    valuations: list[dict] = field(default_factory=list)
    old_spend: Decimal = Decimal("0.00")
    new_spend: Decimal = Decimal("0.00")
    old_target: Decimal = Decimal("0.00")
    new_target: Decimal = Decimal("0.00")

    @property
    def line_changed(self) -> bool:
        return (self.old_spend, self.old_target) != (self.new_spend, self.new_target)

    def as_dict(self) -> dict:
        return {
            "contract": self.contract,
            "valuations": self.valuations,
            "old_spend": str(self.old_spend),
            "new_spend": str(self.new_spend),
            "old_target": str(self.old_target),
            "new_target": str(self.new_target),
        }


def year_quarter_ends(year: ReportingYear) -> list[datetime.date]:
    """The calendar quarter ends that fall in the year (four in a financial year)."""
    ends = []
    for calendar_year in range(year.starts_on.year, year.ends_on.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            period_end = datetime.date(calendar_year, month, day)
            if year.starts_on <= period_end <= year.ends_on:
                ends.append(period_end)
    return ends


def line_quarter_valuations(*, line: ReturnLine) -> list[QuarterValuation]:
    """Every quarter of the line's year with the contract's stored valuation (None
    where there is none yet), oldest first: what the answer page shows."""
    year = line.annual_return.year
    stored = dict(
        Valuation.objects.filter(
            contract_id=line.contract_id,
            period_end__gte=year.starts_on,
            period_end__lte=year.ends_on,
        ).values_list("period_end", "amount")
    )
    return [
        QuarterValuation(
            period_end=period_end,
            amount=round_money(stored[period_end]) if period_end in stored else None,
        )
        for period_end in year_quarter_ends(year)
    ]


def correction_refusal(line: ReturnLine) -> str | None:
    """Why this line's spend may not be corrected now, in words; None if it may."""
    annual_return = line.annual_return
    if annual_return.source == AnnualReturn.Source.IMPORTED:
        return IMPORTED_RETURN.format(reference=annual_return.reference)
    if annual_return.status not in AnnualReturn.EDITABLE:
        return RETURN_NOT_OPEN.format(
            reference=annual_return.reference,
            status=annual_return.get_status_display().lower(),
            what_to_do=WHAT_TO_DO.get(annual_return.status, ""),
        )
    if line.is_excluded:
        return LINE_EXCLUDED.format(contract=line.contract.reference)
    return None


def parse_amount(raw: object, *, period_end: datetime.date) -> Decimal | None:
    """Pounds and pence typed for one quarter: None for blank; a ValidationError
    naming the quarter for anything that is not 0 or more with at most 2 places."""
    label = AMOUNT_LABEL.format(period_end=period_end)
    if raw is None:
        return None
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("£", "").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise ValidationError(AMOUNT_NOT_A_NUMBER.format(label=label))
    if value < 0:
        raise ValidationError(AMOUNT_NEGATIVE.format(label=label))
    if value >= MAX_AMOUNT:
        raise ValidationError(AMOUNT_TOO_LARGE.format(label=label))
    if value != round_money(value):
        raise ValidationError(AMOUNT_PLACES.format(label=label))
    return round_money(value)


def _lock(line: ReturnLine) -> tuple[AnnualReturn, ReturnLine]:
    # The return first, then the line, as line_save does: no deadlocks.
    annual_return = (
        AnnualReturn.objects.select_for_update()
        .select_related("year", "supplier")
        .get(pk=line.annual_return_id)
    )
    locked = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("contract__lot")
        .get(pk=line.pk)
    )
    locked.annual_return = annual_return
    return annual_return, locked


def _wanted(
    *,
    year: ReportingYear,
    amounts: dict[datetime.date, object],
    amounts_were: dict[datetime.date, Decimal | None] | None,
    stored: dict[datetime.date, Valuation],
    contract: str,
) -> dict[datetime.date, Decimal]:
    """The quarters the team actually changed, with their new amounts. Raises a
    ValidationError keyed by quarter (ISO date) for bad input."""
    quarters = set(year_quarter_ends(year))
    errors: dict[str, list[str]] = {}
    wanted: dict[datetime.date, Decimal] = {}
    stale = False
    for period_end, raw in sorted(amounts.items()):
        key = period_end.isoformat()
        if period_end not in quarters:
            errors.setdefault(key, []).append(
                NOT_A_QUARTER.format(period_end=period_end, year=year.label)
            )
            continue
        try:
            amount = parse_amount(raw, period_end=period_end)
        except ValidationError as error:
            errors.setdefault(key, []).extend(error.messages)
            continue
        existing = stored.get(period_end)
        current = round_money(existing.amount) if existing else None
        if amounts_were is not None:
            shown = amounts_were.get(period_end)
            if amount == shown:
                continue  # left as it was shown: not part of this correction
            if shown != current:
                stale = True
        if amount is None:
            if current is not None:
                errors.setdefault(key, []).append(
                    AMOUNT_REMOVED.format(
                        label=AMOUNT_LABEL.format(period_end=period_end)
                    )
                )
            continue
        if amount != current:
            wanted[period_end] = amount
    if errors:
        raise ValidationError(errors)
    if stale:
        raise ValidationError(VALUATIONS_CHANGED.format(contract=contract))
    return wanted


def corrected_quarters(
    *,
    line: ReturnLine,
    amounts: dict[datetime.date, object],
    amounts_were: dict[datetime.date, Decimal | None] | None = None,
) -> dict[datetime.date, Decimal]:
    """The quarters `line_spend_correct` would change, with their new amounts;
    writes nothing. Raises ValidationError for bad input as it would."""
    year = line.annual_return.year
    stored = {
        valuation.period_end: valuation
        for valuation in Valuation.objects.filter(
            contract_id=line.contract_id,
            period_end__gte=year.starts_on,
            period_end__lte=year.ends_on,
        )
    }
    return _wanted(
        year=year,
        amounts=amounts,
        amounts_were=amounts_were,
        stored=stored,
        contract=line.contract.reference,
    )


@transaction.atomic
def line_spend_correct(
    *,
    line: ReturnLine,
    acting_user,
    amounts: dict[datetime.date, object],
    amounts_were: dict[datetime.date, Decimal | None] | None = None,
    reason: str = "",
) -> SpendCorrection | None:
    """Writes the corrected valuations of the line's contract for the return's year
    (`amounts`: quarter end → what was typed; blank leaves a missing quarter missing),
    then recomputes the line's spend and target as an issue does. `amounts_were` is
    what the page showed: a quarter left as shown is not touched, and one changed
    meanwhile by someone else is refused rather than overwritten.

    All or nothing: raises ValidationError (a dict keyed by quarter end for bad
    amounts; a message when the return is not open, the line is excluded, the
    valuations changed meanwhile, or the new spend no longer qualifies). Returns None
    when nothing differs from what is stored. Records a `refreshed` event with old and
    new spend and target, and raises the line's version, when the line changed.
    Called by `query_answer`, inside its transaction."""
    annual_return, line = _lock(line)
    refusal = correction_refusal(line)
    if refusal:
        raise ValidationError(refusal, code="state")
    year = annual_return.year
    contract = line.contract
    stored = {
        valuation.period_end: valuation
        for valuation in Valuation.objects.select_for_update().filter(
            contract=contract,
            period_end__gte=year.starts_on,
            period_end__lte=year.ends_on,
        )
    }
    wanted = _wanted(
        year=year,
        amounts=amounts,
        amounts_were=amounts_were,
        stored=stored,
        contract=contract.reference,
    )
    if not wanted:
        return None

    upsert = Upsert(Valuation, "Valuations", ["amount"])
    changes = []
    for period_end, amount in sorted(wanted.items()):
        existing = stored.get(period_end)
        changes.append(
            {
                "period_end": period_end.isoformat(),
                "old_amount": str(round_money(existing.amount)) if existing else None,
                "new_amount": str(amount),
            }
        )
        upsert.add(
            existing,
            {"amount": amount},
            {"contract_id": contract.pk, "period_end": period_end},
        )
    # History's change reason holds 100 characters: the team's words go in the event.
    upsert.write(
        acting_user=acting_user,
        reason=f"Corrected by the social value team on {annual_return.reference}",
    )

    new_spend, new_target = contract_spend_and_target(
        contract_id=contract.pk, year=year
    )
    if not qualifies(
        spend=new_spend, is_consultancy=contract.lot.is_consultancy, year=year
    ):
        # Raising rolls back the valuations written above with everything else.
        raise ValidationError(
            BELOW_THRESHOLD.format(
                contract=contract.reference,
                year=year.label,
                spend=new_spend,
                threshold=year.spend_threshold,
            ),
            code="below_threshold",
        )
    correction = SpendCorrection(
        contract=contract.reference,
        valuations=changes,
        old_spend=round_money(line.spend),
        new_spend=new_spend,
        old_target=line.target_credits,
        new_target=new_target,
    )
    if correction.line_changed:
        line.spend = new_spend
        line.target_credits = new_target
        line.version += 1
        line.updated_at = timezone.now()
        line.updated_by = acting_user
        line._history_user = acting_user
        line._change_reason = "Spend corrected by the social value team"
        line.save(
            update_fields=[
                "spend",
                "target_credits",
                "version",
                "updated_at",
                "updated_by",
            ]
        )
        summary_refresh(contract_ids=[line.contract_id])
        event_record(
            annual_return=annual_return,
            kind=events.REFRESHED,
            actor=acting_user,
            comment=contract.reference,
            snapshot={
                "lines": [
                    {
                        "contract": contract.reference,
                        "old_spend": str(correction.old_spend),
                        "new_spend": str(correction.new_spend),
                        "old_target": str(correction.old_target),
                        "new_target": str(correction.new_target),
                    }
                ],
                "valuations": changes,
                "reason": reason,
            },
        )
    return correction
