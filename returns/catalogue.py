"""The default measure catalogue (measures.md) and the two staff groups.

Called by a data migration (with historical models) and by tests after a flush.
"""

import csv
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "measures.csv"
GROUPS = ("Social value team", "Portal administrators")

# The £ of spend one person counted needs at least (issue 23's "implausible for the
# spend" check): more people on a line than spend ÷ this is flagged. Only measures
# counting people (measures.md) have one; the team edits them per year.
DEFAULT_SPEND_PER_UNIT = {
    "EMP-FT": Decimal("25000"),  # a year's full-time wage
    "EMP-PT": Decimal("12500"),
    "EMP-SUS": Decimal("25000"),
    "EMP-BAR": Decimal("12500"),  # a subset of the jobs created: the part-time bound
    "APP-NEW": Decimal("15000"),
    "APP-SUS": Decimal("15000"),
    "TRN": Decimal("1000"),
    "WEL": Decimal("500"),
}


def load_default_measures(Measure) -> None:  # noqa: N803 (a model class)
    # Migration 0002 calls this with a Measure from before the £-per-person field.
    has_spend_limit = any(
        f.name == "default_spend_per_unit" for f in Measure._meta.get_fields()
    )
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
                }
                | (
                    {"default_spend_per_unit": DEFAULT_SPEND_PER_UNIT.get(row["code"])}
                    if has_spend_limit
                    else {}
                ),
            )


def load_default_spend_limits(Measure, YearMeasure) -> None:  # noqa: N803
    """Each people-measure's default £ per person, on the catalogue and on every
    year's measures that have none yet (issue 23's data migration)."""
    for code, amount in DEFAULT_SPEND_PER_UNIT.items():
        Measure.objects.filter(code=code, default_spend_per_unit__isnull=True).update(
            default_spend_per_unit=amount
        )
        YearMeasure.objects.filter(
            measure__code=code, spend_per_unit__isnull=True
        ).update(spend_per_unit=amount)


def ensure_groups(Group) -> None:  # noqa: N803 (a model class)
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
