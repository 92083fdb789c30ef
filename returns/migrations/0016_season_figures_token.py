"""The completion figures token of each year (`SeasonFiguresToken`) and the triggers
that renew it on every change that moves the year's completion figures.

Triggers, not application code: every writer (the ORM, `QuerySet.update`, bulk
inserts, the hand-written SQL of issuing) goes through them. On PostgreSQL they are
statement-level with transition tables: a statement that changes no figure column
(a line's ordinary save) costs a join of its own rows and touches no token row, and
an issue of thousands of returns renews the year's token once. On SQLite they are
row-level with the same conditions. Additive: a new table, and triggers that only
write to it.
"""

import django.db.models.deletion
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


def _pg_renew(years_sql: str) -> str:
    """Renews the token of each year `years_sql` selects (a column `y`), in year
    order so that two statements never wait on each other's rows crosswise."""
    return f"""
        INSERT INTO {TABLE} (year_id, token)
        SELECT y, md5(random()::text || clock_timestamp()::text || y::text)
        FROM (SELECT DISTINCT y FROM ({years_sql}) years WHERE y IS NOT NULL
              ORDER BY y) distinct_years
        ON CONFLICT (year_id) DO UPDATE SET token = EXCLUDED.token;
    """


PG_FUNCTIONS = {
    "returns_season_returns_ins": _pg_renew("SELECT year_id AS y FROM new_rows"),
    "returns_season_returns_del": _pg_renew("SELECT year_id AS y FROM old_rows"),
    "returns_season_returns_upd": _pg_renew(
        "SELECT o.year_id AS y FROM old_rows o JOIN new_rows n ON n.id = o.id"
        f" WHERE {RETURN_CHANGED}"
        " UNION ALL SELECT n.year_id FROM old_rows o JOIN new_rows n ON n.id = o.id"
        f" WHERE {RETURN_CHANGED}"
    ),
    "returns_season_lines_ins": _pg_renew(
        "SELECT r.year_id AS y FROM returns_annualreturn r"
        " WHERE r.id IN (SELECT annual_return_id FROM new_rows)"
    ),
    "returns_season_lines_del": _pg_renew(
        "SELECT r.year_id AS y FROM returns_annualreturn r"
        " WHERE r.id IN (SELECT annual_return_id FROM old_rows)"
    ),
    "returns_season_lines_upd": _pg_renew(
        "SELECT r.year_id AS y FROM returns_annualreturn r WHERE r.id IN ("
        " SELECT o.annual_return_id FROM old_rows o JOIN new_rows n ON n.id = o.id"
        f" WHERE {LINE_CHANGED}"
        " UNION ALL SELECT n.annual_return_id FROM old_rows o JOIN new_rows n"
        f" ON n.id = o.id WHERE {LINE_CHANGED})"
    ),
    "returns_season_years": _pg_renew("SELECT id AS y FROM new_rows"),
    # A framework's name and a lot's framework: rare, and every year shows them.
    "returns_season_all": _pg_renew(f"SELECT year_id AS y FROM {TABLE}"),
}

# (trigger, table, event, transition tables, function, condition)
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


def _sqlite_renew(year: str) -> str:
    return (
        f"INSERT INTO {TABLE} (year_id, token) SELECT {year}, lower(hex(randomblob(16)))"
        f" WHERE {year} IS NOT NULL"
        " ON CONFLICT (year_id) DO UPDATE SET token = excluded.token;"
    )


def _sqlite_line_year(line: str) -> str:
    return (
        f"(SELECT year_id FROM returns_annualreturn WHERE id = {line}.annual_return_id)"
    )


SQLITE_RETURN_CHANGED = " OR ".join(
    f"OLD.{c} IS NOT NEW.{c}"
    for c in ("status", "source", "first_submitted_at", "extended_deadline", "year_id")
)
SQLITE_LINE_CHANGED = (
    "(OLD.excluded_at IS NULL) IS NOT (NEW.excluded_at IS NULL)"
    " OR OLD.lot_id IS NOT NEW.lot_id OR OLD.annual_return_id IS NOT NEW.annual_return_id"
)
SQLITE_ALL = f"UPDATE {TABLE} SET token = lower(hex(randomblob(16)));"
SQLITE_TRIGGERS = [
    (
        "returns_season_returns_ins",
        "AFTER INSERT ON returns_annualreturn",
        _sqlite_renew("NEW.year_id"),
    ),
    (
        "returns_season_returns_del",
        "AFTER DELETE ON returns_annualreturn",
        _sqlite_renew("OLD.year_id"),
    ),
    (
        "returns_season_returns_upd",
        f"AFTER UPDATE ON returns_annualreturn WHEN {SQLITE_RETURN_CHANGED}",
        _sqlite_renew("OLD.year_id") + _sqlite_renew("NEW.year_id"),
    ),
    (
        "returns_season_lines_ins",
        "AFTER INSERT ON returns_returnline",
        _sqlite_renew(_sqlite_line_year("NEW")),
    ),
    (
        "returns_season_lines_del",
        "AFTER DELETE ON returns_returnline",
        _sqlite_renew(_sqlite_line_year("OLD")),
    ),
    (
        "returns_season_lines_upd",
        f"AFTER UPDATE ON returns_returnline WHEN {SQLITE_LINE_CHANGED}",
        _sqlite_renew(_sqlite_line_year("OLD"))
        + _sqlite_renew(_sqlite_line_year("NEW")),
    ),
    (
        "returns_season_years",
        "AFTER INSERT ON returns_reportingyear",
        _sqlite_renew("NEW.id"),
    ),
    (
        "returns_season_years_upd",
        "AFTER UPDATE ON returns_reportingyear",
        _sqlite_renew("NEW.id"),
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


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ BEGIN {body} RETURN NULL; END $$"
            )
        for name, table, event, transition in PG_TRIGGERS:
            function = PG_TRIGGER_FUNCTION.get(name, name)
            referencing = f"REFERENCING {transition}" if transition else ""
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    elif vendor == "sqlite":
        for name, when, body in SQLITE_TRIGGERS:
            schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    else:
        raise NotImplementedError(vendor)
    # The years there are now: every later change renews (or adds) its row.
    random = (
        "md5(random()::text || clock_timestamp()::text)"
        if vendor == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    schema_editor.execute(
        f"INSERT INTO {TABLE} (year_id, token) SELECT id, {random}"
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
                    "year",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="returns.reportingyear",
                    ),
                ),
                ("token", models.CharField(max_length=64)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
