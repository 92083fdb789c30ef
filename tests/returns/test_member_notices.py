"""Members are told (issue 22): a weekly email to a member's viewers listing the
contracts whose returns were approved, and one when a contract becomes at risk;
through the ledger, never twice, at most one approvals email a week; each kind can
be turned off; no unapproved figure in any of them. Over a simulated season."""

import datetime
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from returns.models import AnnualReturn, MemberEmailPreference, Notification
from returns.services.notifications.members import (
    member_email_preference_set,
    member_notices_send,
)
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status
UNAPPROVED_FIGURE = "77.77"


def at(day: datetime.date, hour: int = 7, minute: int = 15):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON),
        tick=False,
    )


def monday(day: datetime.date) -> datetime.date:
    assert day.weekday() == 0, day
    return day


def _approve(annual_return):
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=S.APPROVED, approved_at=timezone.now()
    )


def _line(member, year, *, reference, status=S.SUBMITTED, ends_on=None, **figures):
    contract = factories.ContractFactory(
        member=member,
        reference=reference,
        title=f"Works {reference}",
        ends_on=ends_on or datetime.date(2028, 3, 31),
    )
    return factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__supplier=contract.supplier,
        annual_return__status=status,
        contract=contract,
        **figures,
    )


def _emails_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def _run():
    mail.outbox.clear()
    return member_notices_send()


@pytest.fixture
def season():
    year = factories.ReportingYearFactory(first_year=2024)  # deadline 30 June 2025
    north = factories.MemberFactory(name="North Homes")
    south = factories.MemberFactory(name="South Homes")
    viewers = [factories.MemberViewerFactory(member=north).user for _ in range(2)]
    southerner = factories.MemberViewerFactory(member=south).user
    lines = {
        reference: _line(
            member,
            year,
            reference=reference,
            delivered_credits=D(UNAPPROVED_FIGURE) if reference == "C-A" else D("5"),
        )
        for reference, member in (
            ("C-A", north),
            ("C-B", north),
            ("C-C", south),
            ("C-D", north),
            ("C-E", north),
        )
    }
    return {
        "year": year,
        "north": north,
        "south": south,
        "viewers": viewers,
        "southerner": southerner,
        "lines": lines,
    }


def test_the_approvals_digest_over_a_season(season):
    lines = season["lines"]
    first, second = season["viewers"]
    southerner = season["southerner"]

    # Week 1: every return is in, none approved: nobody is told anything.
    with at(monday(datetime.date(2025, 7, 7))):
        assert _run()["emails"] == 0
    assert mail.outbox == []

    # C-A and C-B approved during week 2; C-C's return (South) awaits review.
    with at(datetime.date(2025, 7, 8), hour=11):
        AnnualReturn.objects.filter(pk=lines["C-A"].annual_return_id).update(
            status=S.APPROVED, approved_at=timezone.now()
        )
        lines["C-A"].delivered_credits = D("12.00")  # what was approved
        lines["C-A"].save(update_fields=["delivered_credits"])
    with at(datetime.date(2025, 7, 9), hour=15):
        _approve(lines["C-B"].annual_return)

    with at(monday(datetime.date(2025, 7, 14))):
        assert _run()["emails"] == 2
        for viewer in (first, second):
            (email,) = _emails_to(viewer)
            assert "C-A" in email.body and "C-B" in email.body
            assert "12.00 credits delivered" in email.body
            assert "2 contracts of North Homes" in email.subject
        assert _emails_to(southerner) == []
        # The same job again (a re-delivered task): nothing twice.
        assert _run()["emails"] == 0

    # C-C (South) and C-D (North) approved; the job run by hand on Friday tells
    # South's viewer, but North's viewers had theirs on Monday: not twice a week.
    with at(datetime.date(2025, 7, 16), hour=10):
        _approve(lines["C-C"].annual_return)
        _approve(lines["C-D"].annual_return)
    with at(datetime.date(2025, 7, 18), hour=16):
        assert _run()["emails"] == 1
        (email,) = _emails_to(southerner)
        assert "C-C" in email.body and "C-A" not in email.body

    # The second viewer turns the digest off; C-E is approved.
    member_email_preference_set(user=second, approved_digest=False, at_risk=True)
    with at(datetime.date(2025, 7, 19), hour=10):
        _approve(lines["C-E"].annual_return)
    with at(monday(datetime.date(2025, 7, 21))):
        assert _run()["emails"] == 1
        (email,) = _emails_to(first)
        assert "C-D" in email.body and "C-E" in email.body
        assert "C-A" not in email.body  # told once
        assert _emails_to(second) == []
    with at(monday(datetime.date(2025, 7, 28))):
        assert _run()["emails"] == 0

    # Every ledger row of the kind is sent once or skipped; none twice.
    sent = Notification.objects.filter(
        kind=Notification.Kind.MEMBER_APPROVED, status=Notification.Status.SENT
    )
    assert sent.filter(recipient=first).count() == 4  # C-A, C-B, C-D, C-E
    assert sent.filter(recipient=second).count() == 2  # C-A, C-B


def test_no_unapproved_figure_in_any_member_email(season):
    lines = season["lines"]
    with at(datetime.date(2025, 7, 8), hour=11):
        _approve(lines["C-B"].annual_return)
    bodies = []
    for day in (datetime.date(2025, 7, 7), datetime.date(2025, 7, 14)):
        with at(day):
            _run()
            bodies += [m.subject + m.body for m in mail.outbox]
    assert bodies
    assert all(UNAPPROVED_FIGURE not in body for body in bodies)
    assert all("C-A" not in body for body in bodies)


def test_a_return_reopened_before_the_email_goes_is_not_told(season):
    from returns.services.notifications.members import member_notices_queue

    line = season["lines"]["C-B"]
    with at(datetime.date(2025, 7, 8), hour=11):
        _approve(line.annual_return)
    with at(monday(datetime.date(2025, 7, 14))):
        queued = member_notices_queue()
        assert queued
        AnnualReturn.objects.filter(pk=line.annual_return_id).update(
            status=S.RETURNED, approved_at=None
        )
        from returns.services.notifications import notifications_send

        mail.outbox.clear()
        assert notifications_send(notification_ids=queued) == 0
    assert mail.outbox == []
    assert not Notification.objects.filter(status=Notification.Status.SENT).exists()


def test_a_contract_at_risk_is_told_once(season):
    north = season["north"]
    first, second = season["viewers"]
    ends = datetime.date(2026, 3, 31)
    short = _line(
        north,
        season["year"],
        reference="C-RISK",
        status=S.APPROVED,
        ends_on=ends,
        target_credits=D("40"),
        delivered_credits=D("10"),
    )
    AnnualReturn.objects.filter(pk=short.annual_return_id).update(
        approved_at=datetime.datetime(2025, 7, 1, tzinfo=LONDON)
    )
    member_email_preference_set(user=second, approved_digest=True, at_risk=False)
    # 2025-09-22 is 190 days before the end: not yet at risk.
    with at(monday(datetime.date(2025, 9, 22))):
        _run()
        assert all("at risk" not in m.subject for m in mail.outbox)
    with at(monday(datetime.date(2025, 9, 29))):  # 183 days: at risk
        _run()
        (email,) = [m for m in _emails_to(first) if "at risk" in m.subject]
        assert "C-RISK" in email.body
        assert "10.00 of 40.00 credits delivered to date, 30.00 short" in email.body
        assert "31 March 2026" in email.body
        assert [m for m in _emails_to(second) if "at risk" in m.subject] == []
    with at(monday(datetime.date(2025, 10, 6))):
        _run()
        assert [m for m in mail.outbox if "at risk" in m.subject] == []


def test_a_viewer_turns_each_kind_off_on_the_settings_page(season):
    first = season["viewers"][0]
    client = signed_in(Client(), first)
    url = reverse("member:email_settings")
    page = client.get(url).content.decode()
    assert page.count("checked") == 2  # both on until turned off
    assert client.post(url, {"at_risk": "on"}).status_code == 302
    preference = MemberEmailPreference.objects.get(user=first)
    assert (preference.approved_digest, preference.at_risk) == (False, True)
    # Another viewer's settings are their own: nothing in the URL names a person.
    other = season["viewers"][1]
    assert not MemberEmailPreference.objects.filter(user=other).exists()
    # Not for suppliers or the team.
    supplier = factories.SupplierContactFactory().user
    assert signed_in(Client(), supplier).get(url).status_code == 403


def test_the_job_is_on_the_weekly_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["send-member-notices"]
    assert entry["task"] == "returns.tasks.send_member_notices"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7}
    assert schedule.minute == {15}
