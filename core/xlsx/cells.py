"""Strict cell parsers: each takes a `Cell` and returns a Python value, or raises a
`CellError` naming the sheet, row and column and what was expected.

Nothing here guesses: "1,250.5" is £1,250.50, but "1.250,50", "12/31/2024" and "yes
please" are refused with a message that says what to write instead.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.numbers import round_half_up, to_decimal

if TYPE_CHECKING:
    from core.xlsx.reading import Cell

EMPTY = "Expected a value: the cell is empty"
MONEY = "Expected an amount in pounds, like 1250.00"
MONEY_NEGATIVE = "Expected an amount of £0 or more"
MONEY_PLACES = "Expected pounds and pence: at most 2 decimal places"
TOO_LARGE = "Expected a number below 1,000,000,000,000"
NUMBER = "Expected a number, like 12 or 12.5"
NUMBER_NEGATIVE = "Expected a number of 0 or more"
NUMBER_PLACES = "Expected at most {places} decimal places"
WHOLE_NUMBER = "Expected a whole number, like 12"
DATE = "Expected a date like 30/06/2024 (day/month/year) or 2024-06-30"
QUARTER_END = (
    "Expected a calendar quarter end: 30 June, 30 September, 31 December or 31 March"
)
YES_NO = 'Expected "yes" or "no"'
CHOICE = "Expected one of: {options}"
TOO_LONG = "Expected at most {limit:,} characters"
EMAIL = "Expected an email address, like name@example.com"

MAX_WHOLE_DIGITS = 12  # DecimalField(max_digits=14, decimal_places=2)
QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth a warning) in an uploaded file, and where."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    value: str = ""

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(
                f"column {self.column}" + (f" ({self.header})" if self.header else "")
            )
        elif self.header:
            parts.append(f"column {self.header}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        found = f' (found "{self.value}")' if self.value else ""
        return (
            f"{where[:1].upper()}{where[1:]}: {self.message}{found}"
            if where
            else (self.message + found)
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(**{k: data.get(k, v) for k, v in asdict(cls("")).items()})


class CellError(ValueError):
    def __init__(self, cell: Cell, expected: str):
        self.problem = Problem(
            message=expected,
            sheet=cell.sheet,
            row=cell.row,
            column=cell.column,
            header=cell.header,
            value=shown(cell.value),
        )
        super().__init__(str(self.problem))


def shown(value: object, limit: int = 60) -> str:
    """The value as the person typed it, short enough for a report."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        text = value.strftime("%d/%m/%Y %H:%M") if value.time() else f"{value:%d/%m/%Y}"
    elif isinstance(value, datetime.date):
        text = f"{value:%d/%m/%Y}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(cell: Cell, *, required: bool = True, max_length: int | None = None) -> str:
    value = cell.value
    if is_blank(value):
        if required:
            raise CellError(cell, EMPTY)
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a reference typed as a number: 123, not "123.0"
    if isinstance(value, datetime.datetime | datetime.date):
        raise CellError(cell, "Expected text, found a date")
    result = " ".join(str(value).split())
    if max_length is not None and len(result) > max_length:
        raise CellError(cell, TOO_LONG.format(limit=max_length))
    return result


def _number(cell: Cell, expected: str) -> Decimal | None:
    value = cell.value
    if is_blank(value):
        return None
    if isinstance(value, bool | datetime.date):
        raise CellError(cell, expected)
    if isinstance(value, int | float | Decimal):
        try:
            number = to_decimal(value)
        except ValueError as error:
            raise CellError(cell, expected) from error
        if not number.is_finite():
            raise CellError(cell, expected)
        return number
    raw = str(value).strip().replace(",", "").replace(" ", "")
    raw = raw.replace("£", "", 1) if raw.startswith(("£", "-£")) else raw
    if not _NUMBER_TEXT.match(raw):
        raise CellError(cell, expected)
    try:
        return Decimal(raw)
    except InvalidOperation as error:  # pragma: no cover - the pattern guards this
        raise CellError(cell, expected) from error


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _bounded(cell: Cell, number: Decimal, places: int, place_message: str) -> Decimal:
    if _places(number) > places:
        # A float from Excel is a binary approximation (0.1 + 0.2 is 0.30000000000000004):
        # round away only that noise, never a real fraction.
        noise = abs(round_half_up(number, places) - number)
        if not isinstance(cell.value, float) or noise > Decimal("0.000001"):
            raise CellError(cell, place_message)
    if abs(number) >= Decimal(10) ** MAX_WHOLE_DIGITS:
        raise CellError(cell, TOO_LARGE)
    return round_half_up(number, places)


def money(cell: Cell, *, required: bool = True) -> Decimal | None:
    """Pounds and pence, 0 or more: 1250, 1250.5, "£1,250.50"."""
    number = _number(cell, MONEY)
    if number is None:
        if required:
            raise CellError(cell, EMPTY)
        return None
    if number < 0:
        raise CellError(cell, MONEY_NEGATIVE)
    return _bounded(cell, number, 2, MONEY_PLACES)


def quantity(cell: Cell, *, places: int = 2, required: bool = True) -> Decimal | None:
    """A quantity of 0 or more with at most `places` decimal places."""
    number = _number(cell, WHOLE_NUMBER if places == 0 else NUMBER)
    if number is None:
        if required:
            raise CellError(cell, EMPTY)
        return None
    if number < 0:
        raise CellError(cell, NUMBER_NEGATIVE)
    message = WHOLE_NUMBER if places == 0 else NUMBER_PLACES.format(places=places)
    return _bounded(cell, number, places, message)


def integer(cell: Cell, *, required: bool = True) -> int | None:
    number = quantity(cell, places=0, required=required)
    return None if number is None else int(number)


def date(cell: Cell, *, required: bool = True) -> datetime.date | None:
    value = cell.value
    if is_blank(value):
        if required:
            raise CellError(cell, EMPTY)
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        raw = value.strip()
        for pattern in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
        # "2024-06-30 00:00:00", as some programs write a date into a CSV.
        if re.match(r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$", raw):
            try:
                return datetime.date.fromisoformat(raw[:10])
            except ValueError:
                pass
    raise CellError(cell, DATE)


def quarter_end(cell: Cell, *, required: bool = True) -> datetime.date | None:
    day = date(cell, required=required)
    if day is not None and (day.month, day.day) not in QUARTER_ENDS:
        raise CellError(cell, QUARTER_END)
    return day


def yes_no(cell: Cell, *, default: bool | None = None) -> bool:
    value = cell.value
    if is_blank(value):
        if default is None:
            raise CellError(cell, YES_NO)
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(cell, YES_NO)


def choice(cell: Cell, options: dict[str, object], *, default: object = None):
    """One of `options` (keys compared case-insensitively, spaces as underscores)."""
    value = cell.value
    if is_blank(value):
        if default is None:
            raise CellError(cell, CHOICE.format(options=", ".join(options)))
        return default
    key = "_".join(str(value).strip().lower().replace("-", " ").split())
    normalised = {"_".join(k.lower().split()): v for k, v in options.items()}
    if key not in normalised:
        raise CellError(cell, CHOICE.format(options=", ".join(options)))
    return normalised[key]


def email(cell: Cell, *, required: bool = True) -> str:
    address = text(cell, required=required, max_length=254).lower()
    if address:
        try:
            validate_email(address)
        except ValidationError as error:
            raise CellError(cell, EMAIL) from error
    return address
