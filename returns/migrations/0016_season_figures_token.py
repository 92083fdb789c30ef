"""The completion figures token of each year (`SeasonFiguresToken`) and the triggers
that renew it on every change that moves the year's completion figures.

Triggers, not application code: every writer (the ORM, `QuerySet.update`, bulk
inserts, the hand-written SQL of issuing) goes through them. On PostgreSQL they are
statement-level with transition tables: a statement that changes no figure column
(a line's ordinary save) costs a join of its own rows and touches no token row, and
an issue of thousands of returns renews each of the year's shards once. On SQLite
they are row-level with the same conditions. Additive: a new table, and triggers that only
write to it.
"""

import django.db.models.deletion
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

TABLE = "returns_seasonfigurestoken"

# The columns of a return and of a line the completion figures read.
RETURN_CHANGED = (
    "(o.status, o.source, o.first_submitted_at, o.extended_deadline, o.year_id)"
    " IS DISTINCT FROM "
    "(n.status, n.source, n.first_submitted_at, n.extended_deadline, n.year_id)"
)
LINE_CHANGED = (
    "(o.excluded_at IS NULL, o.lot_id, o.annual_return_id)"
    " IS DISTINCT FROM "
    "(n.excluded_at IS NULL, n.lot_id, n.annual_return_id)"
)


# SeasonFiguresToken.SHARDS; `%%`: the statements go through the drivers' placeholders.
SHARDS = 16


def _pg_renew(pairs_sql: str) -> str:
    """Renews the token of each (year, shard) `pairs_sql` selects (columns `y`,
    `s`), in that order so that two statements never wait on each other's rows
    crosswise."""
    return f"""
        INSERT INTO {TABLE} (year_id, shard, token)
        SELECT y, s, md5(random()::text || clock_timestamp()::text || y || '.' || s)
        FROM (SELECT DISTINCT y, s FROM ({pairs_sql}) pairs WHERE y IS NOT NULL
              ORDER BY y, s) distinct_pairs
        ON CONFLICT (year_id, shard) DO UPDATE SET token = EXCLUDED.token;
    """


def _returns(rows: str, where: str = "") -> str:
    return f"SELECT {rows}.year_id AS y, {rows}.id %% {SHARDS} AS s FROM {where or rows}"


def _lines(ids_sql: str) -> str:
    return (
        f"SELECT r.year_id AS y, r.id %% {SHARDS} AS s FROM returns_annualreturn r"
        f" WHERE r.id IN ({ids_sql})"
    )


CHANGED_RETURNS = f"old_rows o JOIN new_rows n ON n.id = o.id WHERE {RETURN_CHANGED}"
CHANGED_LINES = f"old_rows o JOIN new_rows n ON n.id = o.id WHERE {LINE_CHANGED}"

PG_FUNCTIONS = {
    "returns_season_returns_ins": _pg_renew(_returns("new_rows")),
    "returns_season_returns_del": _pg_renew(_returns("old_rows")),
    "returns_season_returns_upd": _pg_renew(
        f"{_returns('o', CHANGED_RETURNS)} UNION ALL {_returns('n', CHANGED_RETURNS)}"
    ),
    "returns_season_lines_ins": _pg_renew(
        _lines("SELECT annual_return_id FROM new_rows")
    ),
    "returns_season_lines_del": _pg_renew(
        _lines("SELECT annual_return_id FROM old_rows")
    ),
    "returns_season_lines_upd": _pg_renew(
        _lines(
            f"SELECT o.annual_return_id FROM {CHANGED_LINES}"
            f" UNION ALL SELECT n.annual_return_id FROM {CHANGED_LINES}"
        )
    ),
    "returns_season_years": _pg_renew("SELECT id AS y, 0 AS s FROM new_rows"),
    # A framework's name and a lot's framework: rare, and every year shows them.
    "returns_season_all": _pg_renew(
        "SELECT id AS y, 0 AS s FROM returns_reportingyear"
    ),
}

# (trigger, table, event, transition tables)
PG_TRIGGERS = [
    (
        "returns_season_returns_ins",
        "returns_annualreturn",
        "INSERT",
        "NEW TABLE AS new_rows",
    ),
    (
        "returns_season_returns_del",
        "returns_annualreturn",
        "DELETE",
        "OLD TABLE AS old_rows",
    ),
    (
        "returns_season_returns_upd",
        "returns_annualreturn",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    (
        "returns_season_lines_ins",
        "returns_returnline",
        "INSERT",
        "NEW TABLE AS new_rows",
    ),
    (
        "returns_season_lines_del",
        "returns_returnline",
        "DELETE",
        "OLD TABLE AS old_rows",
    ),
    (
        "returns_season_lines_upd",
        "returns_returnline",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    (
        "returns_season_years",
        "returns_reportingyear",
        "INSERT",
        "NEW TABLE AS new_rows",
    ),
    (
        "returns_season_years_upd",
        "returns_reportingyear",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    ("returns_season_frameworks", "frameworks_framework", "UPDATE", ""),
    ("returns_season_lots", "frameworks_lot", "UPDATE", ""),
]
PG_TRIGGER_FUNCTION = {
    "returns_season_years_upd": "returns_season_years",
    "returns_season_frameworks": "returns_season_all",
    "returns_season_lots": "returns_season_all",
}


def _sqlite_renew(year: str, shard: str) -> str:
    return (
        f"INSERT INTO {TABLE} (year_id, shard, token)"
        f" SELECT {year}, {shard}, lower(hex(randomblob(16))) WHERE {year} IS NOT NULL"
        " ON CONFLICT (year_id, shard) DO UPDATE SET token = excluded.token;"
    )


def _sqlite_return(rows: str) -> str:
    return _sqlite_renew(f"{rows}.year_id", f"{rows}.id %% {SHARDS}")


def _sqlite_line(rows: str) -> str:
    return _sqlite_renew(
        "(SELECT year_id FROM returns_annualreturn"
        f" WHERE id = {rows}.annual_return_id)",
        f"{rows}.annual_return_id %% {SHARDS}",
    )


SQLITE_RETURN_CHANGED = " OR ".join(
    f"OLD.{c} IS NOT NEW.{c}"
    for c in ("status", "source", "first_submitted_at", "extended_deadline", "year_id")
)
SQLITE_LINE_CHANGED = (
    "(OLD.excluded_at IS NULL) IS NOT (NEW.excluded_at IS NULL)"
    " OR OLD.lot_id IS NOT NEW.lot_id"
    " OR OLD.annual_return_id IS NOT NEW.annual_return_id"
)
SQLITE_ALL = (
    f"INSERT INTO {TABLE} (year_id, shard, token)"
    " SELECT id, 0, lower(hex(randomblob(16))) FROM returns_reportingyear WHERE true"
    " ON CONFLICT (year_id, shard) DO UPDATE SET token = excluded.token;"
)
SQLITE_TRIGGERS = [
    (
        "returns_season_returns_ins",
        "AFTER INSERT ON returns_annualreturn",
        _sqlite_return("NEW"),
    ),
    (
        "returns_season_returns_del",
        "AFTER DELETE ON returns_annualreturn",
        _sqlite_return("OLD"),
    ),
    (
        "returns_season_returns_upd",
        f"AFTER UPDATE ON returns_annualreturn WHEN {SQLITE_RETURN_CHANGED}",
        _sqlite_return("OLD") + _sqlite_return("NEW"),
    ),
    (
        "returns_season_lines_ins",
        "AFTER INSERT ON returns_returnline",
        _sqlite_line("NEW"),
    ),
    (
        "returns_season_lines_del",
        "AFTER DELETE ON returns_returnline",
        _sqlite_line("OLD"),
    ),
    (
        "returns_season_lines_upd",
        f"AFTER UPDATE ON returns_returnline WHEN {SQLITE_LINE_CHANGED}",
        _sqlite_line("OLD") + _sqlite_line("NEW"),
    ),
    (
        "returns_season_years",
        "AFTER INSERT ON returns_reportingyear",
        _sqlite_renew("NEW.id", "0"),
    ),
    (
        "returns_season_years_upd",
        "AFTER UPDATE ON returns_reportingyear",
        _sqlite_renew("NEW.id", "0"),
    ),
    (
        "returns_season_frameworks",
        "AFTER UPDATE OF name ON frameworks_framework",
        SQLITE_ALL,
    ),
    (
        "returns_season_lots",
        "AFTER UPDATE OF framework_id ON frameworks_lot",
        SQLITE_ALL,
    ),
]


def install(execute, vendor: str) -> None:
    """Creates the triggers, or puts back any that are missing: `execute` runs one
    statement (with the drivers' placeholders, so `%%` is one `%`). Also run
    after every `migrate` (`returns.apps`): on SQLite, a later migration that
    rebuilds a table (Django copies it into a new one) loses its triggers."""
    if vendor == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {body} RETURN NULL; END $$"
            )
        for name, table, event, transition in PG_TRIGGERS:
            function = PG_TRIGGER_FUNCTION.get(name, name)
            referencing = f"REFERENCING {transition}" if transition else ""
            execute(
                f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table}"
                f" {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    elif vendor == "sqlite":
        for name, when, body in SQLITE_TRIGGERS:
            execute(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {body} END")
    else:
        # Without its triggers the completion page's cache would keep stale figures:
        # refuse the migration on a database the portal does not run on, clearly.
        raise ImproperlyConfigured(
            "The completion figures' triggers are written for PostgreSQL and SQLite, "
            f"the portal's two databases; this database is {vendor}."
        )


def installed(cursor, vendor: str) -> set[str]:
    """The names of this migration's triggers the database has."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'returns_season_%%'", ()
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'returns_season_%%'",
            (),
        )
    return {row[0] for row in cursor.fetchall()}


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    install(schema_editor.execute, vendor)
    random = (
        "md5(random()::text || clock_timestamp()::text || id)"
        if vendor == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    # The years there are now: every later change renews (or adds) a row.
    schema_editor.execute(
        f"INSERT INTO {TABLE} (year_id, shard, token) SELECT id, 0, {random}"
        " FROM returns_reportingyear"
    )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, table, _, _ in PG_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in PG_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name, _, _ in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0015_merge_0013_contract_summary_0014_i23_review"),
        ("frameworks", "0004_import_run"),
    ]

    operations = [
        migrations.CreateModel(
            name="SeasonFiguresToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("token", models.CharField(max_length=64)),
                (
                    "year",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="returns.reportingyear",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("year", "shard"), name="season_token_year_shard"
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop),
    ]
