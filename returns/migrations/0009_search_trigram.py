"""The team search on PostgreSQL: the pg_trgm extension and trigram indexes for
`icontains` and word similarity on the names, titles, references and emails it
searches. Nothing on SQLite (the search falls back to plain matching there)."""

from django.db import migrations

INDEXES = [
    ("search_supplier_name_trgm", "frameworks_supplier", "UPPER(name)"),
    ("search_supplier_name_word_trgm", "frameworks_supplier", "name"),
    ("search_contract_title_trgm", "frameworks_contract", "UPPER(title)"),
    ("search_contract_title_word_trgm", "frameworks_contract", "title"),
    ("search_contract_reference_trgm", "frameworks_contract", "UPPER(reference)"),
    ("search_member_name_trgm", "frameworks_member", "UPPER(name)"),
    ("search_member_name_word_trgm", "frameworks_member", "name"),
    ("search_return_reference_trgm", "returns_annualreturn", "UPPER(reference)"),
    ("search_user_email_trgm", "accounts_user", "UPPER(email)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0008_email_delivery"),
        ("frameworks", "0004_import_run"),
        ("accounts", "0003_invitation_lifecycle"),
    ]

    operations = [migrations.RunPython(create, drop)]
