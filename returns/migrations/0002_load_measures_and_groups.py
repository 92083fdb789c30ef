"""The default measure catalogue (see measures.md) and the two staff groups."""

from django.db import migrations

from returns.catalogue import ensure_groups, load_default_measures


def load(apps, schema_editor):
    load_default_measures(apps.get_model("returns", "Measure"))
    ensure_groups(apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
