"""Start and stop a real Celery worker for a test, pointed at the test database.

The worker listens on a queue of its own, so no other worker on the same broker takes
the test's tasks, and it reads DATABASE_URL for pytest's `test_…` database.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from portal.celery import app


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


@contextmanager
def real_worker(timeout: float = 30.0):
    """Yields the queue name; tasks must be sent with `queue=` it."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    folder = Path(tempfile.mkdtemp(prefix="celery-worker-"))
    pidfile, logfile = folder / "worker.pid", folder / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "EMAIL_URL": "consolemail://",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--detach",
            f"--pidfile={pidfile}",
            f"--logfile={logfile}",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--concurrency=1",
            "--loglevel=INFO",
        ],
        env=env,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + timeout
        while "ready." not in (logfile.read_text() if logfile.exists() else ""):
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker not ready: {logfile.read_text()[-2000:]}")
            time.sleep(0.2)
        yield queue
    finally:
        app.conf.task_always_eager = previous_eager
        if pidfile.exists():
            pid = int(pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while pidfile.exists() and time.monotonic() < deadline:
                time.sleep(0.2)


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    """Polls `condition` until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    return condition()
