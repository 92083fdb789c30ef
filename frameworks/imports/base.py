"""What every kind of import shares: columns, the report, and the upsert helper.

A kind checks a table into a plan without writing anything, collecting every problem;
only a plan with no problems is applied, inside the caller's transaction, in batches
whose number of queries does not depend on the rows in them.
"""

from __future__ import annotations

import abc
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from core.bulk import bulk_update_values, history_copy
from core.xlsx import CellError, Problem, Row, Table
from core.xlsx.reading import normalise_header

BATCH_SIZE = 1000
LOOKUP_CHUNK = 2000
MAX_PROBLEMS_KEPT = 1000

UNKNOWN_COLUMN = "Expected only the template's columns: this heading is not one of them"
MISSING_COLUMN = "Expected a column headed {header}"
DUPLICATE_IN_FILE = "Expected each {what} once in the file: it is also on row {row}"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True  # the heading must be present (cells may still be optional)
    help: str = ""
    example: object = ""


@dataclass
class Report:
    """What a check found and what applying would do (or did)."""

    kind: str = ""
    label: str = ""
    file_name: str = ""
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    applied: bool = False
    error_count: int = 0
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.error_count

    def error(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_PROBLEMS_KEPT:
            self.errors.append(problem)

    def warn(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_PROBLEMS_KEPT:
            self.warnings.append(problem)

    def count(self, label: str, *, created=0, updated=0, unchanged=0) -> None:
        entry = self.counts.setdefault(
            label, {"created": 0, "updated": 0, "unchanged": 0}
        )
        entry["created"] += created
        entry["updated"] += updated
        entry["unchanged"] += unchanged

    @property
    def totals(self) -> dict[str, int]:
        return {
            key: sum(c[key] for c in self.counts.values())
            for key in ("created", "updated", "unchanged")
        }

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "file_name": self.file_name,
            "rows": self.rows,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "counts": self.counts,
            "notes": self.notes,
            "lists": self.lists,
            "applied": self.applied,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        report = cls(
            **{k: v for k, v in data.items() if k not in ("errors", "warnings")}
        )
        report.errors = [Problem.from_dict(p) for p in data.get("errors", [])]
        report.warnings = [Problem.from_dict(p) for p in data.get("warnings", [])]
        return report


class RowChecker:
    """Reads one row's cells through the strict parsers, keeping every problem."""

    def __init__(self, row: Row, report: Report):
        self.row = row
        self.report = report
        self.failed = False

    def __call__(self, parser: Callable, header: str, **options):
        try:
            return parser(self.row.cell(header), **options)
        except CellError as error:
            self.report.error(error.problem)
            self.failed = True
            return None

    def present(self, header: str) -> bool:
        return normalise_header(header) in self.row.table.index

    def fail(self, message: str, header: str = "", value: object = None) -> None:
        self.report.error(self.row.problem(message, header, value))
        self.failed = True

    def warn(self, message: str, header: str = "") -> None:
        self.report.warn(self.row.problem(message, header))


class Kind(abc.ABC):
    """One kind of import. Subclasses set `key`, `label`, `columns`, and write
    `check(table, report) -> plan` and `apply(plan, report, acting_user)`."""

    key: str = ""
    label: str = ""
    description: str = ""
    columns: list[Column] = []
    sheet_title: str = ""

    def required_headings(self) -> set[str]:
        return {normalise_header(c.name) for c in self.columns if c.required}

    def known_headings(self) -> set[str]:
        return {normalise_header(c.name) for c in self.columns}

    def matches(self, headings: set[str]) -> int:
        """How strongly a file's headings say it is this kind (0: not at all)."""
        required = self.required_headings()
        return len(required) if required <= headings else 0

    def extra_heading_allowed(self, heading: str, context: dict) -> bool:
        return False

    def check_headings(self, table: Table, report: Report, context: dict) -> None:
        for position, heading in enumerate(table.header):
            key = normalise_header(heading)
            if not key or key in self.known_headings():
                continue
            if self.extra_heading_allowed(heading, context):
                continue
            from core.xlsx.reading import column_letter

            report.error(
                Problem(
                    message=UNKNOWN_COLUMN,
                    sheet=table.sheet,
                    row=table.header_row,
                    column=column_letter(position),
                    value=heading,
                )
            )
        for column in self.columns:
            if column.required and normalise_header(column.name) not in table.index:
                report.error(
                    Problem(
                        message=MISSING_COLUMN.format(header=column.name),
                        sheet=table.sheet,
                        row=table.header_row,
                    )
                )

    @abc.abstractmethod
    def check(self, table: Table, report: Report):
        """Every problem into `report`, nothing written; returns the plan to apply."""

    @abc.abstractmethod
    def apply(self, plan, report: Report, *, acting_user) -> None:
        """Writes the plan, all or nothing (the caller holds the transaction)."""

    def template_rows(self) -> list[list[object]]:
        return [[c.example for c in self.columns]]


class FirstSeen:
    """Remembers the row a key was first seen on, to name duplicates."""

    def __init__(self, what: str):
        self.what = what
        self.rows: dict[object, int] = {}

    def check(self, checker: RowChecker, key: object, header: str) -> bool:
        if key in self.rows:
            checker.fail(
                DUPLICATE_IN_FILE.format(what=self.what, row=self.rows[key]), header
            )
            return False
        self.rows[key] = checker.row.number
        return True


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup(
    queryset: models.QuerySet, field_name: str, keys: Iterable
) -> dict[object, models.Model]:
    """Objects whose `field_name` is one of `keys`, by that value, in chunked queries."""
    keys = sorted({k for k in keys if k not in (None, "")}, key=str)
    found: dict[object, models.Model] = {}
    for chunk in chunks(keys):
        for obj in queryset.filter(**{f"{field_name}__in": chunk}):
            found[getattr(obj, field_name)] = obj
    return found


@dataclass
class Upsert:
    """The creates and updates of one model, decided by comparing with what is stored.

    `values` name attributes (use `*_id` for foreign keys to stored rows; an unsaved
    parent object may be given for a new row, and gets its id when the parent is
    written first)."""

    model: type[models.Model]
    label: str
    fields: list[str]
    create: list[models.Model] = field(default_factory=list)
    update: list[models.Model] = field(default_factory=list)
    unchanged: int = 0
    history: bool = True

    def add(
        self, existing: models.Model | None, values: dict, defaults: dict | None = None
    ):
        if existing is None:
            obj = self.model(**{**(defaults or {}), **values})
            self.create.append(obj)
            return obj
        changed = [
            name for name, value in values.items() if getattr(existing, name) != value
        ]
        if not changed:
            self.unchanged += 1
            return existing
        for name in changed:
            setattr(existing, name, values[name])
        self.update.append(existing)
        return existing

    def counted(self, report: Report) -> None:
        report.count(
            self.label,
            created=len(self.create),
            updated=len(self.update),
            unchanged=self.unchanged,
        )

    def write(self, *, acting_user, reason: str) -> None:
        """Creates and updates in batches, with a history row for each change. A row
        that had no history yet (bulk-loaded) first gets one of its old state, so the
        history always keeps the value an import replaced."""
        now = timezone.now()
        if self.create:
            self.model.objects.bulk_create(self.create, batch_size=BATCH_SIZE)
            if self.history:
                # Copied in the database from the rows just written: simple-history's
                # bulk helpers build every history row in Python, which cost more than
                # the rest of a 20,000-row import's writing.
                history_copy(
                    self.model,
                    [obj.pk for obj in self.create],
                    history_type="+",
                    user=acting_user,
                    at=now,
                    reason=reason,
                )
        if not self.update:
            return
        names = sorted(
            {
                self.model._meta.get_field(name.removesuffix("_id")).name
                for name in self.fields
            }
        )
        if not self.history:
            bulk_update_values(self.model, self.update, names, batch_size=BATCH_SIZE)
            return
        # Copied before the update, so they hold the values the import replaces.
        history_copy(
            self.model,
            [obj.pk for obj in self.update],
            only_without_history=True,
            history_type="+",
            user=None,
            at=now - datetime.timedelta(microseconds=1),
            reason="As it was before the import",
        )
        bulk_update_values(self.model, self.update, names, batch_size=BATCH_SIZE)
        history_copy(
            self.model,
            [obj.pk for obj in self.update],
            history_type="~",
            user=acting_user,
            at=now,
            reason=reason,
        )
