"""The default measure catalogue (measures.md) and the two staff groups.

Called by a data migration (with historical models) and by tests after a flush.
"""

import csv
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "measures.csv"
GROUPS = ("Social value team", "Portal administrators")


def load_default_measures(Measure) -> None:  # noqa: N803 (a model class)
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
                    "default_credits_per_unit": Decimal(
                        row["default_credits_per_unit"]
                    ),
                    "part_of": row["part_of"].split() if row["part_of"] else [],
                    "outcome": "" if row["outcome"] == "—" else row["outcome"],
                    "guidance": row["guidance"],
                },
            )


def ensure_groups(Group) -> None:  # noqa: N803 (a model class)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
