"""Writing many rows' different values, and their history, in one statement each.

Django's `bulk_update` builds a `CASE WHEN pk = … THEN …` expression per row and
field: resolving those costs about a millisecond a row (1.1 s for 300 return lines of
eight fields), and the database then scans every branch for every row. `rows_update`
sends `UPDATE … FROM (VALUES …)` instead: one joined statement, each value prepared by
its field exactly as `Model.save()` prepares it. SQLite has had UPDATE … FROM since
3.33 and PostgreSQL always. Signals are not sent (as with `bulk_update`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def rows_update(objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Writes `fields` of every object (all of one model, each saved before) by its
    primary key; returns the number of rows updated. Batches as `bulk_update` does,
    by the database's limit on query parameters."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    pk = meta.pk
    columns = [pk, *(meta.get_field(name) for name in fields)]
    row_sql = f"({', '.join(_placeholders(columns, connection))})"
    table = quote(meta.db_table)
    assignments = ", ".join(
        f"{quote(column.column)} = v.column{position}"
        for position, column in enumerate(columns[1:], start=2)
    )
    batch = max(1, connection.ops.bulk_batch_size(columns, objs))
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params: list[object] = []
            for obj in chunk:
                for column in columns:
                    params.append(
                        column.get_db_prep_save(
                            getattr(obj, column.attname), connection=connection
                        )
                    )
            values = ", ".join([row_sql] * len(chunk))
            # Names come from the model and are quoted; every value is a parameter.
            sql = f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608
            cursor.execute(f"{sql}WHERE {table}.{quote(pk.column)} = v.column1", params)
            updated += cursor.rowcount
    return updated


def history_copy(
    model: type[Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user,
    at: datetime.datetime,
) -> None:
    """Writes a django-simple-history row ("+", "~" or "-") for each of `pks`, copied
    from the row as it now is in the database: the row its save or delete signal
    would have written, with `user`, at `at`, and no change reason. One
    `INSERT … SELECT` per batch, so no history object is built in Python. For "-",
    call it before deleting."""
    if not pks:
        return
    history_model = _history_model(model)
    using = router.db_for_write(history_model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    tracked = [f.column for f in history_model.tracked_fields]
    stamps = [history_model._meta.get_field(name) for name in HISTORY_STAMPS]
    columns = ", ".join(quote(c) for c in [*tracked, *(f.column for f in stamps)])
    copied = ", ".join(
        [*(f"{table}.{quote(c)}" for c in tracked), *_placeholders(stamps, connection)]
    )
    stamp_params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(
            stamps, (at, getattr(user, "pk", None), history_type), strict=True
        )
    ]
    batch = (connection.features.max_query_params or 10_000) - len(stamp_params)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch):
            chunk = list(pks[start : start + batch])
            where = ", ".join(["%s"] * len(chunk))
            # Names come from the models and are quoted; every value is a parameter.
            sql = (
                f"INSERT INTO {quote(history_model._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT {copied} FROM {table} "
                f"WHERE {table}.{quote(model._meta.pk.column)} IN ({where})"
            )
            cursor.execute(sql, [*stamp_params, *chunk])


# The history row's own columns `history_copy` fills; history_change_reason is left
# NULL, as simple-history leaves it when no reason is given.
HISTORY_STAMPS = ("history_date", "history_user", "history_type")


@functools.cache
def _history_model(model: type[Model]) -> type[Model]:
    # `model.history` builds a new manager class on every access (about 0.7 ms).
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _placeholders(fields, connection) -> list[str]:
    # PostgreSQL types a bare parameter as text unless told.
    if connection.features.requires_casted_case_in_updates:
        return [f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields]
    return ["%s"] * len(fields)
