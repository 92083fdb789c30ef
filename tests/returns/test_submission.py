"""Submitting a return: every reason given, first submission kept, snapshot, receipt."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection

from returns import events
from returns.models import AnnualReturn, Notification, ReturnEvent, ReturnLine
from returns.services import (
    ReturnNotEditable,
    ReturnNotReady,
    line_save,
    return_submit,
    submitted_on_time,
)
from returns.services.submission import NO_DECLARATION
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return factories.SupplierContactFactory(is_primary=True)


@pytest.fixture
def annual_return(contact):
    return factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )


def complete_line(annual_return, user, **kwargs):
    line = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("10"), **kwargs
    )
    return line_save(
        line=line, user=user, expected_version=1, quantities={"EMP-FT": "1"}
    )


def test_a_complete_return_is_submitted_with_a_snapshot_and_a_receipt(
    annual_return, contact, django_capture_on_commit_callbacks
):
    other = factories.SupplierContactFactory(supplier=annual_return.supplier)
    factories.SupplierContactFactory(supplier=annual_return.supplier, is_active=False)
    line = complete_line(annual_return, contact.user)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="  Asha   Patel ",
            declared_own_figures=True,
        )
    assert submitted.status == AnnualReturn.Status.SUBMITTED
    assert submitted.declared_by_name == "Asha Patel"
    assert submitted.submitted_by == contact.user
    assert submitted.entered_by is None
    assert submitted.first_submitted_at == submitted.submitted_at
    event = ReturnEvent.objects.get(annual_return=annual_return, kind=events.SUBMITTED)
    assert event.snapshot["lines"][0]["contract"] == line.contract.reference
    assert event.snapshot["lines"][0]["quantities"] == {"EMP-FT": "1.00"}
    assert event.snapshot["delivered_credits"] == "10.00"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contact.user.email, other.user.email]
    )
    assert annual_return.reference in mail.outbox[0].body
    assert Notification.objects.filter(kind=Notification.Kind.RECEIPT).count() == 2


def test_submission_is_refused_with_every_reason(annual_return, contact):
    complete_line(annual_return, contact.user)
    empty = factories.ReturnLineFactory(annual_return=annual_return)
    short = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("50")
    )
    line_save(line=short, user=contact.user, expected_version=1, quantities={"TRN": 1})
    with pytest.raises(ReturnNotReady) as caught:
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="",
            declared_own_figures=True,
        )
    refusal = caught.value
    assert refusal.errors["declared_by_name"] == [NO_DECLARATION]
    assert [line.pk for line, _ in refusal.line_problems] == sorted(
        [empty.pk, short.pk],
        key=lambda pk: ReturnLine.objects.get(pk=pk).contract.reference,
    )
    assert any(empty.contract.reference in m for m in refusal.errors["lines"])
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    assert not ReturnEvent.objects.filter(kind=events.SUBMITTED).exists()


def test_excluded_lines_do_not_stop_a_submission(annual_return, contact):
    complete_line(annual_return, contact.user)
    factories.ReturnLineFactory(
        annual_return=annual_return,
        excluded_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
    )
    return_submit(
        annual_return=annual_return,
        user=contact.user,
        declared_by_name="A B",
        declared_own_figures=True,
    )


def test_a_submitted_return_cannot_be_submitted_again(annual_return, contact):
    complete_line(annual_return, contact.user)
    return_submit(
        annual_return=annual_return,
        user=contact.user,
        declared_by_name="A B",
        declared_own_figures=True,
    )
    with pytest.raises(ReturnNotEditable):
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="A B",
            declared_own_figures=True,
        )


def test_on_time_is_decided_by_the_first_submission_in_london(
    annual_return, contact, django_capture_on_commit_callbacks
):
    complete_line(annual_return, contact.user)
    deadline = annual_return.year.deadline  # 30 June 2025, BST
    with time_machine.travel(
        datetime.datetime(2025, 6, 30, 22, 59, tzinfo=datetime.UTC), tick=False
    ):  # 23:59 in London
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="A",
            declared_own_figures=True,
        )
    annual_return.refresh_from_db()
    assert submitted_on_time(annual_return) is True
    first = annual_return.first_submitted_at
    # Sent back, then resubmitted a week late: still on time, and a second receipt.
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.RETURNED
    )
    with (
        time_machine.travel(
            datetime.datetime(2025, 7, 7, 9, 0, tzinfo=datetime.UTC), tick=False
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="A",
            declared_own_figures=True,
        )
    annual_return.refresh_from_db()
    assert annual_return.first_submitted_at == first
    assert annual_return.submitted_at > first
    assert submitted_on_time(annual_return) is True
    assert annual_return.effective_deadline == deadline
    assert ReturnEvent.objects.filter(kind=events.SUBMITTED).count() == 2
    assert len(mail.outbox) == 1  # the first receipt was not sent in this block
    assert Notification.objects.filter(kind=Notification.Kind.RECEIPT).count() == 2


def test_a_submission_just_after_midnight_is_late(annual_return, contact):
    complete_line(annual_return, contact.user)
    with time_machine.travel(
        datetime.datetime(2025, 6, 30, 23, 30, tzinfo=datetime.UTC), tick=False
    ):  # 00:30 on 1 July in London
        return_submit(
            annual_return=annual_return,
            user=contact.user,
            declared_by_name="A",
            declared_own_figures=True,
        )
    annual_return.refresh_from_db()
    assert submitted_on_time(annual_return) is False


def test_the_team_submitting_for_a_supplier_is_recorded_as_entered_by(
    annual_return, contact, team_user
):
    complete_line(annual_return, team_user)
    submitted = return_submit(
        annual_return=annual_return,
        user=team_user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    assert submitted.entered_by == team_user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_contacts_saving_different_lines_at_once_both_succeed():
    contact = factories.SupplierContactFactory()
    annual_return = factories.AnnualReturnFactory(supplier=contact.supplier)
    lines = [factories.ReturnLineFactory(annual_return=annual_return) for _ in range(2)]
    people = [
        contact.user,
        factories.SupplierContactFactory(supplier=contact.supplier).user,
    ]
    barrier = threading.Barrier(2)
    failures = []

    def work(line, person, code):
        try:
            barrier.wait()
            line_save(
                line=line, user=person, expected_version=1, quantities={code: "1"}
            )
        except Exception as error:  # noqa: BLE001
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(lines[0], people[0], "EMP-FT")),
        threading.Thread(target=work, args=(lines[1], people[1], "EMP-PT")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(
        ReturnLine.objects.filter(annual_return=annual_return).values_list(
            "version", flat=True
        )
    ) == [2, 2]
    assert (
        ReturnEvent.objects.filter(
            annual_return=annual_return, kind=events.STARTED
        ).count()
        == 1
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_line_at_once_one_gets_a_conflict():
    from returns.services import LineConflict

    contact = factories.SupplierContactFactory()
    line = factories.ReturnLineFactory(annual_return__supplier=contact.supplier)
    barrier = threading.Barrier(2)
    outcomes = []

    def work(value):
        try:
            barrier.wait()
            line_save(
                line=line,
                user=contact.user,
                expected_version=1,
                quantities={"EMP-FT": value},
            )
            outcomes.append("saved")
        except LineConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(v,)) for v in ("1", "2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    line.refresh_from_db()
    assert line.version == 2
