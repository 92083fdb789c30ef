"""Times the shortfall pages against the SQL aggregate they are built on.

    python -m bench shortfall --scale=20

Loads the demo consortium at `--scale` (600 contracts per unit), gives every supplier
a return in each of three years with a line per contract live that year (approved,
submitted or in progress, some lines excluded), then times, for each grouping, to date
and for the latest year: the page as the team gets it (through Django's test client,
so with sign-in, templates and paging), the `figures.shortfall_by` selector alone, and
the bare SQL aggregate (one GROUP BY per contract, then per group, in the database)
that is the floor. Prints one line per measurement, median of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import time
from decimal import Decimal

from tests.sessions import signed_in

from .harness import setup_django, test_database


def _build(scale: int, today: datetime.date) -> dict:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts.models import TEAM_GROUP, User
    from core.numbers import round_credits
    from demo.load import load_demo
    from frameworks.models import Contract, Supplier
    from returns.models import AnnualReturn, ReportingYear, ReturnLine

    load_demo(today=today, scale=scale)
    first = today.year - 3 if today.month >= 4 else today.year - 4
    years = []
    for y in range(first, first + 3):
        year, _ = ReportingYear.objects.get_or_create(
            label=f"{y}/{(y + 1) % 100:02d}",
            defaults={
                "starts_on": datetime.date(y, 4, 1),
                "ends_on": datetime.date(y + 1, 3, 31),
                "issue_on": datetime.date(y + 1, 4, 14),
                "deadline": datetime.date(y + 1, 6, 30),
                "issued_at": datetime.datetime(y + 1, 4, 14, tzinfo=datetime.UTC),
            },
        )
        years.append(year)
    suppliers = list(Supplier.objects.values_list("pk", flat=True))
    statuses = ["approved"] * 6 + ["submitted"] * 2 + ["in_progress"]
    AnnualReturn.objects.bulk_create(
        [
            AnnualReturn(
                reference=f"SV-B-{year.slug}-{pk:06d}",
                supplier_id=pk,
                year=year,
                status=random.Random(f"{year.pk}:{pk}").choice(statuses),
            )
            for year in years
            for pk in suppliers
        ],
        ignore_conflicts=True,
    )
    returns = {
        (r.year_id, r.supplier_id): r.pk
        for r in AnnualReturn.objects.filter(year__in=years)
    }
    contracts = list(
        Contract.objects.exclude(status=Contract.Status.CANCELLED).values(
            "pk", "supplier_id", "member_id", "lot_id", "starts_on", "ends_on"
        )
    )
    lines = []
    for year in years:
        for c in contracts:
            if c["starts_on"] > year.ends_on or c["ends_on"] < year.starts_on:
                continue
            rng = random.Random(f"{year.pk}:{c['pk']}")
            spend = Decimal(rng.randint(100_000, 2_000_000))
            target = round_credits(spend * 10 / 100_000)
            delivered = round_credits(target * Decimal(rng.uniform(0.3, 1.4)))
            lines.append(
                ReturnLine(
                    annual_return_id=returns[(year.pk, c["supplier_id"])],
                    contract_id=c["pk"],
                    member_id=c["member_id"],
                    lot_id=c["lot_id"],
                    spend=spend,
                    target_credits=target,
                    delivered_credits=delivered,
                    excluded_reason="Novated" if rng.random() < 0.02 else "",
                    excluded_at=(
                        datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
                        if rng.random() < 0.02
                        else None
                    ),
                )
            )
    ReturnLine.objects.bulk_create(lines, batch_size=5000, ignore_conflicts=True)
    team, _ = User.objects.get_or_create(
        email="bench-team@example.org", defaults={"full_name": "Bench"}
    )
    team.groups.add(Group.objects.get(name=TEAM_GROUP))
    if not Authenticator.objects.filter(user=team).exists():
        # The team must have two-factor set up, or every page sends it to set it up.
        TOTP.activate(team, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return {
        "team": team,
        "latest": years[-1],
        "lines": ReturnLine.objects.count(),
        "contracts": len(contracts),
    }


SQL_AGGREGATE = """
SELECT g, SUM(t), SUM(d), SUM(CASE WHEN t > d THEN t - d ELSE 0 END), COUNT(*)
FROM (
    SELECT {group} AS g, l.contract_id,
           SUM(l.target_credits) AS t,
           SUM(CASE WHEN r.status = 'approved' THEN l.delivered_credits ELSE 0 END) AS d
    FROM returns_returnline l
    JOIN returns_annualreturn r ON r.id = l.annual_return_id
    JOIN frameworks_lot lot ON lot.id = l.lot_id
    WHERE l.excluded_at IS NULL AND r.status <> 'not_required' {year}
    GROUP BY {group}, l.contract_id
) per_contract
GROUP BY g
"""
SQL_GROUPS = {
    "contract": "l.contract_id",
    "supplier": "r.supplier_id",
    "framework": "lot.framework_id",
    "member": "l.member_id",
}


def _median(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench shortfall")
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", type=datetime.date.fromisoformat)
    args = parser.parse_args(argv)
    setup_django()
    with test_database():
        _run(args)


def _run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from returns import figures

    today = args.today or datetime.date.today()
    started = time.perf_counter()
    world = _build(args.scale, today)
    print(
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"scale {args.scale}: {world['contracts']} contracts, {world['lines']} lines "
        f"(built in {time.perf_counter() - started:.1f}s)"
    )
    setup_test_environment()
    client = Client()
    signed_in(client, world["team"])
    latest = world["latest"]
    print(f"{'what':58} {'median ms':>10}")
    for period, year in (("to-date", None), (latest.slug, latest)):
        for group in ("contract", "supplier", "framework", "member"):
            url = reverse("team:shortfall")
            params = {"period": period, "by": group}

            def page(url=url, params=params):
                response = client.get(url, params)
                assert response.status_code == 200, response.status_code

            def selector(group=group, year=year):
                figures.shortfall_by(
                    group,
                    lines=figures.shortfall_lines(year=year),
                    to_date=year is None,
                )

            sql = SQL_AGGREGATE.format(
                group=SQL_GROUPS[group],
                year=f"AND r.year_id = {year.pk}" if year else "",
            )

            def aggregate(sql=sql):
                with connection.cursor() as cursor:
                    cursor.execute(sql)
                    cursor.fetchall()

            for label, run in (
                ("page", page),
                ("selector", selector),
                ("SQL aggregate", aggregate),
            ):
                ms = _median(run, args.repeat) * 1000
                print(f"{period:8} by {group:9} {label:38} {ms:10.1f}")
    for name in ("team:shortfall_at_risk", "team:shortfall_ended_short"):
        ms = _median(lambda n=name: client.get(reverse(n)), args.repeat) * 1000
        print(f"{name:58} {ms:10.1f}")
    print(f"load average: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
