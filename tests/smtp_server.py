"""A real SMTP server (aiosmtpd) on a free 127.0.0.1 port, for tests of what happens
when the mail server is down, slow, or refuses an address.

`MailServer.hold_at(n)` makes the n-th message wait (before or after it counts as
received) until `release()`: a test can kill a worker, or stop the server, with
exactly n-1 messages through and the n-th in flight.
"""

import asyncio
import email
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from django.test import override_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[tuple[str, str]] = []  # (to, subject), in order
        self.refused_addresses: set[str] = set()
        self._lock = threading.Lock()
        self._hold_at: int | None = None
        self._hold_counts = False
        self._seen = 0
        self.holding = threading.Event()
        self._release = threading.Event()
        self._controller: Controller | None = None

    # the knobs
    def refuse(self, address: str) -> None:
        """Answers 550 (mailbox unknown) for this address from now on."""
        self.refused_addresses.add(address.lower())

    def hold_at(self, n: int, *, counts_as_received: bool) -> None:
        """Makes the n-th message from now wait until `release()`. With
        `counts_as_received`, the server has it before it waits (a sender killed
        now never hears "250 OK" for a message that arrived: the repeat case)."""
        with self._lock:
            self._hold_at = self._seen + n
            self._hold_counts = counts_as_received
            self.holding.clear()
            self._release.clear()

    def release(self) -> None:
        self._release.set()

    # what arrived
    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def per_address(self) -> Counter:
        with self._lock:
            return Counter(to for to, _ in self.received)

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused_addresses:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self._seen += 1
            hold = self._hold_at is not None and self._seen == self._hold_at
            if not hold or self._hold_counts:
                for to in envelope.rcpt_tos:
                    self.received.append((to.lower(), message["Subject"] or ""))
        if hold:
            self.holding.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK: queued"

    # running it
    def start(self) -> "MailServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._release.set()  # a held handler must not keep the loop alive
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self):
        """Django settings that send through this server."""
        return override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=self.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=5,
        )


@contextmanager
def mail_server():
    server = MailServer().start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
