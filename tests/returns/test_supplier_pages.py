"""The supplier's pages: my returns, the task list, a line, check answers, submit."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from returns.models import AnnualReturn, ReturnEntry, ReturnLine
from returns.services import line_save
from tests import factories

pytestmark = pytest.mark.django_db

MAY_2025 = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(MAY_2025, tick=False):
        yield


@pytest.fixture
def annual_return(supplier):
    return factories.AnnualReturnFactory(supplier=supplier)


@pytest.fixture
def line(annual_return):
    return factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("20.00")
    )


def line_url(line):
    return reverse(
        "supplier:line",
        kwargs={"reference": line.annual_return.reference, "line_id": line.pk},
    )


def task_list_url(annual_return):
    return reverse("supplier:return_detail", args=[annual_return.reference])


def post_line(client, line, version=None, follow=False, **fields):
    data = {"version": line.version if version is None else version, **fields}
    return client.post(line_url(line), data, follow=follow)


def test_my_returns_show_status_deadline_target_and_credits(supplier_client, supplier):
    current = factories.AnnualReturnFactory(
        supplier=supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    factories.ReturnLineFactory(
        annual_return=current,
        target_credits=Decimal("20.00"),
        delivered_credits=Decimal("7.50"),
    )
    factories.ReturnLineFactory(  # excluded lines count nowhere
        annual_return=current,
        target_credits=Decimal("99.00"),
        excluded_at=MAY_2025,
    )
    last_year = factories.AnnualReturnFactory(
        supplier=supplier,
        year=factories.ReportingYearFactory(first_year=2023),
        status=AnnualReturn.Status.APPROVED,
    )
    other = factories.AnnualReturnFactory()
    page = supplier_client.get(reverse("supplier:home")).content.decode()
    assert current.reference in page
    assert last_year.reference in page
    assert other.reference not in page
    assert "due in 60 days" in page  # 1 May to 30 June 2025
    assert "20.00" in page and "7.50" in page and "99.00" not in page


def test_an_overdue_return_says_how_many_days(supplier_user, annual_return):
    with time_machine.travel(
        datetime.datetime(2025, 7, 3, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        client = Client()
        client.force_login(supplier_user)
        page = client.get(reverse("supplier:home")).content.decode()
    assert "3 days overdue" in page


def test_the_task_list_shows_each_lines_status(supplier_client, annual_return):
    empty = factories.ReturnLineFactory(annual_return=annual_return)
    done = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("10")
    )
    line_save(line=done, user=None, expected_version=1, quantities={"EMP-FT": "1"})
    page = supplier_client.get(task_list_url(annual_return)).content.decode()
    assert empty.contract.reference in page
    assert "Not started" in page
    assert "Complete" in page
    assert "You have completed 1 of 2 contracts" in page
    assert "What are credits?" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("which", ["task_list", "line", "check"])
def test_the_return_pages_queries_do_not_grow_with_lines(
    supplier_client, annual_return, which
):
    def add_lines(count):
        for _ in range(count):
            added = factories.ReturnLineFactory(annual_return=annual_return)
            factories.ReturnEntryFactory(line=added)
            factories.DeliveryPlanItemFactory(contract=added.contract)

    add_lines(5)
    first = ReturnLine.objects.filter(annual_return=annual_return).first()
    url = {
        "task_list": task_list_url(annual_return),
        "line": line_url(first),
        "check": reverse("supplier:check", args=[annual_return.reference]),
    }[which]
    supplier_client.get(url)  # warm the session
    at_5 = _queries(supplier_client, url)
    add_lines(45)
    at_50 = _queries(supplier_client, url)
    assert at_5 == at_50, f"{which}: {at_5} queries at 5 lines, {at_50} at 50"


def test_the_line_page_shows_the_contract_plan_and_last_year(supplier_client, line):
    factories.DeliveryPlanItemFactory(
        contract=line.contract,
        measure=factories.measure("APP-NEW"),
        committed_quantity=Decimal("6"),
    )
    last_year_line = factories.ReturnLineFactory(
        annual_return__supplier=line.annual_return.supplier,
        annual_return__year=factories.ReportingYearFactory(first_year=2023),
        contract=line.contract,
    )
    factories.ReturnEntryFactory(
        line=last_year_line, measure=factories.measure("TRN"), quantity=14
    )
    page = supplier_client.get(line_url(line)).content.decode()
    assert line.contract.title in page
    assert line.member.name in page
    assert "£200,000.00" in page
    assert "Delivery plan: 6 people over the contract." in page
    assert "Last year: 14 people." in page
    assert "Employment" in page and "Supply chain" in page
    assert 'inputmode="numeric"' in page


def test_saving_without_javascript_shows_the_right_totals(supplier_client, line):
    response = post_line(
        supplier_client,
        line,
        follow=True,
        action="stay",
        **{"q_EMP-FT": "1", "q_VOL": "10.5"},
    )
    assert response.redirect_chain[-1][0] == line_url(line)
    page = response.content.decode()
    assert "10.53 credits delivered of a target of 20.00" in page
    assert ReturnEntry.objects.filter(line=line).count() == 2


def test_save_and_go_back_returns_to_the_task_list(supplier_client, line):
    response = post_line(supplier_client, line, action="return", **{"q_EMP-FT": "2"})
    assert response.status_code == 302
    assert response["Location"] == task_list_url(line.annual_return)


def test_emp_bar_above_its_parts_is_refused_on_the_page(supplier_client, line):
    response = post_line(
        supplier_client, line, **{"q_EMP-FT": "1", "q_EMP-PT": "1", "q_EMP-BAR": "3"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert 'href="#id_q_EMP-BAR"' in page
    assert "EMP-FT + EMP-PT" in page
    assert 'value="3"' in page  # what they typed is kept
    assert not ReturnEntry.objects.exists()


def test_nothing_delivered_needs_a_reason(supplier_client, line):
    response = post_line(supplier_client, line, nothing_delivered="on")
    assert "Say why nothing was delivered" in response.content.decode()
    post_line(
        supplier_client,
        line,
        nothing_delivered="on",
        nothing_delivered_reason="The works were paused all year",
    )
    line.refresh_from_db()
    assert line.nothing_delivered_reason == "The works were paused all year"


def test_a_recovery_date_is_checked(supplier_client, line):
    response = post_line(
        supplier_client,
        line,
        **{
            "q_EMP-FT": "1",
            "recovery_by_day": "31",
            "recovery_by_month": "2",
            "recovery_by_year": "2026",
        },
    )
    assert "Enter a real date" in response.content.decode()
    response = post_line(
        supplier_client,
        line,
        **{
            "q_EMP-FT": "1",
            "shortfall_reason": "Slow start",
            "recovery_plan": "Apprentices",
            "recovery_by_day": "1",
            "recovery_by_month": "4",
            "recovery_by_year": "2027",
        },
    )
    assert "no later than the contract&#x27;s end, 31 March 2027" in (
        response.content.decode()
    )
    post_line(
        supplier_client,
        line,
        **{
            "q_EMP-FT": "1",
            "shortfall_reason": "Slow start",
            "recovery_plan": "Apprentices",
            "recovery_by_day": "31",
            "recovery_by_month": "3",
            "recovery_by_year": "2026",
        },
    )
    line.refresh_from_db()
    assert line.recovery_by == datetime.date(2026, 3, 31)


def test_a_conflict_shows_both_and_lets_you_keep_yours(supplier_client, supplier, line):
    colleague = factories.SupplierContactFactory(supplier=supplier).user
    opened_at = line.version
    line_save(
        line=line,
        user=colleague,
        expected_version=opened_at,
        quantities={"EMP-FT": "3"},
    )
    response = post_line(supplier_client, line, version=opened_at, **{"q_EMP-FT": "1"})
    page = response.content.decode()
    assert "Someone else changed this contract" in page
    assert "Keep my figures" in page and "Keep their figures" in page
    assert "3" in page and 'value="1"' in page
    line.refresh_from_db()
    assert line.entries.get().quantity == Decimal("3")
    # The form now carries their version: saving it keeps mine.
    post_line(supplier_client, line, version=line.version, **{"q_EMP-FT": "1"})
    line.refresh_from_db()
    assert line.entries.get().quantity == Decimal("1")


def test_a_submitted_return_is_read_only(supplier_client, supplier):
    line = factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
    )
    page = supplier_client.get(line_url(line)).content.decode()
    assert "you can read it but not change it" in page
    assert '<form method="post" novalidate data-line-form' not in page
    response = post_line(supplier_client, line, **{"q_EMP-FT": "1"})
    assert response.status_code == 302
    assert not ReturnEntry.objects.exists()


def test_a_returned_return_shows_the_teams_reason_and_is_editable(
    supplier_client, supplier
):
    line = factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.RETURNED,
        annual_return__returned_reason="Please check the apprentices figure",
    )
    page = supplier_client.get(task_list_url(line.annual_return)).content.decode()
    assert "Please check the apprentices figure" in page
    assert "Check your answers" in page
    post_line(supplier_client, line, **{"q_EMP-FT": "1"})
    assert ReturnEntry.objects.filter(line=line).exists()


def test_a_line_of_another_return_is_not_found(supplier_client, annual_return):
    own_return = annual_return
    elsewhere = factories.ReturnLineFactory()
    url = reverse(
        "supplier:line",
        kwargs={"reference": own_return.reference, "line_id": elsewhere.pk},
    )
    assert supplier_client.get(url).status_code == 404
    assert supplier_client.post(url, {"version": 1}).status_code == 404


def test_submitting_with_a_line_incomplete_names_the_line(
    supplier_client, annual_return
):
    done = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("10")
    )
    line_save(line=done, user=None, expected_version=1, quantities={"EMP-FT": "1"})
    missing = factories.ReturnLineFactory(annual_return=annual_return)
    response = supplier_client.post(
        reverse("supplier:check", args=[annual_return.reference]),
        {"declared_by_name": "Asha Patel", "declared_own_figures": "yes"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f"{missing.contract.reference} ({missing.contract.title})" in page
    assert line_url(missing) in page
    annual_return.refresh_from_db()
    assert annual_return.status != AnnualReturn.Status.SUBMITTED


def test_check_submit_confirm_and_receipt(
    supplier_client, supplier_user, annual_return, django_capture_on_commit_callbacks
):
    done = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("10")
    )
    line_save(line=done, user=None, expected_version=1, quantities={"EMP-FT": "2"})
    check = reverse("supplier:check", args=[annual_return.reference])
    page = supplier_client.get(check).content.decode()
    assert "Check your answers before submitting" in page
    assert "20.00 delivered of a target of 10.00" in page
    response = supplier_client.post(check, {"declared_by_name": ""})
    assert "Enter the full name" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = supplier_client.post(
            check, {"declared_by_name": "Asha Patel", "declared_own_figures": "yes"}
        )
    assert response["Location"] == reverse(
        "supplier:submitted", args=[annual_return.reference]
    )
    page = supplier_client.get(response["Location"]).content.decode()
    assert annual_return.reference in page
    assert supplier_user.email in page
    assert [m.to for m in mail.outbox] == [[supplier_user.email]]
    assert annual_return.reference in mail.outbox[0].subject
    # Now read-only: the check page goes back to the return.
    assert supplier_client.get(check).status_code == 302


def test_figures_typed_when_the_session_expired_are_shown_back_after_sign_in(
    supplier_user, line
):
    browser = Client()
    response = browser.post(
        line_url(line), {"version": 1, "q_EMP-FT": "4", "q_VOL": "12.5"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ReturnEntry.objects.exists()
    signed_in = browser.post(
        response["Location"],
        {"login": supplier_user.email, "password": factories.PASSWORD},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == line_url(line)
    page = browser.get(line_url(line)).content.decode()
    assert "We kept what you typed" in page
    assert 'value="4"' in page and 'value="12.5"' in page
    assert not ReturnEntry.objects.exists()  # nothing saved without them seeing it
    # Shown once: the next visit shows what is saved.
    assert "We kept what you typed" not in browser.get(line_url(line)).content.decode()


def test_member_viewers_cannot_edit(member_client, line):
    # The team can: it acts for a supplier (tests/returns/test_acting_for_supplier.py)
    assert post_line(member_client, line, **{"q_EMP-FT": "1"}).status_code == 403
    assert not ReturnEntry.objects.exists()


def test_opening_a_return_of_another_of_my_suppliers_switches_to_it(supplier_user):
    second = factories.SupplierContactFactory(user=supplier_user).supplier
    other_return = factories.AnnualReturnFactory(supplier=second)
    client = Client()
    client.force_login(supplier_user)
    assert client.get(task_list_url(other_return)).status_code == 200
    page = client.get(reverse("supplier:home")).content.decode()
    assert other_return.reference in page


def test_the_teams_comment_on_a_sent_back_line_shows_as_a_problem(
    supplier_client, supplier
):
    from returns.services.review import return_send_back

    line = factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.SUBMITTED,
    )
    return_send_back(
        annual_return=line.annual_return,
        user=factories.TeamUserFactory(),
        reason="Some figures look wrong",
        line_comments={line.pk: "Check the apprentices"},
    )
    page = supplier_client.get(task_list_url(line.annual_return)).content.decode()
    assert "There is a problem" in page
    assert "The social value team says: Check the apprentices" in page
    page = supplier_client.get(line_url(line)).content.decode()
    assert "Check the apprentices" in page


def test_an_open_query_shows_as_a_query_not_a_problem(supplier_client, line):
    from returns.models import LineQuery

    LineQuery.objects.create(
        line=line, raised_by=factories.UserFactory(), text="Is the spend right?"
    )
    page = supplier_client.get(task_list_url(line.annual_return)).content.decode()
    assert "There is a problem" not in page
    assert "Query open" in page and "govuk-tag--red" not in page
    assert "You asked the social value team a question about this contract" in page


# Sign-in and the return (5), the line and its context (5), then the save (the
# locks, entries, soft checks' facts, writes with history, the contract summary and
# its supplier's and member's group rows, the flags: SQLite's summary takes more
# than PostgreSQL's), then the unexplained flags. Double counting would add eight.
SAVE_QUERIES = 38


def _save_page(client, line, quantities):
    line.refresh_from_db()
    data = {"version": line.version, "shortfall_reason": "Later in the year"}
    data.update({f"q_{code}": value for code, value in quantities.items()})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(line_url(line), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return captured


def test_saving_a_line_in_a_return_of_many_reads_only_that_line(
    supplier_client, annual_return
):
    """Issue 25: a save changing no people figure looks at no other line (double
    counting is compared only when a people figure changes), and the page does not
    read the saved line again."""
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.IN_PROGRESS
    )
    lines = [factories.ReturnLineFactory(annual_return=annual_return) for _ in range(4)]
    for line in lines:
        factories.ReturnEntryFactory(line=line, quantity=Decimal("3"))
    supplier_client.get(line_url(lines[0]))  # warm the session
    captured = _save_page(supplier_client, lines[0], {"EMP-FT": "3", "VOL": "12"})
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "returns_evidence" not in sql and "returns_casestudy" not in sql
    assert len(captured) <= SAVE_QUERIES
    # A people figure changed: the return's SAME_PEOPLE flags are refreshed.
    captured = _save_page(supplier_client, lines[0], {"EMP-FT": "4", "VOL": "12"})
    assert "'people'" in " ".join(q["sql"] for q in captured.captured_queries)
