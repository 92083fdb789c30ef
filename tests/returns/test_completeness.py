"""Task-list statuses and the rules a submission checks, per line."""

import datetime
from decimal import Decimal

import pytest

from returns.models import LineQuery, ReturnLine
from returns.selectors import completeness
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 1)


def state(line):
    fresh = completeness.with_completeness(ReturnLine.objects.filter(pk=line.pk)).get()
    return completeness.line_state(fresh, today=TODAY)


def test_a_line_with_no_input_is_not_started():
    line = factories.ReturnLineFactory()
    assert state(line).status == completeness.NOT_STARTED
    assert state(line).problems == (completeness.NO_INPUT,)


def test_a_line_at_target_is_complete():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("10"), delivered_credits=Decimal("10")
    )
    factories.ReturnEntryFactory(line=line, quantity=1)
    assert state(line).status == completeness.COMPLETE
    assert state(line).problems == ()


def test_below_target_without_reason_and_plan_is_in_progress():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("20"), delivered_credits=Decimal("10")
    )
    factories.ReturnEntryFactory(line=line, quantity=1)
    found = state(line)
    assert found.status == completeness.IN_PROGRESS
    assert set(found.problems) == {
        completeness.NO_SHORTFALL_REASON,
        completeness.NO_RECOVERY_PLAN,
        completeness.NO_RECOVERY_DATE,
    }


def test_below_target_with_reason_plan_and_date_is_below_target():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("20"),
        delivered_credits=Decimal("10"),
        shortfall_reason="Late start",
        recovery_plan="Two apprentices in the autumn",
        recovery_by=datetime.date(2026, 3, 31),
    )
    factories.ReturnEntryFactory(line=line, quantity=1)
    assert state(line).status == completeness.BELOW_TARGET
    assert state(line).is_done


def test_a_recovery_date_after_the_contract_end_is_a_problem():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("20"),
        shortfall_reason="Late start",
        recovery_plan="Apprentices",
        recovery_by=datetime.date(2028, 1, 1),
        contract__ends_on=datetime.date(2027, 3, 31),
    )
    factories.ReturnEntryFactory(line=line, quantity=0)
    assert state(line).status == completeness.IN_PROGRESS
    assert "no later than the contract's end" in state(line).problems[0]


def test_an_ended_contract_needs_a_plan_but_no_date():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("20"),
        nothing_delivered_reason="The site closed",
        contract__ends_on=datetime.date(2025, 3, 31),
    )
    assert state(line).problems == (completeness.NO_MAKE_GOOD,)
    line.recovery_plan = "A donation to the residents' fund"
    line.save()
    assert state(line).status == completeness.BELOW_TARGET


def test_nothing_delivered_on_a_line_with_no_target_is_complete():
    line = factories.ReturnLineFactory(
        target_credits=Decimal("0"), nothing_delivered_reason="Advice only"
    )
    assert state(line).status == completeness.COMPLETE


def test_an_open_query_is_shown_as_one_and_an_answered_one_is_not():
    line = factories.ReturnLineFactory(target_credits=Decimal("0"))
    factories.ReturnEntryFactory(line=line, quantity=1)
    query = LineQuery.objects.create(
        line=line, raised_by=factories.UserFactory(), text="Spend looks wrong"
    )
    assert state(line).status == completeness.QUERY_OPEN
    assert state(line).is_done  # a query is the team's to close, not a rule
    query.answered_at = datetime.datetime(2025, 5, 2, tzinfo=datetime.UTC)
    query.save()
    assert state(line).status == completeness.COMPLETE


def test_a_send_back_comment_on_the_line_is_a_problem():
    line = factories.ReturnLineFactory(target_credits=Decimal("0"))
    line.sent_back_comment = "Check the apprentices figure"
    found = completeness.line_state(line, today=TODAY)
    assert found.status == completeness.PROBLEM
    assert found.comment == "Check the apprentices figure"


def test_the_task_list_query_does_not_grow_with_lines(django_assert_num_queries):
    annual_return = factories.AnnualReturnFactory()
    for _ in range(3):
        line = factories.ReturnLineFactory(annual_return=annual_return)
        factories.ReturnEntryFactory(line=line)
    with django_assert_num_queries(1):
        states = [
            completeness.line_state(line, today=TODAY)
            for line in completeness.lines_for_task_list(annual_return)
        ]
    assert len(states) == 3
