"""Loads every UK local authority. Contains local authority data from mySociety, CC BY 4.0."""

from django.db import migrations

from frameworks.reference_data import load_local_authorities


def load(apps, schema_editor):
    load_local_authorities(apps.get_model("frameworks", "LocalAuthority"))


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
