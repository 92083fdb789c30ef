"""The crawl of the demo: as each demo login, every link, GET form and download that
person can reach from their home page works, and every number on it reads right.

The demo is loaded once for the module (scale 1, dated `TODAY`), inside a
transaction rolled back at the end; each login is its own test. A new page needs
nothing here: if it is linked from a page someone can reach, the crawl fetches it.
A new demo login needs a row in `CRAWLED_LOGINS`.

Each distinct URL pattern is fetched at most `PER_PATTERN` times (see
`tests.crawl.pattern_of`), which keeps the walk of every login to seconds. With
`CRAWL_DUMP=/tmp/crawl-` each login's fetched URLs and problems are written to
`/tmp/crawl-<email>`.
"""

import datetime
import os
import time
from dataclasses import dataclass

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from demo.load import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from tests import factories
from tests.crawl import Crawler

TODAY = datetime.date(2026, 5, 1)  # the latest year in season, two approved before it
PER_PATTERN = 4


@dataclass(frozen=True)
class CrawledLogin:
    email: str
    two_factor: bool  # the team and administrators sign in with a code
    skip_prefixes: tuple[str, ...] = ()


# Every demo login, and how it signs in. The Django admin (`/admin/`) is Django's
# own: its pages are walked too, but only a few of each.
CRAWLED_LOGINS = (
    CrawledLogin("admin@example.org", two_factor=True),
    CrawledLogin("team@example.org", two_factor=True),
    CrawledLogin("supplier@example.org", two_factor=False),
    CrawledLogin("supplier2@example.org", two_factor=False),
    CrawledLogin("member@example.org", two_factor=False),
)
# A different authenticator secret per person: a code is single use per person.
SECRETS = {
    "admin@example.org": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA",
    "team@example.org": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXB",
}


def test_every_demo_login_is_crawled():
    assert {login.email for login in CRAWLED_LOGINS} == {
        login.email for login in DEMO_LOGINS
    }


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The scale-1 demo, loaded once and rolled back after the module."""
    noon = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12)))
    with (
        time_machine.travel(noon, tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        load_demo(today=TODAY, scale=1)
        for email, secret in SECRETS.items():
            factories.give_totp(User.objects.get(email=email), secret)
        yield
        transaction.set_rollback(True)


def signed_in(login: CrawledLogin) -> Client:
    """A browser signed in as a person would: password, then the code if asked."""
    # A server error is a finding like a 404, not an exception in the test.
    client = Client(raise_request_exception=False)
    response = client.post(
        "/accounts/login/", {"login": login.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, f"{login.email} could not sign in"
    if login.two_factor:
        assert response["Location"] == "/accounts/2fa/authenticate/"
        secret = SECRETS[login.email]
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = client.post("/accounts/2fa/authenticate/", {"code": code})
        assert response.status_code == 302, f"{login.email}: the code was refused"
    return client


@pytest.mark.parametrize("login", CRAWLED_LOGINS, ids=lambda login: login.email)
def test_every_link_download_and_number_works_for(login, demo_world, db):
    client = signed_in(login)
    report = Crawler(
        client, per_pattern=PER_PATTERN, skip_prefixes=login.skip_prefixes
    ).run("/")

    if os.environ.get("CRAWL_DUMP"):  # e.g. CRAWL_DUMP=/tmp/crawl-: what it saw
        with open(os.environ["CRAWL_DUMP"] + login.email, "w") as out:
            out.write("\n".join(report.fetched) + "\n\n" + report.describe(100000))
    assert len(report.fetched) >= 8, report.fetched  # it really walked
    assert report.downloads, "no download was reached"  # and read some back
    assert not report.problems, (
        f"{len(report.problems)} problems crawling as {login.email} "
        f"({len(report.fetched)} fetched):\n{report.describe()}"
    )
