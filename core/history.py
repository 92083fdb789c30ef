"""Readable history from django-simple-history: who, when, and each field before → after.

Values stay as stored (a Decimal, a date) with the unit their field gives them, for the
one formatting filter to show; a related row is shown by its name, never its id.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from core.fields import CreditsField, MoneyField, RateField

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SKIPPED_FIELDS = {"id", "version", "updated_at", "updated_by"}


@dataclass
class Change:
    field: str
    before: object
    after: object
    unit: str = ""  # "£", "credits", "rate" or "" (a quantity), for formatting


def unit_of(field_obj) -> str:
    if isinstance(field_obj, MoneyField):
        return "£"
    if isinstance(field_obj, CreditsField):
        return "credits"
    if isinstance(field_obj, RateField):
        return "rate"
    return ""


@dataclass
class HistoryRow:
    when: datetime
    who: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""  # the change reason recorded with it ("Issued", an import's file)


class _Names:
    """The names of the rows history records point to, fetched once per model."""

    def __init__(self, records: list):
        wanted: dict[type, set] = defaultdict(set)
        for record in records:
            for field_obj in record.instance_type._meta.concrete_fields:
                if field_obj.is_relation:
                    pk = getattr(record, field_obj.attname, None)
                    if pk is not None:
                        wanted[field_obj.related_model].add(pk)
        self._names = {
            model: {
                pk: str(obj) for pk, obj in model._base_manager.in_bulk(pks).items()
            }
            for model, pks in wanted.items()
        }

    def name(self, model, pk) -> str | None:
        if pk is None:
            return None
        return self._names.get(model, {}).get(pk, f"{model._meta.verbose_name} {pk}")


def _display(record, name: str, names: _Names) -> object:
    field_obj = record.instance_type._meta.get_field(name)
    if field_obj.is_relation:
        return names.name(field_obj.related_model, getattr(record, field_obj.attname))
    value = getattr(record, name, None)
    if field_obj.choices:
        return dict(field_obj.flatchoices).get(value, value)
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
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    names = _Names(records)

    def shown(record, name):
        return _display(record, name, names)

    def unit(record, name):
        return unit_of(record.instance_type._meta.get_field(name))

    for record in records:
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
                Change(_label(record, f), None, shown(record, f), unit(record, f))
                for f in fields
                if record.history_type != "-"
                and shown(record, f) not in (None, "", [], {})
            ]
        else:
            changes = [
                Change(
                    _label(record, f),
                    shown(previous, f),
                    shown(record, f),
                    unit(record, f),
                )
                for f in fields
                if shown(previous, f) != shown(record, f)
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
                reason=getattr(record, "history_change_reason", None) or "",
            )
        )
    return rows
