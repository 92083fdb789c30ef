"""The completion page, the chasing list export and the chase history pages."""

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from returns import events
from returns.models import AnnualReturn, Reminder, ReturnEvent
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


@pytest.fixture(autouse=True)
def _after_the_deadline():
    with time_machine.travel(datetime.datetime(2025, 7, 5, 10, 0, tzinfo=LONDON)):
        yield


@pytest.fixture
def year():
    return factories.ReportingYearFactory()


def completion_url(year, **query):
    url = reverse("team:completion", kwargs={"slug": year.slug})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def make_returns(year, count, *, lot=None):
    made = []
    for index in range(count):
        annual_return = factories.issued_return(
            year=year,
            status=[S.NOT_STARTED, S.IN_PROGRESS, S.SUBMITTED][index % 3],
            first_submitted_at=datetime.datetime(2025, 6, 1, 9, tzinfo=LONDON)
            if index % 3 == 2
            else None,
        )
        factories.ReturnLineFactory(
            annual_return=annual_return, **({"contract__lot": lot} if lot else {})
        )
        factories.ReturnLineFactory(annual_return=annual_return)
        Reminder.objects.create(annual_return=annual_return, channel="phone", note="x")
        made.append(annual_return)
    return made


def test_the_page_shows_the_figures_and_the_suppliers(team_client, year):
    overdue, _, submitted = make_returns(year, 3)
    response = team_client.get(completion_url(year))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures["expected"], figures["submitted"], figures["overdue"]) == (3, 1, 2)
    page = response.content.decode()
    assert 'data-figure="completion_rate">33.3%' in page
    assert overdue.supplier.name in page and submitted.reference in page
    assert "Overdue" in page


def test_a_supplier_with_no_contact_shows_no_contact_in_red(team_client, year):
    factories.issued_return(year=year, contacts=0)
    page = team_client.get(completion_url(year)).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">No contact</strong>' in page


def test_the_table_filters_by_status_framework_and_overdue(team_client, year):
    roads = factories.LotFactory(framework__name="Roads")
    not_started, in_progress, submitted = make_returns(year, 3)
    factories.ReturnLineFactory(annual_return=in_progress, contract__lot=roads)
    extended = factories.issued_return(
        year=year, extended_deadline=datetime.date(2025, 7, 31)
    )

    def shown(**query):
        response = team_client.get(completion_url(year, **query))
        return {r.reference for r in response.context["page_obj"]}

    assert shown(status="submitted") == {submitted.reference}
    assert shown(status="open") == {
        not_started.reference,
        in_progress.reference,
        extended.reference,
    }
    assert shown(framework=roads.framework_id) == {in_progress.reference}
    assert shown(overdue="on") == {not_started.reference, in_progress.reference}
    assert shown(overdue="on", framework=roads.framework_id) == {in_progress.reference}


def test_the_table_sorts_by_deadline_and_by_supplier(team_client, year):
    late = factories.issued_return(
        year=year,
        supplier=factories.SupplierFactory(name="Aardvark"),
        extended_deadline=datetime.date(2025, 8, 1),
    )
    early = factories.issued_return(
        year=year, supplier=factories.SupplierFactory(name="Zebra")
    )
    by = {}
    for sort in ("supplier", "-deadline"):
        response = team_client.get(completion_url(year, sort=sort))
        by[sort] = [r.reference for r in response.context["page_obj"]]
    assert by["supplier"] == [late.reference, early.reference]
    assert by["-deadline"] == [late.reference, early.reference]
    response = team_client.get(completion_url(year, sort="deadline"))
    assert [r.reference for r in response.context["page_obj"]] == [
        early.reference,
        late.reference,
    ]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_and_the_export_keep_their_query_count_at_ten_times_the_rows(
    team_client, year
):
    lot = factories.LotFactory()
    last_year = factories.ReportingYearFactory(first_year=2023)
    make_returns(last_year, 2)
    make_returns(year, 4, lot=lot)
    url = completion_url(year, framework=lot.framework_id)
    export = reverse("team:chasing_list", kwargs={"slug": year.slug})
    small = (_queries(team_client, url), _queries(team_client, export))
    make_returns(year, 36, lot=lot)  # 40 rows: ten times as many, one page
    large = (_queries(team_client, url), _queries(team_client, export))
    assert small == large
    assert large[0] <= 25


def test_the_chasing_list_exports_as_xlsx_and_csv(team_client, year):
    annual_return = factories.issued_return(
        year=year, supplier=factories.SupplierFactory(name="=Formula Ltd")
    )
    nobody = factories.issued_return(year=year, contacts=0)
    url = reverse("team:chasing_list", kwargs={"slug": year.slug})
    response = team_client.get(url + "?overdue=on")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Supplier", "Supplier reference", "Return")
    assert {row[2] for row in rows[1:]} == {annual_return.reference, nobody.reference}
    assert "'=Formula Ltd" in {row[0] for row in rows[1:]}
    assert "No contact" in {row[10] for row in rows[1:]}
    response = team_client.get(url + "?format=csv")
    assert response["Content-Type"] == "text/csv"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 3 and lines[0][0] == "Supplier"


def test_selected_suppliers_are_sent_a_reminder_now(team_client, team_user, year):
    first, second, submitted = make_returns(year, 3)
    url = completion_url(year, overdue="on")
    response = team_client.post(
        url, {"selected": [first.reference, second.reference], "token": "t1"}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(channel="email", sent_by=team_user).count() == 2
    page = team_client.get(url).content.decode()
    assert "Reminder sent for 2 returns (2 emails)" in page
    # The same form again (a double click) sends nothing more.
    team_client.post(url, {"selected": [first.reference], "token": "t1"})
    assert len(mail.outbox) == 2
    response = team_client.post(
        url, {"selected": [submitted.reference], "token": "t2"}, follow=True
    )
    assert "only returns not started or in progress" in response.content.decode()
    assert len(mail.outbox) == 2


def test_the_chase_history_shows_automatic_and_manual_chasing(
    team_client, team_user, year
):
    from returns.services import reminders_send

    annual_return = factories.issued_return(year=year)
    reminders_send(today=datetime.date(2025, 7, 1))
    url = reverse("team:chase_history", kwargs={"reference": annual_return.reference})
    response = team_client.post(
        url, {"action": "record", "channel": "phone", "note": "Promised by Friday"}
    )
    assert response.status_code == 302
    team_client.post(url, {"action": "remind", "token": "x"})
    page = team_client.get(url).content.decode()
    assert "Promised by Friday" in page
    assert "(automatic)" in page and "1 day after the deadline" in page
    assert "Reminder sent by" in page
    assert annual_return.reminders.count() == 3
    response = team_client.post(url, {"action": "record", "channel": "phone"})
    assert response.status_code == 200
    assert "Say what was said or agreed" in response.content.decode()
    assert annual_return.reminders.count() == 3


def test_the_team_extends_a_deadline_and_marks_a_return_not_required(team_client, year):
    annual_return = factories.issued_return(year=year)
    url = reverse("team:return_extend", kwargs={"reference": annual_return.reference})
    response = team_client.post(
        url,
        {"deadline_0": "31", "deadline_1": "7", "deadline_2": "2025", "reason": ""},
    )
    assert (
        response.status_code == 200 and "Enter the reason" in response.content.decode()
    )
    response = team_client.post(
        url,
        {"deadline_0": "1", "deadline_1": "6", "deadline_2": "2025", "reason": "Ill"},
    )
    assert "must be after the year" in response.content.decode()
    response = team_client.post(
        url,
        {"deadline_0": "31", "deadline_1": "7", "deadline_2": "2025", "reason": "Ill"},
    )
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.extended_deadline == datetime.date(2025, 7, 31)

    url = reverse(
        "team:return_not_required", kwargs={"reference": annual_return.reference}
    )
    assert "Mark as not required" in team_client.get(url).content.decode()
    team_client.post(url, {"reason": "Contract novated"})
    annual_return.refresh_from_db()
    assert annual_return.status == S.NOT_REQUIRED
    assert "Mark as required again" in team_client.get(url).content.decode()
    team_client.post(url, {"reason": "Novation fell through"})
    annual_return.refresh_from_db()
    assert annual_return.status == S.NOT_STARTED
    assert list(
        ReturnEvent.objects.filter(annual_return=annual_return).values_list(
            "kind", flat=True
        )
    ) == [events.EXTENDED, events.NOT_REQUIRED, events.REQUIRED_AGAIN]


def test_last_year_at_the_same_point(team_client, year):
    last_year = factories.ReportingYearFactory(first_year=2023)  # deadline 30 Jun 2024
    for day in (datetime.date(2024, 6, 20), datetime.date(2024, 7, 4)):
        factories.issued_return(
            year=last_year,
            status=S.APPROVED,
            first_submitted_at=datetime.datetime(
                day.year, day.month, day.day, 12, tzinfo=LONDON
            ),
        )
    factories.issued_return(year=last_year)
    make_returns(year, 3)
    response = team_client.get(completion_url(year))
    comparison = response.context["comparison"]
    # Today is 5 days after the deadline: last year's same point is 5 July 2024.
    assert comparison["day"] == datetime.date(2024, 7, 5)
    assert (comparison["submitted"], comparison["expected"]) == (2, 3)
    weeks = {w.index: w for w in response.context["weeks"]}
    assert weeks[-1].last_year == 1  # 20 June 2024: the week before the deadline week
    assert weeks[1].last_year == 1  # 4 July 2024
    assert weeks[-4].this_year == 1  # 1 June 2025
    assert max(weeks) == 1  # the chart stops at today's week


def test_on_time_late_not_yet_due_and_overdue_show_as_counts_beside_their_rates(
    team_client, year
):
    """The page gave on time and late as rates only."""
    from tests.pages import Page

    make_returns(year, 3)  # not started and in progress (overdue); one on time
    late = factories.issued_return(
        year=year,
        status=S.SUBMITTED,
        first_submitted_at=datetime.datetime(2025, 7, 2, 9, tzinfo=LONDON),
    )
    page = Page(team_client.get(completion_url(year)).content.decode())
    assert page.figure("expected") == "4"
    for key, count, rate in (
        ("on_time", "1", "25%"),
        ("late", "1", "25%"),
        ("not_yet_due", "0", "0%"),
        ("overdue", "2", "50%"),
    ):
        assert page.figure(key) == count, key
        assert page.figure(f"{key}_rate") == rate, key

    export = reverse("team:chasing_list", kwargs={"slug": year.slug})
    book = load_workbook(io.BytesIO(team_client.get(export).content))
    summary = {
        row[0]: row[1:] for row in book["Completion"].iter_rows(values_only=True)
    }
    assert summary["Submitted on time"] == (1, 25)
    assert summary["Submitted late"] == (1, 25)
    assert summary["Not submitted, not yet due"] == (0, 0)
    assert summary["Overdue"] == (2, 50)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("On time or late")
    by_return = {row[2]: row[column] for row in rows[1:]}
    assert by_return[late.reference] == "Late"
    assert sorted(by_return.values()) == ["Late", "On time", "Overdue", "Overdue"]
    body = team_client.get(export, {"format": "csv"}).content.decode("utf-8-sig")
    assert f"{late.reference}," in body and body.count(",Overdue\r\n") == 2
