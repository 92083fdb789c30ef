"""Members confirm or dispute an approved line (issue 22): a dispute is a request on
the team's desk; the team keeps the figures with a reason or sends the return back;
member and supplier see the outcome; the line shows its check on the member's, the
team's and the supplier's pages; the report counts the confirmed lines."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from returns.models import AnnualReturn, MemberCheck, ReturnEvent
from returns.selectors import reports
from returns.selectors.desk import team_desk
from returns.selectors.member_checks import (
    confirmed_lines_count,
    open_member_disputes,
    open_member_disputes_count,
)
from returns.services import line_save, return_submit
from returns.services.member_checks import (
    NOT_APPROVED,
    REASON_NEEDED,
    REOPEN_NEEDS_ADMINISTRATOR,
    line_member_confirm,
    line_member_dispute,
    member_dispute_answer,
)
from returns.services.review import return_approve
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db
S = AnnualReturn.Status


@pytest.fixture
def story(django_capture_on_commit_callbacks):
    """An approved return with two lines on member A's contracts, filled in,
    submitted and approved through the real services."""
    member = factories.MemberFactory(name="North Homes")
    contact = factories.SupplierContactFactory(is_primary=True)
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=S.IN_PROGRESS
    )
    lines = []
    for reference in ("C-1", "C-2"):
        line = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            contract__member=member,
            target_credits=D("10"),
        )
        line_save(
            line=line, user=contact.user, expected_version=1, quantities={"EMP-FT": "1"}
        )
        lines.append(line)
    team = factories.TeamUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="A P",
            declared_own_figures=True,
        )
        return_approve(annual_return=annual_return, user=team)
    viewer = factories.MemberViewerFactory(member=member).user
    return {
        "member": member,
        "contact": contact,
        "annual_return": annual_return,
        "lines": lines,
        "team": team,
        "viewer": viewer,
    }


def _client(user):
    return signed_in(Client(), user)


def _contract_page(client, line):
    response = client.get(reverse("member:contract", args=[line.contract_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_confirms_a_line_and_every_page_shows_it(story):
    line = story["lines"][0]
    member_client = _client(story["viewer"])
    response = member_client.post(reverse("member:line_confirm", args=[line.pk]))
    assert response.status_code == 302
    assert MemberCheck.objects.get().kind == MemberCheck.Kind.CONFIRMED
    assert ReturnEvent.objects.filter(kind="member_confirmed").count() == 1
    assert "Confirmed by the member" in _contract_page(member_client, line)
    team_page = (
        _client(story["team"])
        .get(reverse("team:contract", args=[line.contract_id]))
        .content.decode()
    )
    assert 'data-check="confirmed"' in team_page
    assert "Confirmed by the member" in team_page
    supplier_page = (
        _client(story["contact"].user)
        .get(reverse("supplier:return_detail", args=[story["annual_return"].reference]))
        .content.decode()
    )
    assert "Confirmed by the member" in supplier_page
    year = story["annual_return"].year
    assert confirmed_lines_count(year=year) == 1
    assert reports.impact_report(year=year).lines_confirmed == 1


def test_a_dispute_is_a_request_on_the_desk_with_its_list(story):
    line = story["lines"][1]
    member_client = _client(story["viewer"])
    form = member_client.get(reverse("member:line_dispute", args=[line.pk]))
    assert form.status_code == 200
    empty = member_client.post(reverse("member:line_dispute", args=[line.pk]), {})
    assert "Enter why you think the figures are wrong" in empty.content.decode()
    entry_measure = line.entries.get().measure
    response = member_client.post(
        reverse("member:line_dispute", args=[line.pk]),
        {"measure": str(entry_measure.pk), "reason": "Only one person was hired"},
    )
    assert response.status_code == 302
    dispute = MemberCheck.objects.get()
    assert dispute.measure == entry_measure and dispute.is_open_dispute
    desk = team_desk(year=None, today=line.annual_return.year.deadline)
    figure = desk.figure("member_disputes")
    assert figure.count == 1 == open_member_disputes_count()
    assert figure.count == len(open_member_disputes())
    listed = _client(story["team"]).get(figure.url).content.decode()
    assert listed.count("data-dispute=") == figure.count
    assert "Only one person was hired" in listed
    assert "Disputed" in _contract_page(member_client, line)
    review = (
        _client(story["team"])
        .get(reverse("team:review_detail", args=[story["annual_return"].reference]))
        .content.decode()
    )
    assert "Disputed" in review and "Only one person was hired" in review
    assert reverse("team:member_dispute_answer", args=[dispute.pk]) in review


def test_the_team_keeps_the_figures_and_member_and_supplier_read_why(story):
    line = story["lines"][0]
    dispute = line_member_dispute(
        line=line,
        member=story["member"],
        acting_user=story["viewer"],
        reason="The apprentice left in May",
    )
    response = _client(story["team"]).post(
        reverse("team:member_dispute_answer", args=[dispute.pk]),
        {"outcome": "kept", "answer": "The payroll shows them employed all year"},
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == "kept" and dispute.answered_by == story["team"]
    assert open_member_disputes_count() == 0
    member_page = _contract_page(_client(story["viewer"]), line)
    assert "Figures kept" in member_page
    assert "The payroll shows them employed all year" in member_page
    supplier_page = (
        _client(story["contact"].user)
        .get(reverse("supplier:return_detail", args=[story["annual_return"].reference]))
        .content.decode()
    )
    assert "Disputed by the member: The apprentice left in May" in supplier_page
    assert "The payroll shows them employed all year" in supplier_page


def test_a_dispute_through_a_send_back_and_a_resubmission(
    story, admin_user, django_capture_on_commit_callbacks
):
    line = story["lines"][0]
    dispute = line_member_dispute(
        line=line,
        member=story["member"],
        acting_user=story["viewer"],
        reason="No job was created on this contract",
    )
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        member_dispute_answer(
            check=dispute, acting_user=story["team"], outcome="reopened", answer="x"
        )
    refused = _client(story["team"]).post(
        reverse("team:member_dispute_answer", args=[dispute.pk]),
        {"outcome": "reopened", "answer": "Please check"},
    )
    assert REOPEN_NEEDS_ADMINISTRATOR in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        member_dispute_answer(
            check=dispute,
            acting_user=admin_user,
            outcome="reopened",
            answer="Sent back to the supplier to check",
        )
    annual_return = AnnualReturn.objects.get(pk=story["annual_return"].pk)
    assert annual_return.status == S.RETURNED
    # The supplier sees why on the line, and the member the outcome.
    supplier_client = _client(story["contact"].user)
    task_list = supplier_client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    ).content.decode()
    assert "The member disputes these figures: No job was created" in task_list
    member_page = _contract_page(_client(story["viewer"]), line)
    assert "Sent back to the supplier" in member_page
    assert 'data-check="disputed"' not in member_page  # not approved: no figures
    # The supplier amends and resubmits; the team approves again.
    line.refresh_from_db()
    line_save(
        line=line,
        user=story["contact"].user,
        expected_version=line.version,
        quantities={"EMP-FT": "1"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(
            annual_return=annual_return,
            user=story["contact"].user,
            declared_by_name="A P",
            declared_own_figures=True,
        )
        return_approve(annual_return=annual_return, user=story["team"])
    # Approved again: the dispute no longer stands; the member may check anew.
    member_page = _contract_page(_client(story["viewer"]), line)
    assert reverse("member:line_confirm", args=[line.pk]) in member_page
    assert 'data-check=""' in member_page
    line_member_confirm(line=line, member=story["member"], acting_user=story["viewer"])
    assert confirmed_lines_count(year=annual_return.year) == 1


def test_only_approved_lines_of_the_members_own_contracts(story):
    line = story["lines"][0]
    stranger = factories.MemberViewerFactory().user
    client = _client(stranger)
    assert (
        client.post(reverse("member:line_confirm", args=[line.pk])).status_code == 404
    )
    assert client.get(reverse("member:line_dispute", args=[line.pk])).status_code == 404
    response = client.post(
        reverse("member:line_dispute", args=[line.pk]),
        {"measure": "whole", "reason": "x"},
    )
    assert response.status_code == 404
    assert not MemberCheck.objects.exists()
    with pytest.raises(PermissionDenied):
        line_member_confirm(
            line=line, member=factories.MemberFactory(), acting_user=stranger
        )
    submitted = factories.ReturnLineFactory(
        contract__member=story["member"], annual_return__status=S.SUBMITTED
    )
    with pytest.raises(ValidationError, match=NOT_APPROVED):
        line_member_confirm(
            line=submitted, member=story["member"], acting_user=story["viewer"]
        )
    member_client = _client(story["viewer"])
    url = reverse("member:line_confirm", args=[submitted.pk])
    assert member_client.post(url).status_code == 404
    with pytest.raises(ValidationError, match=REASON_NEEDED):
        line_member_dispute(
            line=line, member=story["member"], acting_user=story["viewer"], reason=" "
        )
    # The team's answer page and list: the team only.
    dispute = line_member_dispute(
        line=line, member=story["member"], acting_user=story["viewer"], reason="x"
    )
    for url in (
        reverse("team:member_disputes"),
        reverse("team:member_dispute_answer", args=[dispute.pk]),
    ):
        assert member_client.get(url).status_code == 403
        assert (
            member_client.post(url, {"outcome": "kept", "answer": "y"}).status_code
            == 403
        )
    dispute.refresh_from_db()
    assert dispute.answered_at is None


def test_a_reason_or_answer_over_the_limit_is_refused_in_the_forms_words(story):
    from core import limits
    from returns.forms.member_checks import DisputeAnswerForm, DisputeForm

    line = story["lines"][0]
    words = limits.too_long("The reason", limits.MESSAGE)
    long_text = "x" * (limits.MESSAGE + 1)
    with pytest.raises(ValidationError, match=words):
        line_member_dispute(
            line=line,
            member=story["member"],
            acting_user=story["viewer"],
            reason=long_text,
        )
    form = DisputeForm({"measure": "whole", "reason": long_text})
    assert form.errors["reason"] == [words]
    dispute = line_member_dispute(
        line=line, member=story["member"], acting_user=story["viewer"], reason="x"
    )
    answer_words = limits.too_long("The answer", limits.MESSAGE)
    with pytest.raises(ValidationError, match=answer_words):
        member_dispute_answer(
            check=dispute, acting_user=story["team"], outcome="kept", answer=long_text
        )
    form = DisputeAnswerForm({"outcome": "kept", "answer": long_text})
    assert form.errors["answer"] == [answer_words]


def test_an_open_dispute_cannot_be_confirmed_or_disputed_again_until_answered(story):
    line, member, viewer = story["lines"][0], story["member"], story["viewer"]
    line_member_dispute(line=line, member=member, acting_user=viewer, reason="Wrong")
    for attempt in (
        lambda: line_member_confirm(line=line, member=member, acting_user=viewer),
        lambda: line_member_dispute(
            line=line, member=member, acting_user=viewer, reason="Still wrong"
        ),
    ):
        with pytest.raises(ValidationError, match="waiting for the social value"):
            attempt()
    assert list(MemberCheck.objects.values_list("kind", flat=True)) == ["disputed"]
    member_client = _client(viewer)
    response = member_client.post(reverse("member:line_confirm", args=[line.pk]))
    assert MemberCheck.objects.count() == 1
    assert response.status_code in (200, 302, 400)
