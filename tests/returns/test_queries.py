"""Line queries: raised by a supplier, on the team's desk, answered (and the line
perhaps excluded), with events; the line shows "there is a problem" until answered;
a query never blocks a submission."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from returns import events
from returns.models import AnnualReturn, LineQuery, ReturnEvent, ReturnLine
from returns.selectors import completeness
from returns.services.queries import ALREADY_ANSWERED, query_answer, query_raise
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(supplier):
    return factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
    )


def _url(line):
    return reverse(
        "supplier:line_queries",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )


def _state(line):
    annotated = completeness.lines_for_task_list(line.annual_return).get(pk=line.pk)
    return completeness.line_state(annotated)


def test_a_query_is_raised_answered_and_closed_with_its_events(
    line, supplier_client, supplier_user, team_client, team_user
):
    response = supplier_client.post(
        _url(line),
        {"reason": "spend_wrong", "text": "We invoiced £150,000, not £200,000."},
    )
    assert response.status_code == 302
    query = LineQuery.objects.get()
    assert query.text == "The spend is wrong: We invoiced £150,000, not £200,000."
    assert query.raised_by == supplier_user
    assert _state(line).status == completeness.QUERY_OPEN

    desk = team_client.get(reverse("team:queries")).content.decode()
    assert line.contract.reference in desk
    answer_url = reverse("team:query_answer", kwargs={"query_id": query.pk})
    assert answer_url in desk

    response = team_client.post(
        answer_url, {"answer": "Checked with the member: the spend is right."}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.answered_by == team_user and query.answered_at
    assert _state(line).status != completeness.QUERY_OPEN
    assert "There are no open queries" in team_client.get(
        reverse("team:queries")
    ).content.decode("utf-8")
    page = supplier_client.get(_url(line)).content.decode()
    assert "Checked with the member: the spend is right." in page

    kinds = list(
        ReturnEvent.objects.filter(annual_return=line.annual_return).values_list(
            "kind", "actor"
        )
    )
    assert kinds == [
        (events.QUERY_RAISED, supplier_user.pk),
        (events.QUERY_ANSWERED, team_user.pk),
    ]


def test_the_team_may_exclude_the_line_when_answering(line, supplier_user, team_user):
    query = query_raise(
        line=line,
        acting_user=supplier_user,
        reason="not_our_contract",
        text="This contract was novated to Other Build Ltd in 2023.",
    )
    query_answer(
        query=query,
        acting_user=team_user,
        answer="Novated: excluded from your return.",
        exclude_line=True,
    )
    line.refresh_from_db()
    assert line.excluded_at and line.excluded_by == team_user
    assert line.excluded_reason == "Novated: excluded from your return."
    assert set(ReturnEvent.objects.values_list("kind", flat=True)) == {
        events.QUERY_RAISED,
        events.QUERY_ANSWERED,
        events.LINE_EXCLUDED,
    }
    assert _state(line).status == completeness.EXCLUDED


def test_a_query_cannot_be_answered_twice(line, supplier_user, team_user):
    query = factories.LineQueryFactory(line=line, raised_by=supplier_user)
    query_answer(query=query, acting_user=team_user, answer="Yes")
    with pytest.raises(ValidationError) as refused:
        query_answer(query=query, acting_user=team_user, answer="Again")
    assert refused.value.messages == [ALREADY_ANSWERED]
    query.refresh_from_db()
    assert query.answer == "Yes"


def test_a_query_does_not_block_submission_and_leaves_the_version(line, supplier_user):
    from returns.services.submission import return_submit

    factories.ReturnEntryFactory(line=line, quantity=3)  # 3 × 10 = 30 ≥ 20 target
    ReturnLine.objects.filter(pk=line.pk).update(delivered_credits=30)
    line.refresh_from_db()
    version = line.version
    query_raise(
        line=line, acting_user=supplier_user, reason="other", text="Please check"
    )
    line.refresh_from_db()
    assert line.version == version
    state = _state(line)
    assert state.status == completeness.QUERY_OPEN
    assert state.is_done
    submitted = return_submit(
        annual_return=line.annual_return,
        user=supplier_user,
        declared_by_name="Sam Supplier",
        declared_own_figures=True,
    )
    assert submitted.status == AnnualReturn.Status.SUBMITTED


def test_a_query_needs_a_reason_and_text(line, supplier_client):
    response = supplier_client.post(_url(line), {"reason": "", "text": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select what is wrong with this contract" in page
    assert "Enter what is wrong with this contract" in page
    assert not LineQuery.objects.exists()


def test_another_supplier_cannot_read_or_raise_queries_on_the_line(line):
    other = Client()
    other.force_login(factories.SupplierContactFactory().user)
    assert other.get(_url(line)).status_code == 404
    assert other.post(_url(line), {"reason": "other", "text": "x"}).status_code == 404
    assert not LineQuery.objects.exists()


def test_the_team_desk_lists_open_queries_in_constant_queries(
    team_client, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            factories.LineQueryFactory()

    add(2)
    with django_assert_max_num_queries(12) as few:
        assert team_client.get(reverse("team:queries")).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = team_client.get(reverse("team:queries")).content.decode()
    assert "22 queries waiting" in page


def test_an_excluded_line_is_refused_a_second_exclusion(line, team_user):
    from returns.services.lines_team import ALREADY_EXCLUDED, line_exclude

    line_exclude(line=line, acting_user=team_user, reason="Novated")
    with pytest.raises(ValidationError) as refused:
        line_exclude(line=line, acting_user=team_user, reason="Again")
    assert refused.value.messages == [ALREADY_EXCLUDED]
    assert ReturnLine.objects.get(pk=line.pk).excluded_reason == "Novated"
