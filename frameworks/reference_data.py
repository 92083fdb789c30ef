"""Loads every UK local authority from frameworks/data/local_authorities.csv.

Contains local authority data from mySociety, CC BY 4.0. Called by a data migration
(with the historical model) and by tests that need it back after a flush.
"""

import csv
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "local_authorities.csv"


def load_local_authorities(LocalAuthority) -> int:  # noqa: N803 (a model class)
    """Creates the authorities that are missing; returns how many it created."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(LocalAuthority.objects.values_list("code", flat=True))
    created = LocalAuthority.objects.bulk_create(
        [
            LocalAuthority(
                code=row["code"],
                name=row["name"],
                official_name=row["official_name"],
                nation=row["nation"],
                region=row["region"],
                kind=row["kind"],
                is_current=row["is_current"] == "True",
                ended_on=date.fromisoformat(row["ended_on"])
                if row["ended_on"]
                else None,
            )
            for row in rows
            if row["code"] not in existing
        ]
    )
    if created:
        by_code = {la.code: la for la in LocalAuthority.objects.all()}
        for row in rows:
            if row["replaced_by"]:
                authority = by_code[row["code"]]
                authority.replaced_by = by_code[row["replaced_by"]]
                authority.save(update_fields=["replaced_by"])
    return len(created)
