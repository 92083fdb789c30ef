"""The load test's people: contacts saving lines and submitting, the team paging the
supplier table, members viewing their contracts. Each simulated person signs in with
an account of their own (prepared by `bench/load_test.py`, listed in LOAD_USERS).

A contact's successful submissions are appended to LOAD_SUBMISSIONS (one reference per
line), so the runner can check each is in the database exactly once. Contacts explain
the flags their figures raise, as the line page asks (issue 23): with each save, and,
when a submission is refused for a flag on another contract, on that contract's page.

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
from html.parser import HTMLParser
from itertools import count
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
# A flag's explanation box left empty on the line page (templates/returns/supplier/
# _flag_warnings.html): the supplier must say why the figure is right.
UNEXPLAINED = re.compile(r'name="(explain__[a-z_]+__[A-Z0-9-]*)"[^>]*>\s*</textarea>')
ERROR_SUMMARY = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)
# The flags a figure typed in one measure may raise on its own line (issue 23's
# soft checks, and the same people figure on other contracts), by measure or for the
# whole line: a supplier who trips one explains it in the same save. An explanation
# of a flag the save does not leave is ignored (`lines.line_save`).
MEASURE_FLAGS = (
    "above_last_year",
    "below_last_year",
    "implausible_for_spend",
    "same_people",
)
LINE_FLAGS = ("above_target", "above_plan", "same_figure_everywhere")
EXPLANATION = "Load test: checked against the register, the figure is right"
REASONS = {
    "shortfall_reason": "Load test: recruitment later in the year",
    "recovery_plan": "Load test: more starts next quarter",
}
# Submissions refused for flags on other lines: how many of those lines a person
# explains before submitting again.
EXPLAIN_AT_MOST = 5
_pools = {kind: list(people) for kind, people in USERS.items() if kind != "meta"}


# 10.0.0.1, 10.0.0.2, …: one per simulated person (a private range).
_addresses = (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in count(1))


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


class _LineForm(HTMLParser):
    """The fields of the line page's form (the one carrying `version`), as a browser
    would post them unchanged: text inputs, ticked boxes, textareas."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None or not name:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self._form[name] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def line_form(html: str) -> dict[str, str]:
    parser = _LineForm()
    parser.feed(html)
    for form in parser.forms:
        if "version" in form:
            return form
    return {}


def explained(data: dict[str, str], html: str) -> dict[str, str]:
    """`data` with every empty explanation box on the page filled in."""
    for key in UNEXPLAINED.findall(html):
        data[key] = EXPLANATION
    return data


class Person(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = between(*THINK)

    def _headers(self, name: str) -> dict[str, str]:
        # As behind the load balancer of a real deployment (TRUSTED_PROXY_COUNT=1):
        # each person comes from an address of their own, so the sign-in rate
        # limits per address count one person each, as they would in production.
        return {**_tag(name), "X-Forwarded-For": self.address}

    def get(self, url: str, name: str, **kwargs):
        return self.client.get(url, name=name, headers=self._headers(name), **kwargs)

    def post(self, url: str, data: dict, name: str, **kwargs):
        return self.client.post(
            url, data, name=name, headers=self._headers(name), **kwargs
        )

    def on_start(self):
        self.person = _take(self.kind)
        self.address = next(_addresses)
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
        measure = fields[0].removeprefix("q_")
        data = {
            "csrfmiddlewaretoken": _csrf(page),
            "version": version.group(1) or version.group(2),
            fields[0]: str(random.randint(1, 40)),
            **REASONS,
            "recovery_by_day": "28",
            "recovery_by_month": "2",
            "recovery_by_year": str(time.localtime().tm_year + 1),
            # What the page would warn of as the figure is typed, explained.
            **{f"explain__{code}__{measure}": EXPLANATION for code in MEASURE_FLAGS},
            **{f"explain__{code}__": EXPLANATION for code in LINE_FLAGS},
        }
        explained(data, page.text)  # and the flags already on the line
        with self.post(url, data, name="save line", catch_response=True) as r:
            if r.status_code >= 500:
                r.failure(f"{r.status_code}")
            else:
                r.success()  # a refusal (conflict, rule) is an answer, not an error

    def explain_line(self, url: str) -> None:
        """What a supplier does when the submission names a contract with a flag to
        explain: opens it, explains each flag, saves the figures as they are."""
        page = self.get(url, name="line page (to explain)")
        data = line_form(page.text)
        if not data:
            return
        for name, text in REASONS.items():
            if name in data and not data[name].strip():
                data[name] = text
        explained(data, page.text)
        data["action"] = "return"
        with self.post(url, data, name="explain flags", catch_response=True) as r:
            if r.status_code >= 500:
                r.failure(f"{r.status_code}")
            else:
                r.success()

    @task(1)
    def submit(self):
        reference = self.person["reference"]
        page = self.get(f"/returns/{reference}/check/", name="check answers")
        if "/check/" not in page.url:
            return  # already submitted: the page sends you back to the return
        refused = self.post_submission(reference, page)
        if refused is None:
            return
        # Refused: the error summary links each contract with something to do.
        # Explain a few of them, then try again (the rest wait for the next time).
        found = ERROR_SUMMARY.search(refused.text)
        links = list(dict.fromkeys(LINE_LINK.findall(found.group(1) if found else "")))
        if not links:
            return
        for url in links[:EXPLAIN_AT_MOST]:
            self.explain_line(url)
        page = self.get(f"/returns/{reference}/check/", name="check answers")
        if "/check/" in page.url:
            self.post_submission(reference, page)

    def post_submission(self, reference: str, page):
        """Submits from the check answers page; the refusal page if refused."""
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
                return None
            response.success()
            if "/submitted/" in response.url:
                with open(SUBMISSIONS, "a") as out:
                    out.write(reference + "\n")
                return None
            return response

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
