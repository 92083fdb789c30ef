"""Inserting many rows of one model given column by column: what an issue writes.

Django's `bulk_create` builds a model instance per row and prepares every field of
every row in Python, which at a large issue (tens of thousands of lines) costs more
than the database's own work. `insert_rows` takes the columns as lists and sends
them as one `INSERT … SELECT … FROM unnest(…)` on PostgreSQL (multi-row `VALUES` in
batches elsewhere), with every field not given set to its default exactly as
`Model()` and `bulk_create` would set it.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection, models

from core.fields import HalfUpDecimalField


def insert_rows(
    model: type[models.Model],
    columns: dict[str, list],
    *,
    values: dict[str, object] | None = None,
    returning: tuple[str, ...] = (),
) -> list[tuple]:
    """Inserts one row per position in the `columns` lists (keyed by attname, e.g.
    `annual_return_id`), with `values` the same on every row; every other field gets
    its model default. A row that would break a unique constraint is skipped (`ON
    CONFLICT DO NOTHING`, as `bulk_create(ignore_conflicts=True)`). Returns the
    `returning` columns of the rows inserted, in no particular order.

    Column values are what the database stores: ids, strings, dates, JSON-able
    objects for JSON fields, and Decimals already rounded by `core.numbers` (a
    Decimal with more places than its column is refused, never rounded here)."""
    values = values or {}
    lengths = {len(column) for column in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"Columns of different lengths: {sorted(lengths)}")
    if not lengths or not lengths.pop():
        return []
    given = []
    constants = []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in columns:
            continue
        if field.attname in columns:
            given.append(field)
        else:
            constants.append(field)
    unknown = set(columns) | set(values)
    unknown -= {field.attname for field in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
    prototype = model()
    constant_values = [
        field.get_db_prep_save(
            values[field.attname]
            if field.attname in values
            else field.pre_save(prototype, add=True),
            connection,
        )
        for field in constants
    ]
    if connection.vendor == "postgresql":
        return _insert_unnest(
            model, given, columns, constants, constant_values, returning
        )
    return _insert_values(model, given, columns, constants, constant_values, returning)


def _refuse_extra_places(field: models.Field, value, text: str) -> None:
    """The database must never round: a Decimal with more places than its column
    is refused (`core.numbers` rounds half-up before anything is stored)."""
    if not isinstance(value, Decimal):
        return
    places = field.decimal_places
    if "E" in text or "e" in text:
        too_many = value.as_tuple().exponent < -places
    else:
        dot = text.find(".")
        too_many = dot >= 0 and len(text) - dot - 1 > places
    if too_many:
        raise ValueError(
            f"{field.name} {value} has more than {places} places: round it with "
            "core.numbers first"
        )


def _array_literal(field: models.Field, column: list):
    """The text of a PostgreSQL array holding `column`. psycopg adapts a list
    element by element in Python (a regular expression per string); building the
    text here is many times faster at tens of thousands of rows. Lists of other
    types are left to psycopg."""
    kinds = {type(value) for value in column} - {type(None)}
    if kinds <= {int, Decimal}:
        items = ["NULL" if value is None else str(value) for value in column]
        if isinstance(field, HalfUpDecimalField):
            for value, text in zip(column, items, strict=True):
                _refuse_extra_places(field, value, text)
    elif kinds <= {str}:
        items = [
            "NULL"
            if value is None
            else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            for value in column
        ]
    else:
        return column
    return "{" + ",".join(items) + "}"


def _json_text(field: models.Field, value) -> str | None:
    return None if value is None else json.dumps(value, cls=field.encoder)


def _insert_unnest(model, given, columns, constants, constant_values, returning):
    quote = connection.ops.quote_name
    names = [quote(field.column) for field in given + constants]
    selected = [f"u.c{i}" for i in range(len(given))]
    selected += [f"%s::{field.db_type(connection)}" for field in constants]
    arrays = [f"%s::{field.db_type(connection)}[]" for field in given]
    # Parameters in the order of the statement's text: constants, then arrays.
    params = list(constant_values)
    for field in given:
        column = columns[field.attname]
        if isinstance(field, models.JSONField):
            column = [_json_text(field, value) for value in column]
        params.append(_array_literal(field, column))
    # Only names from the model's own metadata and placeholders are formatted in.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} "
        f"FROM unnest({', '.join(arrays)}) "
        f"AS u({', '.join(f'c{i}' for i in range(len(given)))}) "
        "ON CONFLICT DO NOTHING"
    )
    if returning:
        sql += " RETURNING " + ", ".join(
            quote(model._meta.get_field(name).column) for name in returning
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def _insert_values(model, given, columns, constants, constant_values, returning):
    quote = connection.ops.quote_name
    names = [quote(field.column) for field in given + constants]
    for field in given:
        if isinstance(field, HalfUpDecimalField):
            for value in columns[field.attname]:
                _refuse_extra_places(field, value, str(value))
    prepared = [
        [field.get_db_prep_save(value, connection) for value in columns[field.attname]]
        for field in given
    ]
    rows = [[*row, *constant_values] for row in zip(*prepared, strict=True)]
    width = len(names)
    limit = connection.features.max_query_params or 10_000
    batch = max(1, limit // width)
    suffix = " ON CONFLICT DO NOTHING"
    if returning:
        suffix += " RETURNING " + ", ".join(
            quote(model._meta.get_field(name).column) for name in returning
        )
    placeholder = "(" + ", ".join(["%s"] * width) + ")"
    result: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(chunk))}{suffix}",
                [value for row in chunk for value in row],
            )
            if returning:
                result += [tuple(row) for row in cursor.fetchall()]
    return result
