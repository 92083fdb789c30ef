"""The default measure catalogue (see measures.md) and the two staff groups."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "measures.csv"
GROUPS = ["Social value team", "Portal administrators"]


def load(apps, schema_editor):
    Measure = apps.get_model("returns", "Measure")
    Group = apps.get_model("auth", "Group")
    with DATA.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Measure.objects.update_or_create(
                code=row["code"],
                defaults={
                    "position": int(row["position"]),
                    "name": row["name"],
                    "theme": row["theme"],
                    "unit": row["unit"],
                    "decimal_places": int(row["decimal_places"]),
                    "default_credits_per_unit": Decimal(row["default_credits_per_unit"]),
                    "part_of": row["part_of"].split() if row["part_of"] else [],
                    "outcome": "" if row["outcome"] == "—" else row["outcome"],
                    "guidance": row["guidance"],
                },
            )
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
