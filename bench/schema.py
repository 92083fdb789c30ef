"""The data set is one PostgreSQL database shared by several branches' benchmark runs,
and a branch's run migrates it: it can carry columns of migrations this code does not
have. A NOT NULL column without a default that the models do not know makes every
insert into its table fail (issuing, a submission's history row). `relax()` lets such
columns take NULL: on the load test's copy for good, on the data set itself only
inside a transaction that is rolled back (issuing's measurement). Columns the code
does not know are then left NULL, as they would be before that migration ran.
"""

from __future__ import annotations


def unknown_required_columns() -> list[tuple[str, str]]:
    """(table, column) of every NOT NULL column without a default, in a table of one
    of this code's models, that none of its models has."""
    from django.apps import apps
    from django.db import connection

    known: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        known.setdefault(model._meta.db_table, set()).update(
            f.column for f in model._meta.concrete_fields
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_nullable = 'NO' "
            "AND column_default IS NULL AND is_identity = 'NO'"
        )
        return sorted(
            (table, column)
            for table, column in cursor.fetchall()
            if table in known and column not in known[table]
        )


def relax() -> list[str]:
    """Drops NOT NULL from those columns (in the current transaction); returns them
    as "table.column"."""
    from django.db import connection

    found = unknown_required_columns()
    with connection.cursor() as cursor:
        for table, column in found:
            quote = connection.ops.quote_name
            cursor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} DROP NOT NULL"
            )
    return [f"{table}.{column}" for table, column in found]
