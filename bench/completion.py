"""The completion page on the demo: its database time against the one SQL aggregate
that computes the same figures, in one run.

    python -m bench completion --scale=20 [--today=2026-07-08] [--runs=5] [--no-demo]

Loads the demo at that scale (idempotent). If no year has returns yet (issuing is not
on main), it makes a season of returns itself: one per supplier with contracts, a
line per contract, states spread as in a live season. Then it requests the page as the
demo team user `--runs` times and reports the median database time (every query, as
timed around the database driver), query count and wall time, beside the median time
of `returns.figures.completion` alone (one aggregate query).
"""

import argparse
import datetime
import random
import statistics
import time
import zoneinfo

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.measuring import QueryTimer
from tests.sessions import signed_in

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _season(today: datetime.date):
    """The latest year with returns, or a synthetic one made in bulk."""
    from frameworks.models import Contract
    from returns.models import AnnualReturn, ReportingYear, ReturnLine
    from returns.services.years import label_for, year_dates, year_open

    year = (
        ReportingYear.objects.filter(returns__isnull=False)
        .order_by("-starts_on")
        .first()
    )
    if year:
        return year, False
    first = today.year - 1 if today.month >= 4 else today.year - 2
    label = label_for(datetime.date(first, 4, 1))
    year = ReportingYear.objects.filter(label=label).first()
    if year is None:
        _, ends_on = year_dates(label)
        issue_on = max(
            ends_on + datetime.timedelta(days=1), today - datetime.timedelta(days=60)
        )
        year = year_open(
            label=label,
            issue_on=issue_on,
            deadline=max(
                today + datetime.timedelta(days=10),
                issue_on + datetime.timedelta(days=1),
            ),
        )
    year.issued_at = timezone.make_aware(
        datetime.datetime.combine(year.issue_on, datetime.time(7))
    )
    year.save(update_fields=["issued_at"])
    contracts = list(
        Contract.objects.filter(
            starts_on__lte=year.ends_on, ends_on__gte=year.starts_on
        )
        .exclude(status=Contract.Status.CANCELLED)
        .values("id", "supplier_id", "member_id", "lot_id", "local_authority_id")
    )
    by_supplier: dict[int, list[dict]] = {}
    for contract in contracts:
        by_supplier.setdefault(contract["supplier_id"], []).append(contract)
    rng = random.Random("bench:completion")
    S = AnnualReturn.Status
    returns = []
    for index, supplier_id in enumerate(sorted(by_supplier)):
        status = rng.choices(
            [
                S.NOT_STARTED,
                S.IN_PROGRESS,
                S.SUBMITTED,
                S.RETURNED,
                S.APPROVED,
                S.NOT_REQUIRED,
            ],
            weights=[30, 25, 20, 5, 17, 3],
        )[0]
        submitted = None
        if status in (S.SUBMITTED, S.RETURNED, S.APPROVED):
            day = year.issue_on + datetime.timedelta(
                days=rng.randint(0, max((today - year.issue_on).days, 0))
            )
            submitted = datetime.datetime.combine(
                day, datetime.time(rng.randint(8, 23)), LONDON
            )
        returns.append(
            AnnualReturn(
                reference=f"SV-{year.slug}-B{index:05d}",
                supplier_id=supplier_id,
                year=year,
                status=status,
                issued_at=year.issued_at,
                first_submitted_at=submitted,
                submitted_at=submitted,
            )
        )
    with transaction.atomic():
        AnnualReturn.objects.bulk_create(returns, batch_size=1000)
        ids = dict(
            AnnualReturn.objects.filter(year=year).values_list("supplier_id", "id")
        )
        ReturnLine.objects.bulk_create(
            [
                ReturnLine(
                    annual_return_id=ids[c["supplier_id"]],
                    contract_id=c["id"],
                    member_id=c["member_id"],
                    lot_id=c["lot_id"],
                    local_authority_id=c["local_authority_id"],
                    spend=150000,
                    target_credits=15,
                )
                for c in contracts
            ],
            batch_size=2000,
        )
    return year, True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench completion")
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--no-demo",
        action="store_true",
        help="Use the database as it is (the demo already loaded at this scale).",
    )
    args = parser.parse_args(argv)
    from .harness import setup_django

    setup_django()

    from accounts.models import User
    from demo.load import load_demo
    from returns.figures import completion
    from returns.models import AnnualReturn

    today = args.today or timezone.localdate()
    started = time.perf_counter()
    if not args.no_demo:
        load_demo(today=today, scale=args.scale)
    year, synthetic = _season(today)
    print(
        f"demo at scale {args.scale} ready in {time.perf_counter() - started:.1f}s; "
        f"year {year.label}: {AnnualReturn.objects.filter(year=year).count()} returns"
        f"{' (made by the benchmark: issuing is not on main)' if synthetic else ''}"
    )
    team_user = User.objects.get(email="team@example.org")
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=team_user).exists():
        # The team must have two factors; the demo's team login sets it up on first
        # sign-in. The benchmark gives it one so the page answers.
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(team_user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client(HTTP_HOST="127.0.0.1")
    signed_in(client, team_user)
    url = reverse("team:completion", kwargs={"slug": year.slug})
    assert client.get(url).status_code == 200, "the demo team user cannot open the page"

    page_db, page_wall, page_queries, aggregate_db = [], [], [], []
    for _ in range(args.runs):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            wall = time.perf_counter()
            response = client.get(url)
            page_wall.append(time.perf_counter() - wall)
        assert response.status_code == 200
        page_db.append(timer.seconds)
        page_queries.append(timer.count)
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            completion(year=year, today=today)
        assert timer.count == 1
        aggregate_db.append(timer.seconds)

    page = statistics.median(page_db) * 1000
    aggregate = statistics.median(aggregate_db) * 1000
    print(f"database: {connection.vendor}; runs: {args.runs} (medians)")
    print(
        f"completion page: {page:8.1f} ms database in {statistics.median(page_queries):.0f} queries, "
        f"{statistics.median(page_wall) * 1000:.1f} ms wall"
    )
    print(
        f"single aggregate: {aggregate:8.1f} ms database (returns.figures.completion)"
    )
    print(
        f"page database time / aggregate: {page / aggregate if aggregate else float('nan'):.1f}x"
    )
    return 0
