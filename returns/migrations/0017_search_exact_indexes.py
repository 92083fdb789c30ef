"""The team search on PostgreSQL, for a common word: indexes for the parts of its
`OR` that had none (a supplier's or member's reference and a supplier's company
number matched exactly, case aside; a person's name anywhere in it), so each
search reads its matches by index (one `BitmapOr`) instead of scanning the
table. Additive; nothing on SQLite (the search matches plainly there)."""

from django.db import migrations

INDEXES = [
    (
        "search_supplier_reference_upper",
        "frameworks_supplier",
        "btree",
        "UPPER(reference)",
    ),
    (
        "search_supplier_company_upper",
        "frameworks_supplier",
        "btree",
        "UPPER(company_number)",
    ),
    ("search_member_reference_upper", "frameworks_member", "btree", "UPPER(reference)"),
    (
        "search_user_full_name_trgm",
        "accounts_user",
        "gin",
        "UPPER(full_name) gin_trgm_ops",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, method, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {method} ({expression})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0016_season_figures_token"),
        ("frameworks", "0004_import_run"),
        ("accounts", "0003_invitation_lifecycle"),
    ]

    operations = [migrations.RunPython(create, drop)]
