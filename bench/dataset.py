"""The large data set the suite measures: the demo at `--scale` and `--years` in its
own PostgreSQL database, built once and reused while its recipe is unchanged, plus
the people and the 300-line return the measurements need.

Every measurement that writes does so in a transaction it rolls back, so the data set
stays as built and a second `make bench` on the same day starts at once.
"""

from __future__ import annotations

import datetime
import subprocess
import time
from dataclasses import dataclass
from decimal import Decimal

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BENCH_TEAM = "bench-team@example.org"
BENCH_MEMBER = "bench-member@example.org"
BENCH_SUPPLIER = "bench-supplier@example.org"
BIG_RETURN = "SV-BENCH-300"
MARKER_TABLE = "bench_data_set"


@dataclass(frozen=True)
class Recipe:
    scale: int
    years: int
    today: datetime.date


def _psql(*commands: str, database: str = "postgres") -> str:
    arguments = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qAt"]
    for command in commands:
        arguments += ["-c", command]
    done = subprocess.run(arguments, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def database_exists(name: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def recreate_database(name: str, *, template: str | None = None) -> None:
    _psql(
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""),
    )


def built_recipe(name: str) -> Recipe | None:
    """What the database was built with, if the build finished."""
    if not database_exists(name):
        return None
    found = _psql(
        f"SELECT to_regclass('{MARKER_TABLE}') IS NOT NULL", database=name
    ).strip()
    if found != "t":
        return None
    row = _psql(f"SELECT scale, years, today FROM {MARKER_TABLE}", database=name)
    if not row:
        return None
    scale, years, today = row.split("|")
    return Recipe(int(scale), int(years), datetime.date.fromisoformat(today))


def build(name: str, recipe: Recipe, *, log) -> float:
    """A fresh database with the demo loaded as `recipe` says; returns seconds taken.
    Django must already be set up on this database."""
    from django.core.management import call_command
    from django.db import connection

    from demo.load import load_demo

    started = time.perf_counter()
    connection.close()
    recreate_database(name)
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - started:.0f}s; loading the demo")
    counts = load_demo(today=recipe.today, scale=recipe.scale, years=recipe.years)
    log(
        ", ".join(
            f"{count:,} {label.replace('_', ' ')}" for label, count in counts.items()
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (scale integer, years integer, today date)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)",
            [recipe.scale, recipe.years, recipe.today],
        )
    return time.perf_counter() - started


def counts() -> dict[str, int]:
    from demo.load import COUNTED

    return {label: model.objects.count() for label, model in COUNTED.items()}


def team_user():
    """A team member with two factors set up (every team page needs them)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts.models import TEAM_GROUP, User

    user, _ = User.objects.get_or_create(
        email=BENCH_TEAM, defaults={"full_name": "Bench Team"}
    )
    user.groups.add(Group.objects.get(name=TEAM_GROUP))
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, TOTP_SECRET)
    return user


def member_user():
    """A viewer for the member with the most contracts: the heaviest member page."""
    from django.db.models import Count

    from accounts.models import MemberViewer, User
    from frameworks.models import Member

    user, _ = User.objects.get_or_create(
        email=BENCH_MEMBER, defaults={"full_name": "Bench Member"}
    )
    if not MemberViewer.objects.filter(user=user).exists():
        member = (
            Member.objects.annotate(contracts_count=Count("contracts"))
            .order_by("-contracts_count", "pk")
            .first()
        )
        MemberViewer.objects.create(user=user, member=member)
    return user


def big_return(*, lines: int = 300):
    """A supplier's return with `lines` lines in the year in season, half of them
    with figures entered: the supplier's heaviest pages. Made once, in bulk."""
    from django.db import transaction

    from accounts.models import SupplierContact, User
    from core.numbers import round_credits
    from frameworks.models import Contract, Lot, Member, Supplier
    from returns.models import (
        AnnualReturn,
        Measure,
        ReportingYear,
        ReturnEntry,
        ReturnLine,
        YearMeasure,
    )
    from returns.services.credits import line_credits

    existing = AnnualReturn.objects.filter(reference=BIG_RETURN).first()
    if existing:
        return existing, User.objects.get(email=BENCH_SUPPLIER)
    year = (
        ReportingYear.objects.filter(issued_at__isnull=False)
        .order_by("-starts_on")
        .first()
    )
    member = Member.objects.order_by("pk").first()
    lot = Lot.objects.filter(is_consultancy=False).order_by("pk").first()
    measures = list(Measure.objects.filter(code__in=["EMP-FT", "VOL"]))
    rates = {
        ym.measure_id: ym.credits_per_unit
        for ym in YearMeasure.objects.filter(year=year)
    }
    quantity = Decimal(2)
    delivered = line_credits([(m.pk, quantity) for m in measures], rates)
    with transaction.atomic():
        supplier = Supplier.objects.create(
            reference="S-BENCH-300", name="Three Hundred Lines Ltd"
        )
        user = User.objects.create(email=BENCH_SUPPLIER, full_name="Bench Supplier")
        SupplierContact.objects.create(user=user, supplier=supplier, is_primary=True)
        contracts = Contract.objects.bulk_create(
            [
                Contract(
                    reference=f"C-BENCH-{number:04d}",
                    title=f"Bench works {number}",
                    member=member,
                    supplier=supplier,
                    lot=lot,
                    local_authority=member.local_authority,
                    value=Decimal("900000.00"),
                    starts_on=year.starts_on,
                    ends_on=year.ends_on + datetime.timedelta(days=730),
                )
                for number in range(lines)
            ]
        )
        annual_return = AnnualReturn.objects.create(
            reference=BIG_RETURN,
            supplier=supplier,
            year=year,
            status=AnnualReturn.Status.IN_PROGRESS,
            issued_at=year.issued_at,
        )
        made = ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    annual_return=annual_return,
                    contract=contract,
                    member=member,
                    lot=lot,
                    local_authority=member.local_authority,
                    spend=Decimal("300000.00"),
                    target_credits=round_credits(Decimal(30)),
                    delivered_credits=delivered if number % 2 == 0 else Decimal(0),
                )
                for number, contract in enumerate(contracts)
            ]
        )
        ReturnEntry.objects.bulk_create(
            [
                ReturnEntry(line=line, measure=measure, quantity=quantity)
                for line in made[::2]
                for measure in measures
            ]
        )
    return annual_return, user
