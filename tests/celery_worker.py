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
from contextlib import contextmanager, suppress
from pathlib import Path

from django.db import connection

from portal.celery import app


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


class Worker:
    """One detached worker process (with its pool) on `queue`, with `env` on top of
    the test's environment. `kill()` is a crash (SIGKILL to the whole process group:
    nothing is cleaned up, nothing acknowledged); `stop()` a warm shutdown."""

    def __init__(self, queue: str, env: dict | None = None):
        self.queue = queue
        self.env = env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="celery-worker-"))
        self.pidfile = self.folder / "worker.pid"
        self.logfile = self.folder / "worker.log"
        self.pid: int | None = None

    def start(self, timeout: float = 30.0) -> "Worker":
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "EMAIL_URL": "consolemail://",
            # Tasks a task queues go to this worker's queue too.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            **self.env,
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
                f"--pidfile={self.pidfile}",
                f"--logfile={self.logfile}",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
                "--concurrency=1",
                "--loglevel=INFO",
            ],
            env=env,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.monotonic() + timeout
        while "ready." not in self.log():
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker not ready: {self.log()[-2000:]}")
            time.sleep(0.2)
        self.pid = int(self.pidfile.read_text().strip())
        return self

    def log(self) -> str:
        return self.logfile.read_text() if self.logfile.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once, as when the
        machine dies."""
        if self.pid is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(os.getpgid(self.pid), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pid = None

    def stop(self) -> None:
        if self.pid is None:
            return
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while self.pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.pid = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed detached worker has no parent to reap it: a zombie is dead.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def new_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@contextmanager
def tasks_sent_to_workers():
    """Sends tasks to the broker instead of running them in-process."""
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous_eager


@contextmanager
def real_worker(timeout: float = 30.0, *, env: dict | None = None):
    """Yields the queue name; tasks must be sent with `queue=` it."""
    worker = Worker(new_queue(), env)
    worker.start(timeout)
    try:
        with tasks_sent_to_workers():
            yield worker.queue
    finally:
        worker.stop()


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    """Polls `condition` until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    return condition()
