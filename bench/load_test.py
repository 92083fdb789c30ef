"""The load test: the portal under gunicorn (several workers) on PostgreSQL, a Celery
worker on Redis, and simulated people driven by locust, all on 127.0.0.1.

    python -m bench.load_test [--users 100] [--minutes 3] [--scale 2] [--workers 4]
                              [--template portal_bench] [--profile DIR] [--py-spy]

It builds a fresh database (`portal_load`), loads the demo, gives each simulated person
an account of their own, runs locust headless, then checks that every submission the
load test made is in the database exactly once. Prints one JSON line of results and
returns them to `bench` (which writes docs/benchmarks.md).

Beside locust's times (the client's: queueing, network and its own CPU included) it
reports the server's own: gunicorn's access log gives each request's time (`%(D)s`,
microseconds; `%(M)s`, milliseconds, is logged too) and the locust request it belongs
to (the `X-Load` header the locustfile sends), and a locust request's server time is
the sum over the requests it made (a form post and the page it is redirected to).
The server's time starts when a worker thread reads the request, so a wait in the
listen queue for a free thread is in locust's figure only.

`--profile DIR` runs the portal under bench/load/profiled_wsgi.py (cProfile and
query timing per request type; `python -m bench.load.profile_report DIR` ranks
them); `--py-spy` samples every gunicorn worker with py-spy for the whole run and
writes collapsed stacks beside the results. Both cost CPU: not for the suite's run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-test-password"
PORT = 8765


def _env(database_url: str, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": broker.rsplit("/", 1)[0] + "/9",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        # The portal's own sign-in rate limits, per person's address: locust sends
        # each simulated person's in X-Forwarded-For, as a load balancer would.
        # (All from 127.0.0.1, they shared one address's limits and its lock, whose
        # one-second wait a saturated machine overran: a 429 in a run.)
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_URL": "consolemail://",
        "CONN_MAX_AGE": "60",
    }


def _manage(env, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str], folder: Path, *, contacts: int, others: int) -> dict:
    """Accounts for the simulated people, written to a JSON file locust reads."""
    script = f"""
import json, secrets, base64
from bench.schema import relax
relax()  # columns of other branches' migrations in a shared data set: see bench/schema.py
from django.contrib.auth.models import Group
from django.urls import reverse
from accounts.models import TEAM_GROUP, MemberViewer, SupplierContact, User
from allauth.mfa.totp.internal.auth import TOTP
from returns.models import AnnualReturn, ReturnLine
from returns.selectors.years import current_reporting_year

year = current_reporting_year()
open_returns = list(
    AnnualReturn.objects.filter(year=year, status__in=["not_started", "in_progress"])
    .filter(lines__isnull=False).distinct().order_by("reference")[:{contacts}]
)
people = {{"contacts": [], "team": [], "members": []}}
for index, annual_return in enumerate(open_returns):
    user, _ = User.objects.get_or_create(email=f"load-contact-{{index}}@example.org",
        defaults={{"full_name": f"Load Contact {{index}}"}})
    user.set_password({PASSWORD!r}); user.save()
    SupplierContact.objects.get_or_create(user=user, supplier=annual_return.supplier)
    people["contacts"].append({{"email": user.email, "reference": annual_return.reference}})
team = Group.objects.get(name=TEAM_GROUP)
for index in range({others}):
    user, _ = User.objects.get_or_create(email=f"load-team-{{index}}@example.org",
        defaults={{"full_name": f"Load Team {{index}}"}})
    user.set_password({PASSWORD!r}); user.save(); user.groups.add(team)
    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    user.authenticator_set.all().delete()
    TOTP.activate(user, secret)
    people["team"].append({{"email": user.email, "totp": secret}})
member_ids = list(ReturnLine.objects.filter(annual_return__year=year)
    .values_list("member_id", flat=True).distinct()[:{others}])
for index, member_id in enumerate(member_ids):
    user, _ = User.objects.get_or_create(email=f"load-member-{{index}}@example.org",
        defaults={{"full_name": f"Load Member {{index}}"}})
    user.set_password({PASSWORD!r}); user.save()
    MemberViewer.objects.get_or_create(user=user, member_id=member_id)
    people["members"].append({{"email": user.email}})
def first_url(*candidates):
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:
            continue
    return "/"
people["meta"] = {{
    "password": {PASSWORD!r},
    "team_table": first_url(("team:completion", {{"slug": year.slug}}), ("team:home", {{}})),
    "member_page": first_url(("member:year", {{"year_slug": year.slug}}), ("member:home", {{}})),
    "year": year.label,
}}
print(json.dumps(people))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    people = json.loads(out.strip().splitlines()[-1])
    (folder / "users.json").write_text(json.dumps(people))
    return people


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def check_submissions(env, submissions_file: Path) -> dict:
    made = (
        [r for r in submissions_file.read_text().split() if r]
        if submissions_file.exists()
        else []
    )
    script = f"""
import json
from django.db.models import Count
from returns.models import AnnualReturn, ReturnEvent
made = {made!r}
events = dict(ReturnEvent.objects.filter(kind="submitted", annual_return__reference__in=made)
    .values_list("annual_return__reference").annotate(n=Count("id")))
statuses = dict(AnnualReturn.objects.filter(reference__in=made).values_list("reference", "status"))
load_events = ReturnEvent.objects.filter(kind="submitted", actor__email__startswith="load-contact-").count()
print(json.dumps({{"made": len(made), "distinct": len(set(made)),
    "exactly_once": sum(1 for r in set(made) if events.get(r) == 1),
    "submitted_status": sum(1 for r in set(made) if statuses.get(r) == "submitted"),
    "events_by_load_users": load_events}}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    found["ok"] = (
        found["made"]
        == found["distinct"]
        == found["exactly_once"]
        == found["submitted_status"]
        == found["events_by_load_users"]
    )
    return found


ACCESS_FORMAT = "%({x-load}i)s\t%(m)s\t%(s)s\t%(M)s\t%(D)s"


def server_times(access_log: Path) -> dict[str, dict]:
    """Per request name: the server's median and p95 milliseconds per locust
    request (summed over the requests it made), from gunicorn's access log."""
    import statistics

    per_request: dict[str, float] = {}
    names: dict[str, str] = {}
    for line in access_log.read_text().splitlines():
        tag, _method, _status, _ms, micro = line.split("\t")
        if "|" not in tag:
            continue  # the health check and anything else not sent by locust
        name, request_id = tag.rsplit("|", 1)
        per_request[request_id] = per_request.get(request_id, 0) + int(micro) / 1000
        names[request_id] = name
    by_name: dict[str, list[float]] = {}
    for request_id, ms in per_request.items():
        by_name.setdefault(names[request_id], []).append(ms)
    found = {}
    for name, times in [*by_name.items(), ("all", list(per_request.values()))]:
        times.sort()
        found[name] = {
            "requests": len(times),
            "median_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        }
    return found


def run(
    *,
    users: int = 100,
    minutes: float = 3,
    scale: int = 2,
    workers: int = 4,
    database: str = "portal_load",
    broker: str = "redis://127.0.0.1:6379/8",
    template: str | None = None,
    think: str = "5-15",
    spawn_rate: float = 2,
    threads: int = 4,
    profile: Path | None = None,
    py_spy: bool = False,
) -> dict:
    """With `template`, the database is a copy of that one (the suite's large data
    set) instead of a fresh demo at `scale`."""
    database_url = f"postgres://postgres@127.0.0.1:5432/{database}"
    env = _env(database_url, broker)
    # FILE_COPY (PostgreSQL 15+) copies the files instead of writing the whole copy
    # through the WAL, which was still being flushed while locust ran.
    create = f"CREATE DATABASE {database}" + (
        f" TEMPLATE {template} STRATEGY = FILE_COPY" if template else ""
    )
    # A template must have no other connection while it is copied: on a machine
    # shared with other runs on the data set, wait for a moment without one.
    deadline = time.monotonic() + 600
    while True:
        copied = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-q",
                "-c",
                f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                "-c",
                create,
            ],
            capture_output=True,
            text=True,
        )
        if copied.returncode == 0:
            break
        if "being accessed by other users" not in copied.stderr or (
            time.monotonic() > deadline
        ):
            raise RuntimeError(f"{create}: {copied.stderr.strip()}")
        time.sleep(5)
    _manage(env, "migrate", "--noinput", "-v0")
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CHECKPOINT"],
        check=True,
        capture_output=True,
    )
    if template is None:
        _manage(env, "load_demo", "--scale", str(scale))
    folder = Path(tempfile.mkdtemp(prefix="load-test-"))
    contacts = max(1, users * 6 // 10)
    people = prepare(env, folder, contacts=contacts, others=max(1, users // 5))
    submissions = folder / "submitted.txt"
    access_log = folder / "access.log"
    app, gunicorn_env, extra = "portal.wsgi", env, []
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        app = "bench.load.profiled_wsgi"
        gunicorn_env = {**env, "LOAD_PROFILE_DIR": str(profile)}
        extra = ["--config", "python:bench.load.gunicorn_profile"]
    processes, spies = [], []
    try:
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--concurrency=1",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    app,
                    *extra,
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--bind",
                    f"127.0.0.1:{PORT}",
                    "--timeout",
                    "60",
                    "--log-level",
                    "warning",
                    "--access-logfile",
                    str(access_log),
                    "--access-logformat",
                    ACCESS_FORMAT,
                ],
                cwd=ROOT,
                env=gunicorn_env,
            )
        )
        _wait_http(f"http://127.0.0.1:{PORT}/healthz/")
        if py_spy:
            spies = _spy(processes[-1].pid, folder, seconds=int(minutes * 60) + 30)
        locust = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench/load/locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                "--run-time",
                f"{int(minutes * 60)}s",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--csv",
                str(folder / "stats"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={
                **env,
                "LOAD_USERS": str(folder / "users.json"),
                "LOAD_SUBMISSIONS": str(submissions),
                "LOAD_THINK": think,
            },
            capture_output=True,
            text=True,
        )
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for spy in spies:  # each stops, and writes its stacks, as its worker exits
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=30)
    summary = next(
        (
            json.loads(line)
            for line in locust.stdout.splitlines()
            if line.startswith('{"requests"')
        ),
        None,
    )
    if summary is None:
        raise RuntimeError(
            f"locust printed no summary:\n{locust.stdout[-3000:]}\n{locust.stderr[-3000:]}"
        )
    by_name = []
    stats_csv = folder / "stats_stats.csv"
    if stats_csv.exists():
        import csv

        for row in csv.DictReader(stats_csv.open()):
            if row["Name"] != "Aggregated":
                by_name.append(
                    {
                        "name": row["Name"],
                        "requests": int(row["Request Count"]),
                        "failures": int(row["Failure Count"]),
                        "median_ms": float(row["Median Response Time"]),
                        "p95_ms": float(row["95%"]),
                    }
                )
    result = {
        **summary,
        "users": users,
        "minutes": minutes,
        "gunicorn_workers": workers,
        "gunicorn_threads": threads,
        "think_seconds": think,
        "spawn_rate": spawn_rate,
        "scale": scale,
        "data": f"a copy of {template}" if template else f"the demo at scale {scale}",
        "people": {k: len(v) for k, v in people.items() if k != "meta"},
        "submissions": check_submissions(env, submissions),
        "by_name": by_name,
        "server": server_times(access_log),
        "folder": str(folder),
    }
    return result


def _spy(master_pid: int, folder: Path, *, seconds: int) -> list:
    """py-spy on each gunicorn worker (the master's children), collapsed stacks."""
    import shutil

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    deadline = time.monotonic() + 30
    pids: list[str] = []
    while time.monotonic() < deadline and not pids:
        pids = children.read_text().split() if children.exists() else []
        time.sleep(0.5)
    return [
        subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                pid,
                "--duration",
                str(seconds),
                "--rate",
                "50",
                "--format",
                "raw",
                "--output",
                str(folder / f"py-spy.{pid}.txt"),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads", type=int, default=4, help="gunicorn threads per worker (gthread)"
    )
    parser.add_argument(
        "--think",
        default="5-15",
        help="Seconds between a person's actions, as MIN-MAX (default 5-15).",
    )
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument(
        "--database", default="portal_load", help="The copy's name (dropped first)."
    )
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--py-spy", action="store_true")
    parser.add_argument(
        "--template",
        default=None,
        help="Copy this database (e.g. portal_bench, the suite's) instead of a demo.",
    )
    args = parser.parse_args()
    result = run(
        users=args.users,
        minutes=args.minutes,
        scale=args.scale,
        workers=args.workers,
        template=args.template,
        think=args.think,
        spawn_rate=args.spawn_rate,
        threads=args.threads,
        profile=args.profile,
        py_spy=args.py_spy,
        database=args.database,
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
