"""The load test's people: contacts saving lines and submitting, the team paging the
supplier table, members viewing their contracts. Each simulated person signs in with
an account of their own (prepared by `bench/load_test.py`, listed in LOAD_USERS).

A contact's successful submissions are appended to LOAD_SUBMISSIONS (one reference per
line), so the runner can check each is in the database exactly once.

People are `FastHttpUser`s (geventhttpclient): on two cores shared with the server,
requests' HTTP client cost several times the CPU, which the server's figures then paid
for. Every request carries `X-Load: <name>|<id>`, one id per locust request (kept on
the redirects it follows), which gunicorn writes to its access log with the time it
took: the runner sums the server's own time per locust request (bench/load_test.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
import uuid
from pathlib import Path

from locust import FastHttpUser, between, events, task

USERS = json.loads(Path(os.environ["LOAD_USERS"]).read_text())
SUBMISSIONS = os.environ["LOAD_SUBMISSIONS"]
# Seconds a person spends reading a page or typing figures before the next action.
THINK = tuple(float(n) for n in os.environ.get("LOAD_THINK", "5-15").split("-"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(
    r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"'
)
QUANTITY = re.compile(r'name="(q_[A-Z0-9-]+)"')
LINE_LINK = re.compile(r'href="(/returns/[^/"]+/contracts/\d+/)"')
_pools = {kind: list(people) for kind, people in USERS.items() if kind != "meta"}


def _take(kind: str) -> dict:
    return _pools[kind].pop() if _pools[kind] else random.choice(USERS[kind])


def totp_now(secret: str) -> str:
    """RFC 6238, as an authenticator app computes it (30 s steps, 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1)
    raw = digest.digest()
    offset = raw[-1] & 0x0F
    number = struct.unpack(">I", raw[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def _tag(name: str) -> dict[str, str]:
    """The header gunicorn logs: the request's name and an id of its own."""
    return {"X-Load": f"{name}|{uuid.uuid4().hex}"}


def _csrf(response) -> str:
    found = CSRF.search(response.text)
    return found.group(1) if found else ""


class Person(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = between(*THINK)

    def get(self, url: str, name: str, **kwargs):
        return self.client.get(url, name=name, headers=_tag(name), **kwargs)

    def post(self, url: str, data: dict, name: str, **kwargs):
        return self.client.post(url, data, name=name, headers=_tag(name), **kwargs)

    def on_start(self):
        self.person = _take(self.kind)
        page = self.get("/accounts/login/", name="sign in (form)")
        response = self.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": _csrf(page),
                "login": self.person["email"],
                "password": USERS["meta"]["password"],
            },
            name="sign in",
        )
        if "/accounts/2fa/authenticate/" in response.url:
            code = totp_now(self.person["totp"])
            self.post(
                "/accounts/2fa/authenticate/",
                {"csrfmiddlewaretoken": _csrf(response), "code": code},
                name="sign in (two-factor)",
            )


class Contact(Person):
    kind = "contacts"
    weight = 6

    @task(6)
    def save_a_line(self):
        reference = self.person["reference"]
        task_list = self.get(f"/returns/{reference}/", name="return task list")
        links = LINE_LINK.findall(task_list.text)
        if not links:
            return
        url = random.choice(links)
        page = self.get(url, name="line page")
        version = VERSION.search(page.text)
        fields = QUANTITY.findall(page.text)
        if not version or not fields:
            return
        data = {
            "csrfmiddlewaretoken": _csrf(page),
            "version": version.group(1) or version.group(2),
            fields[0]: str(random.randint(1, 40)),
            "shortfall_reason": "Load test: recruitment later in the year",
            "recovery_plan": "Load test: more starts next quarter",
            "recovery_by_day": "28",
            "recovery_by_month": "2",
            "recovery_by_year": str(time.localtime().tm_year + 1),
        }
        with self.post(url, data, name="save line", catch_response=True) as r:
            if r.status_code >= 500:
                r.failure(f"{r.status_code}")
            else:
                r.success()  # a refusal (conflict, rule) is an answer, not an error

    @task(1)
    def submit(self):
        reference = self.person["reference"]
        page = self.get(f"/returns/{reference}/check/", name="check answers")
        if "/check/" not in page.url:
            return  # already submitted: the page sends you back to the return
        with self.post(
            f"/returns/{reference}/check/",
            {
                "csrfmiddlewaretoken": _csrf(page),
                "declared_by_name": "Load Tester",
                # Issue 23's declaration: the figures are the supplier's own.
                "declared_own_figures": "yes",
            },
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code >= 500:
                response.failure(f"{response.status_code}")
                return
            response.success()
            if "/submitted/" in response.url:
                with open(SUBMISSIONS, "a") as out:
                    out.write(reference + "\n")

    @task(2)
    def home(self):
        self.get("/returns/", name="my returns")


class Team(Person):
    kind = "team"
    weight = 2

    @task
    def page_the_supplier_table(self):
        url = USERS["meta"]["team_table"]
        first = self.get(url, name="team supplier table")
        pages = [int(p) for p in re.findall(r"[?&]page=(\d+)", first.text)] or [1]
        self.get(
            f"{url}?page={random.randint(1, max(pages))}",
            name="team supplier table (page)",
        )


class Member(Person):
    kind = "members"
    weight = 2

    @task
    def view_contracts(self):
        self.get("/member/", name="member home")
        self.get(USERS["meta"]["member_page"], name="member year page")


@events.quitting.add_listener
def _summary(environment, **kwargs):
    stats = environment.stats.total
    print(
        json.dumps(
            {
                "requests": stats.num_requests,
                "failures": stats.num_failures,
                "rps": round(stats.total_rps, 1),
                "median_ms": stats.get_response_time_percentile(0.5),
                "p95_ms": stats.get_response_time_percentile(0.95),
            }
        )
    )
