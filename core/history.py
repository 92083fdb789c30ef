"""Readable history from django-simple-history: who, when, and each field before → after."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SKIPPED_FIELDS = {"id", "version", "updated_at", "updated_by"}


@dataclass
class Change:
    field: str
    before: object
    after: object


@dataclass
class HistoryRow:
    when: datetime
    who: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _display(record, name: str) -> object:
    value = getattr(record, name, None)
    field_obj = record.instance_type._meta.get_field(name)
    if field_obj.choices:
        return dict(field_obj.flatchoices).get(value, value)
    if field_obj.is_relation:
        return getattr(record, f"{name}_id", None)
    return value


def _label(record, name: str) -> str:
    return str(record.instance_type._meta.get_field(name).verbose_name).capitalize()


def history_rows(
    records: Iterable, *, subject=lambda record: "", exclude: set[str] = frozenset()
) -> list[HistoryRow]:
    """Rows for history records of one or several objects, oldest first; each change
    is the difference from the same object's previous record."""
    by_object: dict[tuple, object] = {}
    rows = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (record.instance_type, record.id)
        previous = by_object.get(key)
        by_object[key] = record
        fields = [
            f.name
            for f in record.instance_type._meta.concrete_fields
            if f.name not in SKIPPED_FIELDS | set(exclude)
            and hasattr(record, f.attname)
        ]
        if previous is None:
            changes = [
                Change(_label(record, f), None, _display(record, f))
                for f in fields
                if record.history_type != "-"
                and _display(record, f) not in (None, "", [], {})
            ]
        else:
            changes = [
                Change(_label(record, f), _display(previous, f), _display(record, f))
                for f in fields
                if _display(previous, f) != _display(record, f)
            ]
        if record.history_type == "~" and not changes:
            continue
        user = record.history_user
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=(user.email if user else "The portal (automatic)"),
                action=ACTIONS.get(record.history_type, record.history_type),
                subject=subject(record),
                changes=changes,
            )
        )
    return rows
