"""Suppliers' requests of the team (issue 21, parts 2 and 3): each made, decided each
way, emailed once each way through the ledger, the decision shown to both sides, a
second identical post changing nothing, and another supplier unable to see or act."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from returns import events
from returns.models import AnnualReturn, Notification, ReturnEvent, ReturnLine
from returns.selectors.desk import team_desk
from returns.services.submission import deadline_end
from support import services
from support.models import SupportRequest, TeamContact
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_the_season():
    """2 June 2025: the 2024/25 returns are due on 30 June."""
    with time_machine.travel(
        datetime.datetime(2025, 6, 2, 10, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def line(supplier):
    return factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
    )


@pytest.fixture
def annual_return(line):
    return line.annual_return


@pytest.fixture
def other_client(db):
    other = factories.SupplierContactFactory().user
    client = Client()
    signed_in(client, other)
    return client


def _emails(kind: str) -> list:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def _post(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


# ---------------------------------------------------------------------------
# Ask the team for help: the round trip


def test_help_round_trip_from_a_line(
    supplier_client,
    supplier_user,
    team_client,
    line,
    annual_return,
    other_client,
    django_capture_on_commit_callbacks,
):
    line_page = supplier_client.get(
        reverse("supplier:line", args=[annual_return.reference, line.pk])
    )
    ask_url = reverse("support:ask_line", args=[annual_return.reference, line.pk])
    assert ask_url in line_page.content.decode()
    form = {"message": "How do we count a part-time apprentice?", "call_me": "on"}
    refused = supplier_client.post(ask_url, form)
    assert refused.status_code == 400
    assert services.PHONE_NEEDED in refused.content.decode()
    form["phone"] = "01632 960 001"
    response = _post(supplier_client, ask_url, form, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    assert (support_request.line, support_request.call_me) == (line, True)
    assert ReturnEvent.objects.filter(kind=events.REQUEST_MADE).count() == 1
    # the team is emailed at its address, once
    [to_team] = _emails(Notification.Kind.SUPPORT_RAISED)
    assert to_team.status == Notification.Status.SENT
    assert to_team.address == settings.PORTAL_TEAM_EMAIL
    team_mail = [m for m in mail.outbox if m.to == [settings.PORTAL_TEAM_EMAIL]]
    assert "please call" in team_mail[0].subject
    assert "01632 960 001" in team_mail[0].body
    # a second identical post changes nothing
    _post(supplier_client, ask_url, form, django_capture_on_commit_callbacks)
    assert SupportRequest.objects.count() == 1
    assert len(_emails(Notification.Kind.SUPPORT_RAISED)) == 1
    assert ReturnEvent.objects.filter(kind=events.REQUEST_MADE).count() == 1

    # on the desk, linked to the list that counts it
    desk = team_client.get(reverse("team:home")).content.decode()
    assert reverse("support_team:list") in desk
    listing = team_client.get(reverse("support_team:list")).content.decode()
    detail_url = reverse("support_team:detail", args=[support_request.pk])
    assert detail_url in listing
    detail = team_client.get(detail_url).content.decode()
    review = team_client.get(
        reverse("team:review_detail", args=[annual_return.reference])
    ).content.decode()
    assert "Requests from the supplier" in review and detail_url in review
    assert reverse("team:review_detail", args=[annual_return.reference]) in detail
    assert reverse("team:line_attachments", args=[line.pk]) in detail

    # another supplier cannot see or answer it
    own_url = reverse(
        "support:request", args=[annual_return.reference, support_request.pk]
    )
    assert other_client.get(own_url).status_code == 404
    assert other_client.post(ask_url, form).status_code == 404
    assert other_client.post(detail_url, {"answer": "x"}).status_code == 403

    answer = {"answer": "Count them as one apprentice started."}
    mail.outbox.clear()
    assert (
        _post(
            team_client, detail_url, answer, django_capture_on_commit_callbacks
        ).status_code
        == 302
    )
    support_request.refresh_from_db()
    assert support_request.status == SupportRequest.Status.ANSWERED
    answered = _emails(Notification.Kind.SUPPORT_DECIDED)
    assert [row.recipient for row in answered] == [supplier_user]
    assert answered[0].status == Notification.Status.SENT
    [to_supplier] = mail.outbox
    assert to_supplier.to == [supplier_user.email]
    assert "Count them as one apprentice started." in to_supplier.body
    # a second identical answer changes nothing: no second email, no second event
    _post(team_client, detail_url, answer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert ReturnEvent.objects.filter(kind=events.REQUEST_DECIDED).count() == 1
    # both sides see it
    assert (
        "Count them as one apprentice started."
        in supplier_client.get(own_url).content.decode()
    )
    assert (
        "Count them as one apprentice started."
        in team_client.get(detail_url).content.decode()
    )
    task_list = supplier_client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    ).content.decode()
    assert "answered" in task_list and own_url in task_list


def test_a_different_answer_after_the_first_is_refused(
    supplier_user, team_user, annual_return
):
    support_request = services.help_request_raise(
        annual_return=annual_return, acting_user=supplier_user, message="Help"
    )
    services.help_request_answer(
        support_request=support_request, acting_user=team_user, answer="Yes"
    )
    with pytest.raises(Exception, match="already been answered"):
        services.help_request_answer(
            support_request=support_request, acting_user=team_user, answer="No"
        )


def test_only_the_suppliers_contacts_may_ask(annual_return):
    stranger = factories.SupplierContactFactory().user
    with pytest.raises(Exception, match="Only a contact of this supplier"):
        services.help_request_raise(
            annual_return=annual_return, acting_user=stranger, message="Hi"
        )


# ---------------------------------------------------------------------------
# More time


def test_more_time_granted_becomes_the_deadline_everywhere(
    supplier_client,
    supplier_user,
    team_client,
    annual_return,
    django_capture_on_commit_callbacks,
):
    url = reverse("support:extension", args=[annual_return.reference])
    form = {
        "deadline_0": "31",
        "deadline_1": "7",
        "deadline_2": "2025",
        "reason": "Our data lead is on leave.",
    }
    assert (
        _post(
            supplier_client, url, form, django_capture_on_commit_callbacks
        ).status_code
        == 302
    )
    _post(supplier_client, url, form, django_capture_on_commit_callbacks)
    support_request = SupportRequest.objects.get()
    assert support_request.requested_deadline == datetime.date(2025, 7, 31)
    # a different request for more time while one is open is refused
    other = {**form, "deadline_0": "15"}
    assert supplier_client.post(url, other).status_code == 400
    assert SupportRequest.objects.count() == 1

    detail_url = reverse("support_team:detail", args=[support_request.pk])
    decision = {
        "decision": "grant",
        "reason": "Granted: by the end of August.",
        "deadline_0": "29",
        "deadline_1": "8",
        "deadline_2": "2025",
    }
    mail.outbox.clear()
    _post(team_client, detail_url, decision, django_capture_on_commit_callbacks)
    _post(team_client, detail_url, decision, django_capture_on_commit_callbacks)
    annual_return.refresh_from_db()
    assert annual_return.extended_deadline == datetime.date(2025, 8, 29)
    assert annual_return.effective_deadline == datetime.date(2025, 8, 29)
    # the end of that day in London: before 23:00 UTC in summer time
    assert deadline_end(annual_return.effective_deadline) == datetime.datetime(
        2025, 8, 29, 22, 59, 59, 999999, tzinfo=datetime.UTC
    )
    assert ReturnEvent.objects.filter(kind=events.EXTENDED).count() == 1
    assert len(mail.outbox) == 1 and "29 August 2025" in mail.outbox[0].body
    task_list = supplier_client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    ).content.decode()
    assert "29 August 2025" in task_list
    # not overdue on the day after the year's deadline
    with time_machine.travel(datetime.datetime(2025, 7, 10, 12, tzinfo=datetime.UTC)):
        year = annual_return.year
        assert (
            team_desk(year=year, today=datetime.date(2025, 7, 10))
            .figure("overdue")
            .count
            == 0
        )


def test_more_time_refused_keeps_the_deadline(supplier_user, team_user, annual_return):
    support_request = services.extension_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        deadline=datetime.date(2025, 7, 31),
        reason="Busy",
    )
    with pytest.raises(Exception, match="Enter the reason"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=False,
            reason="",
        )
    services.support_request_decide(
        support_request=support_request,
        acting_user=team_user,
        grant=False,
        reason="Everyone else managed",
    )
    annual_return.refresh_from_db()
    assert annual_return.extended_deadline is None
    support_request.refresh_from_db()
    assert support_request.status == SupportRequest.Status.REFUSED
    # granting after refusing is refused
    with pytest.raises(Exception, match="already been refused"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Ok",
        )


def test_more_time_is_not_asked_for_a_submitted_return(supplier_user, annual_return):
    annual_return.status = AnnualReturn.Status.SUBMITTED
    annual_return.save()
    with pytest.raises(Exception, match="only while the return is not submitted"):
        services.extension_request_raise(
            annual_return=annual_return,
            acting_user=supplier_user,
            deadline=datetime.date(2025, 7, 31),
            reason="Busy",
        )


# ---------------------------------------------------------------------------
# Reopening


def test_reopen_a_submitted_return_granted(
    supplier_user, team_user, annual_return, django_capture_on_commit_callbacks
):
    annual_return.status = AnnualReturn.Status.SUBMITTED
    annual_return.save()
    ReturnEvent.objects.create(
        annual_return=annual_return, kind=events.SUBMITTED, snapshot={"lines": []}
    )
    with django_capture_on_commit_callbacks(execute=True):
        support_request = services.reopen_request_raise(
            annual_return=annual_return, acting_user=supplier_user, reason="Wrong spend"
        )
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Sent back: correct line 2",
        )
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Sent back: correct line 2",
        )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.RETURNED
    assert annual_return.returned_reason == "Sent back: correct line 2"
    # the submitted version is kept in its event
    assert ReturnEvent.objects.filter(kind=events.SUBMITTED).count() == 1
    assert ReturnEvent.objects.filter(kind=events.RETURNED).count() == 1
    assert len(_emails(Notification.Kind.SUPPORT_DECIDED)) == 1
    assert len(_emails(Notification.Kind.SUPPORT_RAISED)) == 1


def test_reopen_an_approved_return_needs_an_administrator(
    supplier_user, team_user, admin_user, annual_return
):
    annual_return.status = AnnualReturn.Status.APPROVED
    annual_return.save()
    support_request = services.reopen_request_raise(
        annual_return=annual_return, acting_user=supplier_user, reason="Wrong spend"
    )
    with pytest.raises(Exception, match="Only an administrator"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Ok",
        )
    services.support_request_decide(
        support_request=support_request, acting_user=admin_user, grant=True, reason="Ok"
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.RETURNED
    assert ReturnEvent.objects.filter(kind=events.REOPENED).count() == 1


def test_reopen_refused(supplier_user, team_user, annual_return):
    annual_return.status = AnnualReturn.Status.SUBMITTED
    annual_return.save()
    support_request = services.reopen_request_raise(
        annual_return=annual_return, acting_user=supplier_user, reason="Wrong spend"
    )
    services.support_request_decide(
        support_request=support_request,
        acting_user=team_user,
        grant=False,
        reason="The spend is right: it is the valuations'",
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED


def test_an_open_return_cannot_be_asked_to_reopen(supplier_user, annual_return):
    with pytest.raises(Exception, match="Only a submitted or approved return"):
        services.reopen_request_raise(
            annual_return=annual_return, acting_user=supplier_user, reason="x"
        )


# ---------------------------------------------------------------------------
# A missing contract


def _missing(supplier_user, annual_return, reference="C-MISSING"):
    return services.missing_contract_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        member=factories.MemberFactory(),
        contract_reference=reference,
        contract_title="Kitchens",
        spend=Decimal("150000"),
    )


def test_missing_contract_granted_adds_a_line_by_the_issuing_rules(
    supplier_user, team_user, annual_return, django_capture_on_commit_callbacks
):
    contract = factories.ContractFactory(
        reference="C-MISSING", supplier=annual_return.supplier
    )
    # Spend in 2024/25 is the valuations' (not the supplier's £150,000): £123,456.79
    factories.ValuationFactory(
        contract=contract,
        period_end=datetime.date(2024, 9, 30),
        amount=Decimal("100000.00"),
    )
    factories.ValuationFactory(
        contract=contract,
        period_end=datetime.date(2025, 3, 31),
        amount=Decimal("23456.79"),
    )
    factories.ValuationFactory(  # another year's: not counted
        contract=contract,
        period_end=datetime.date(2025, 6, 30),
        amount=Decimal("99999"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        support_request = _missing(supplier_user, annual_return)
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Added",
        )
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="Added",
        )
    line = ReturnLine.objects.get(annual_return=annual_return, contract=contract)
    assert line.spend == Decimal("123456.79")
    assert line.target_credits == Decimal("12.35")  # round half-up of 12.345679
    assert (line.member, line.lot) == (contract.member, contract.lot)
    support_request.refresh_from_db()
    assert support_request.added_line == line
    assert ReturnEvent.objects.filter(kind=events.LINE_ADDED).count() == 1
    assert len(_emails(Notification.Kind.SUPPORT_DECIDED)) == 1
    assert "£123,456.79" in mail.outbox[-1].body


def test_missing_contract_below_the_threshold_is_not_added(
    supplier_user, team_user, annual_return
):
    contract = factories.ContractFactory(
        reference="C-SMALL", supplier=annual_return.supplier
    )
    factories.ValuationFactory(
        contract=contract,
        period_end=datetime.date(2024, 9, 30),
        amount=Decimal("99999.99"),
    )
    support_request = _missing(supplier_user, annual_return, reference="C-SMALL")
    with pytest.raises(Exception, match="below the year's threshold"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="x",
        )
    assert not ReturnLine.objects.filter(contract=contract).exists()


def test_missing_contract_not_in_the_reference_data_or_another_suppliers(
    supplier_user, team_user, annual_return
):
    support_request = _missing(supplier_user, annual_return, reference="C-NOWHERE")
    with pytest.raises(Exception, match="There is no contract C-NOWHERE"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="x",
        )
    factories.ContractFactory(reference="C-THEIRS")
    with pytest.raises(Exception, match="not this supplier's"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="x",
            contract_reference="C-THEIRS",
        )


def test_missing_contract_refused_with_a_reason_both_sides_see(
    supplier_client,
    supplier_user,
    team_client,
    annual_return,
    other_client,
    django_capture_on_commit_callbacks,
):
    member = factories.MemberFactory(name="Northern Homes")
    url = reverse("support:missing_contract", args=[annual_return.reference])
    form = {
        "member": member.pk,
        "contract_reference": "C-42",
        "contract_title": "Windows",
        "spend": "120000",
        "message": "",
    }
    assert other_client.post(url, form).status_code == 404
    _post(supplier_client, url, form, django_capture_on_commit_callbacks)
    _post(supplier_client, url, form, django_capture_on_commit_callbacks)
    support_request = SupportRequest.objects.get()
    detail_url = reverse("support_team:detail", args=[support_request.pk])
    assert "There is no contract C-42 in the reference data" in (
        team_client.get(detail_url).content.decode()
    )
    factories.ContractFactory(reference="C-42", supplier=annual_return.supplier)
    assert "Contract C-42 is in the reference data" in (
        team_client.get(detail_url).content.decode()
    )
    decision = {"decision": "refuse", "reason": "C-42 is on your 2025/26 return"}
    _post(team_client, detail_url, decision, django_capture_on_commit_callbacks)
    own_url = reverse(
        "support:request", args=[annual_return.reference, support_request.pk]
    )
    page = supplier_client.get(own_url).content.decode()
    assert "Refused" in page and "C-42 is on your 2025/26 return" in page
    assert "£120,000.00" in page
    assert other_client.get(own_url).status_code == 404
    assert len(_emails(Notification.Kind.SUPPORT_DECIDED)) == 1


# ---------------------------------------------------------------------------
# The desk's count and its list


def test_the_desks_count_is_the_lists_rows(
    supplier_user, team_user, team_client, annual_return, django_assert_max_num_queries
):
    services.help_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        message="Call me",
        call_me=True,
        phone="01632 960 001",
    )
    answered = services.help_request_raise(
        annual_return=annual_return, acting_user=supplier_user, message="Another"
    )
    services.help_request_answer(
        support_request=answered, acting_user=team_user, answer="Done"
    )
    services.extension_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        deadline=datetime.date(2025, 7, 31),
        reason="Busy",
    )
    figure = team_desk(year=None, today=datetime.date(2025, 6, 2)).figure(
        "open_requests"
    )
    assert figure.count == 2
    assert "1 asking for a call" in figure.hint
    page = team_client.get(figure.url).content.decode()
    assert page.count(reverse("support_team:detail", args=[0]).replace("0/", "")) >= 2
    listed = team_client.get(figure.url).context["page_obj"].paginator.count
    assert listed == figure.count
    assert f"{figure.count} requests waiting for the team" in page
    with django_assert_max_num_queries(12):
        team_client.get(figure.url)


# ---------------------------------------------------------------------------
# The team's contact details


def test_contact_details_set_in_the_admin_show_in_every_footer(
    client, annual_return, django_capture_on_commit_callbacks
):
    admin = factories.AdministratorFactory()  # the group, not a superuser
    signed_in(client, admin)
    assert (
        settings.PORTAL_TEAM_EMAIL in client.get(reverse("help:index")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:support_teamcontact_add"),
            {
                "name": "Social value team",
                "email": "help@consortium.example",
                "phone": "0161 496 0000",
                "hours": "Monday to Friday, 9am to 5pm",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TeamContact.objects.get().phone == "0161 496 0000"
    for url in (reverse("home"), reverse("accessibility"), reverse("help:index")):
        page = Client().get(url).content.decode()
        assert "help@consortium.example" in page, url
        assert "0161 496 0000" in page, url
    assert (
        "Monday to Friday, 9am to 5pm"
        in Client().get(reverse("accessibility")).content.decode()
    )
    # requests then go to that address
    support_request = services.help_request_raise(
        annual_return=annual_return,
        acting_user=factories.SupplierContactFactory(
            supplier=annual_return.supplier
        ).user,
        message="Hello",
    )
    row = Notification.objects.get(key=f"support:{support_request.pk}")
    assert row.address == "help@consortium.example"


def test_guidance_answers_the_faq_and_is_linked_from_the_task_list_and_lines(
    supplier_client, annual_return, line
):
    page = Client().get(reverse("help:guidance")).content.decode()
    for words in (
        "framework agreement",
        "Quarterly valuations confirm what was spent",
        "delivery plan",
        "10 credits for every £100,000",
        "That is fantastic",
        "why, and whether it can be put right",
        "by the end of the contract, and not after",
        "last year's",
    ):
        assert words in page, words
    guidance = reverse("help:guidance")
    task_list = supplier_client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    ).content.decode()
    assert guidance in task_list
    assert reverse("support:ask", args=[annual_return.reference]) in task_list
    line_page = supplier_client.get(
        reverse("supplier:line", args=[annual_return.reference, line.pk])
    ).content.decode()
    assert guidance in line_page


@pytest.mark.parametrize(
    "name, data",
    [
        ("support:ask", {"message": "Hi"}),
        (
            "support:extension",
            {"reason": "x", "deadline_0": "1", "deadline_1": "8", "deadline_2": "2025"},
        ),
        ("support:reopen", {"reason": "x"}),
        (
            "support:missing_contract",
            {"contract_reference": "C", "contract_title": "T", "spend": "1"},
        ),
    ],
)
def test_another_supplier_cannot_ask_about_a_return(
    other_client, annual_return, name, data
):
    url = reverse(name, args=[annual_return.reference])
    assert other_client.get(url).status_code == 404
    assert other_client.post(url, data).status_code == 404
    assert not SupportRequest.objects.exists()


def test_a_supplier_cannot_decide_its_own_request(
    supplier_client, supplier_user, annual_return
):
    support_request = services.extension_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        deadline=datetime.date(2025, 7, 31),
        reason="Busy",
    )
    url = reverse("support_team:detail", args=[support_request.pk])
    assert (
        supplier_client.post(url, {"decision": "grant", "reason": "Me"}).status_code
        == 403
    )
    with pytest.raises(Exception, match="Only the social value team"):
        services.support_request_decide(
            support_request=support_request,
            acting_user=supplier_user,
            grant=True,
            reason="Me",
        )
    support_request.refresh_from_db()
    assert support_request.is_open


def test_the_walk_through_shows_a_built_screenshot_for_each_step(supplier_client):
    from django.contrib.staticfiles import finders

    from support.walkthrough import STEPS

    page = Client().get(reverse("help:how_to")).content.decode()
    for step in STEPS:
        assert step.title in page
        assert f"/static/{step.image}" in page
        assert finders.find(step.image), f"{step.image}: make help-screenshots"
    assert (
        reverse("help:how_to") in Client().get(reverse("help:index")).content.decode()
    )


def test_the_services_refuse_what_the_forms_refuse(
    supplier_user, team_user, annual_return
):
    from core import limits

    with pytest.raises(Exception) as refused:
        services.help_request_raise(
            annual_return=annual_return,
            acting_user=supplier_user,
            message="x" * (limits.MESSAGE + 1),
        )
    assert refused.value.message_dict == {
        "message": [limits.too_long("Your question", limits.MESSAGE)]
    }
    support_request = services.extension_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        deadline=datetime.date(2025, 7, 31),
        reason="Busy",
    )
    with pytest.raises(Exception) as refused:
        services.support_request_decide(
            support_request=support_request,
            acting_user=team_user,
            grant=True,
            reason="x" * (limits.NOTE + 1),
        )
    assert refused.value.message_dict == {
        "reason": [limits.too_long("The reason", limits.NOTE)]
    }
    assert not SupportRequest.objects.exclude(status="open").exists()


def test_a_granted_date_is_the_end_of_that_day_in_london_for_overdue_and_on_time(
    supplier_user, team_user, annual_return
):
    from zoneinfo import ZoneInfo

    from returns.services.submission import submitted_on_time

    london = ZoneInfo("Europe/London")
    support_request = services.extension_request_raise(
        annual_return=annual_return,
        acting_user=supplier_user,
        deadline=datetime.date(2025, 8, 29),
        reason="Busy",
    )
    services.support_request_decide(
        support_request=support_request, acting_user=team_user, grant=True, reason="Ok"
    )
    annual_return.refresh_from_db()
    year = annual_return.year
    on_the_day = team_desk(year=year, today=datetime.date(2025, 8, 29))
    assert on_the_day.figure("overdue").count == 0
    next_day = team_desk(year=year, today=datetime.date(2025, 8, 30))
    assert next_day.figure("overdue").count == 1
    annual_return.first_submitted_at = datetime.datetime(
        2025, 8, 29, 23, 59, tzinfo=london
    )
    assert submitted_on_time(annual_return) is True
    annual_return.first_submitted_at = datetime.datetime(
        2025, 8, 30, 0, 30, tzinfo=london
    )
    assert submitted_on_time(annual_return) is False


def test_the_teams_list_queries_do_not_grow_with_the_requests(
    team_client, supplier_user, annual_return
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            line = factories.ReturnLineFactory(annual_return=annual_return)
            services.help_request_raise(
                annual_return=annual_return,
                line=line,
                acting_user=supplier_user,
                message=f"Question {i} on {line.pk}",
            )

    url = reverse("support_team:list")
    add(2)
    team_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert team_client.get(url).status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as large:
        assert team_client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
