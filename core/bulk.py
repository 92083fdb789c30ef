"""Updating many rows at once, and writing their history rows at once."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence

from django.db import connections, models, router

BATCH_SIZE = 1000


def bulk_update_values(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: Sequence[str],
    *,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Writes `fields` of `objs` (saved rows) in one `UPDATE … FROM (VALUES …)` per
    batch (PostgreSQL: `FROM unnest(…)` of one array per column); returns the
    number of rows updated.

    What `QuerySet.bulk_update` does, without its `CASE WHEN pk = … THEN …` per row
    and field: building that expression took Django 13 of the 22 seconds of a
    20,000-row valuation import, and the database then tests every WHEN for every
    row. Values are prepared by each field as `save()` would prepare them.
    """
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    columns = [meta.pk, *targets]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        return _update_from_arrays(connection, model, objs, columns, batch_size)
    # SQLite names a VALUES list's columns column1, column2, …
    cell = "(" + ", ".join("%s" for _ in columns) + ")"
    names = [f"column{i}" for i in range(1, len(columns) + 1)]
    assignments = ", ".join(
        f"{quote(f.column)} = v.{name}"
        for f, name in zip(targets, names[1:], strict=True)
    )
    limit = connection.features.max_query_params or 65535
    size = max(1, min(batch_size, limit // len(columns)))
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            params = [
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for obj in batch
                for field in columns
            ]
            # Only quoted names from the model's meta are formatted in; every value
            # is a parameter.
            sql = (
                f"UPDATE {table} SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([cell] * len(batch))}) AS v "
                f"WHERE {table}.{quote(meta.pk.column)} = v.{names[0]}"
            )
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


def _update_from_arrays(connection, model, objs, columns, batch_size: int) -> int:
    """PostgreSQL: one array parameter per column, `unnest`ed into the rows to
    write. A VALUES list of a parameter per cell cost the driver more than the
    database: psycopg scans the query text for every placeholder (3,000 a batch)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [quote(f.column) for f in columns]
    arrays = ", ".join(f"CAST(%s AS {f.db_type(connection)}[])" for f in columns)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    # Only quoted names from the model's meta are formatted in; every value is a
    # parameter.
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v({', '.join(names)}) "
        f"WHERE {table}.{names[0]} = v.{names[0]}"
    )
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            cursor.execute(
                sql,
                [
                    [
                        field.get_db_prep_save(getattr(obj, field.attname), connection)
                        for obj in batch
                    ]
                    for field in columns
                ],
            )
            updated += cursor.rowcount
    return updated


def history_copy(
    model: type[models.Model],
    pks: Sequence[int],
    *,
    history_type: str,
    user,
    at: datetime.datetime,
    reason: str | None = None,
    only_without_history: bool = False,
) -> None:
    """Writes a django-simple-history row ("+", "~" or "-") for each of `pks`, copied
    from the row as it now is in the database: the row its save or delete signal
    would have written, with `user`, at `at`, and `reason` as its change reason. One
    `INSERT … SELECT` per batch, so no history object is built in Python (building
    them, as simple-history's bulk helpers do, cost more than the rest of a
    300-line upload together). For "-", call it before deleting. With
    `only_without_history`, rows that already have a history row are skipped."""
    if not pks:
        return
    history_model = _history_model(model)
    connection = connections[router.db_for_write(history_model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    tracked = [f.column for f in history_model.tracked_fields]
    names = (
        HISTORY_STAMPS if reason is None else (*HISTORY_STAMPS, "history_change_reason")
    )
    stamps = [history_model._meta.get_field(name) for name in names]
    if connection.vendor == "postgresql":
        # A bare parameter in a SELECT list is typed as text; say what it is.
        stamp_sql = [f"CAST(%s AS {f.cast_db_type(connection)})" for f in stamps]
    else:
        stamp_sql = ["%s"] * len(stamps)
    columns = ", ".join(quote(c) for c in [*tracked, *(f.column for f in stamps)])
    copied = ", ".join([*(f"{table}.{quote(c)}" for c in tracked), *stamp_sql])
    stamp_params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(
            stamps,
            (at, getattr(user, "pk", None), history_type, (reason or "")[:100]),
            strict=False,  # the reason only when it is asked for
        )
    ]
    size = (connection.features.max_query_params or 65535) - len(stamp_params)
    pk = quote(model._meta.pk.column)
    postgres = connection.vendor == "postgresql"
    if postgres:
        # One array parameter: the driver scans the query for every placeholder.
        size = len(pks)
    skip = (
        f" AND NOT EXISTS (SELECT 1 FROM {quote(history_model._meta.db_table)} h "  # noqa: S608
        f"WHERE h.{pk} = {table}.{pk})"
        if only_without_history
        else ""
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), size):
            batch = list(pks[start : start + size])
            if postgres:
                where, batch_params = "= ANY(%s)", [batch]
            else:
                where = f"IN ({', '.join(['%s'] * len(batch))})"
                batch_params = batch
            # Only quoted names from the models' meta are formatted in; every value
            # is a parameter.
            sql = (
                f"INSERT INTO {quote(history_model._meta.db_table)} ({columns}) "  # noqa: S608
                f"SELECT {copied} FROM {table} "
                f"WHERE {table}.{pk} {where}{skip}"
            )
            cursor.execute(sql, [*stamp_params, *batch_params])


# The history row's own columns `history_copy` fills; history_change_reason is left
# NULL, as simple-history leaves it, when no reason is given.
HISTORY_STAMPS = ("history_date", "history_user", "history_type")


@functools.cache
def _history_model(model: type[models.Model]) -> type[models.Model]:
    # `model.history` builds a new manager class on every access (about 0.7 ms).
    return getattr(model, model._meta.simple_history_manager_attribute).model
