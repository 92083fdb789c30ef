"""The team corrects a line's valuations while answering a query: the valuations change
with history, the line's spend and target are recomputed as an issue computes them,
the version rises, an event says what changed, the supplier is emailed once; every
refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from frameworks.models import Valuation
from returns import events
from returns.models import (
    AnnualReturn,
    LineQuery,
    Notification,
    ReturnEvent,
    ReturnLine,
)
from returns.services import LineConflict, line_save, notifications_send
from returns.services.issuing import issue_plan
from returns.services.queries import (
    EXCLUDE_OR_CORRECT,
    query_answer,
    query_email_key,
)
from returns.services.spend_corrections import (
    AMOUNT_REMOVED,
    BELOW_THRESHOLD,
    VALUATIONS_CHANGED,
)
from tests import factories

pytestmark = pytest.mark.django_db

Q1, Q2, Q3, Q4 = (
    datetime.date(2024, 6, 30),
    datetime.date(2024, 9, 30),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 3, 31),
)
ANSWER = "Checked with the member: the first quarter was £30,000."


@pytest.fixture
def line(supplier):
    """Three quarters of £50,000 valued (the fourth not yet): spend £150,000,
    target 15.00, on an open issued return."""
    line = factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
        spend=Decimal("150000.00"),
        target_credits=Decimal("15.00"),
    )
    for period_end in (Q1, Q2, Q3):
        factories.ValuationFactory(
            contract=line.contract, period_end=period_end, amount=Decimal("50000.00")
        )
    return line


@pytest.fixture
def query(line, supplier_user):
    return factories.LineQueryFactory(
        line=line,
        raised_by=supplier_user,
        text="The spend is wrong: we invoiced less in the first quarter.",
    )


def _amounts(line):
    return dict(
        Valuation.objects.filter(contract=line.contract).values_list(
            "period_end", "amount"
        )
    )


def _nothing_changed(line, query):
    fresh = ReturnLine.objects.get(pk=line.pk)
    assert (fresh.spend, fresh.target_credits, fresh.version) == (
        Decimal("150000.00"),
        Decimal("15.00"),
        1,
    )
    assert _amounts(line) == {q: Decimal("50000.00") for q in (Q1, Q2, Q3)}
    assert LineQuery.objects.get(pk=query.pk).answered_at is None
    assert not ReturnEvent.objects.exists()
    assert not Notification.objects.exists()


def _answer_url(query):
    return reverse("team:query_answer", kwargs={"query_id": query.pk})


def _form(**amounts):
    """The answer page's POST: the amounts as shown, with `amounts` typed over them."""
    shown = {"2024-06-30": "50000.00", "2024-09-30": "50000.00"}
    shown |= {"2024-12-31": "50000.00", "2025-03-31": ""}
    data = {"answer": ANSWER}
    data["valuations_seen"] = ";".join(f"{k}={v}" for k, v in shown.items())
    for key, value in shown.items():
        data[f"valuation_{key}"] = amounts.get(key, value)
    return data


def test_a_correction_rewrites_valuations_with_history_and_recomputes_the_line(
    line, query, team_user, supplier_user
):
    # Q1 £50,000 → £30,000; Q4 added at £60,050: spend £190,050.00, and the target
    # 19.005 rounds half-up to 19.01 (half-even would give 19.00).
    query_answer(
        query=query,
        acting_user=team_user,
        answer=ANSWER,
        valuations={Q1: "30,000", Q2: "50000.00", Q4: "£60,050"},
    )
    assert _amounts(line) == {
        Q1: Decimal("30000.00"),
        Q2: Decimal("50000.00"),
        Q3: Decimal("50000.00"),
        Q4: Decimal("60050.00"),
    }
    q1 = Valuation.objects.get(contract=line.contract, period_end=Q1)
    assert list(
        q1.history.order_by("history_date").values_list("amount", "history_user")
    ) == [(Decimal("50000.00"), None), (Decimal("30000.00"), team_user.pk)]
    assert q1.history.latest().history_change_reason == (
        f"Corrected by the social value team on {line.annual_return.reference}"
    )
    q4 = Valuation.objects.get(contract=line.contract, period_end=Q4)
    assert q4.history.get().history_user == team_user
    q2 = Valuation.objects.get(contract=line.contract, period_end=Q2)
    assert q2.history.count() == 1  # typed as stored: not rewritten

    line.refresh_from_db()
    assert line.spend == Decimal("190050.00")
    assert line.target_credits == Decimal("19.01")
    assert line.version == 2
    assert line.updated_by == team_user
    assert line.history.latest().history_user == team_user

    refreshed = ReturnEvent.objects.get(kind=events.REFRESHED)
    assert refreshed.actor == team_user
    assert refreshed.comment == line.contract.reference
    assert refreshed.snapshot["lines"] == [
        {
            "contract": line.contract.reference,
            "old_spend": "150000.00",
            "new_spend": "190050.00",
            "old_target": "15.00",
            "new_target": "19.01",
        }
    ]
    assert refreshed.snapshot["valuations"] == [
        {
            "period_end": "2024-06-30",
            "old_amount": "50000.00",
            "new_amount": "30000.00",
        },
        {"period_end": "2025-03-31", "old_amount": None, "new_amount": "60050.00"},
    ]
    answered = ReturnEvent.objects.get(kind=events.QUERY_ANSWERED)
    assert answered.snapshot["spend_corrected"]["new_target"] == "19.01"
    query.refresh_from_db()
    assert query.answered_by == team_user and query.answer == ANSWER


def test_a_corrected_line_is_what_a_re_issue_would_compute(line, query, team_user):
    query_answer(
        query=query,
        acting_user=team_user,
        answer=ANSWER,
        valuations={Q1: "30000", Q4: "60050"},
    )
    plan = issue_plan(year=line.annual_return.year)
    assert [c.contract_id for c in plan.qualifying] == [line.contract_id]
    assert plan.qualifying[0].spend == Decimal("190050.00")
    assert plan.qualifying[0].target == Decimal("19.01")
    assert not plan.refreshed and not plan.locked_changes


def test_the_team_corrects_on_the_answer_page(
    line, query, team_client, team_user, supplier_client
):
    page = team_client.get(_answer_url(query)).content.decode()
    assert "Spend in the quarter ending 30 June 2024 (£)" in page
    assert 'value="50000.00"' in page
    assert "Spend in the quarter ending 31 March 2025 (£)" in page
    assert "£150,000.00 now, for a target of 15.00 credits" in page

    response = team_client.post(
        _answer_url(query), _form(**{"2024-06-30": "30000", "2025-03-31": "60050"})
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.spend, line.target_credits) == (
        Decimal("190050.00"),
        Decimal("19.01"),
    )
    supplier_page = supplier_client.get(
        reverse(
            "supplier:line",
            kwargs={"reference": line.annual_return.reference, "line_id": line.pk},
        )
    ).content.decode()
    assert "£190,050.00" in supplier_page


def test_an_answer_that_leaves_the_amounts_as_shown_corrects_nothing(
    line, query, team_client
):
    response = team_client.post(_answer_url(query), _form())
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.version == 1 and line.spend == Decimal("150000.00")
    assert set(ReturnEvent.objects.values_list("kind", flat=True)) == {
        events.QUERY_ANSWERED
    }
    assert ReturnEvent.objects.get().snapshot["spend_corrected"] is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Enter the spend in the quarter ending 30 June 2024 as 0 or more"),
        (
            "lots",
            "Enter the spend in the quarter ending 30 June 2024 as a number of "
            "pounds, like 125000.50",
        ),
        (
            "100.123",
            "Enter the spend in the quarter ending 30 June 2024 to no more than 2 "
            "decimal places (pounds and pence)",
        ),
        (
            "",
            AMOUNT_REMOVED.format(label="the spend in the quarter ending 30 June 2024"),
        ),
    ],
)
def test_bad_amounts_are_refused_naming_the_quarter_and_change_nothing(
    line, query, team_client, typed, message
):
    response = team_client.post(
        _answer_url(query), _form(**{"2024-06-30": typed, "2025-03-31": "60050"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#id_valuation_2024-06-30"' in page  # the summary links the field
    _nothing_changed(line, query)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"status": AnnualReturn.Status.SUBMITTED},
            "is submitted, so its spend cannot be corrected here: send it back "
            "for amendment first",
        ),
        (
            {"status": AnnualReturn.Status.APPROVED},
            "is approved, so its spend cannot be corrected here: an administrator "
            "must reopen it first",
        ),
        (
            {"status": AnnualReturn.Status.NOT_REQUIRED},
            "mark it required again first",
        ),
        ({"source": AnnualReturn.Source.IMPORTED}, "was imported from a past"),
    ],
)
def test_a_return_that_is_not_open_is_refused_a_correction(
    line, query, team_user, team_client, change, message
):
    AnnualReturn.objects.filter(pk=line.annual_return_id).update(**change)
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query, acting_user=team_user, answer=ANSWER, valuations={Q1: "1"}
        )
    assert message in refused.value.messages[0]
    _nothing_changed(line, query)
    # The page says why instead of offering the amounts.
    page = team_client.get(_answer_url(query)).content.decode()
    assert message in page
    assert "valuation_2024-06-30" not in page


def test_an_excluded_line_is_refused_a_correction(line, query, team_user):
    ReturnLine.objects.filter(pk=line.pk).update(
        excluded_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
        excluded_reason="Novated",
    )
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query, acting_user=team_user, answer=ANSWER, valuations={Q1: "1"}
        )
    assert "is excluded from this return" in refused.value.messages[0]
    assert _amounts(line)[Q1] == Decimal("50000.00")
    assert LineQuery.objects.get(pk=query.pk).answered_at is None


def test_spend_just_below_the_threshold_is_refused_with_the_exclude_advice(
    line, query, team_user
):
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query,
            acting_user=team_user,
            answer=ANSWER,
            valuations={Q1: "0", Q2: "49999.99"},
        )
    # £100,000 exactly still qualifies ("£100k or more"); a penny less does not.
    message = refused.value.messages[0]
    assert message == BELOW_THRESHOLD.format(
        contract=line.contract.reference,
        year="2024/25",
        spend=Decimal("99999.99"),
        threshold=Decimal("100000"),
    )
    assert "£99,999.99, is below the year's threshold of £100,000.00" in message
    assert "exclude it instead" in message
    _nothing_changed(line, query)


def test_a_consultancy_line_may_be_corrected_below_the_threshold(
    line, query, team_user
):
    line.contract.lot.is_consultancy = True
    line.contract.lot.save()
    query_answer(
        query=query,
        acting_user=team_user,
        answer=ANSWER,
        valuations={Q1: "0", Q2: "0", Q3: "1234.55"},
    )
    line.refresh_from_db()
    assert (line.spend, line.target_credits) == (Decimal("1234.55"), Decimal("0.12"))


def test_valuations_changed_since_the_page_was_loaded_are_not_overwritten(
    line, query, team_user
):
    Valuation.objects.filter(contract=line.contract, period_end=Q1).update(
        amount=Decimal("45000.00")
    )
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query,
            acting_user=team_user,
            answer=ANSWER,
            valuations={Q1: "30000", Q2: "50000.00"},
            valuations_were={Q1: Decimal("50000.00"), Q2: Decimal("50000.00")},
        )
    assert refused.value.messages == [
        VALUATIONS_CHANGED.format(contract=line.contract.reference)
    ]
    assert _amounts(line)[Q1] == Decimal("45000.00")
    assert LineQuery.objects.get(pk=query.pk).answered_at is None


def test_a_quarter_left_as_shown_keeps_what_someone_else_imported_meanwhile(
    line, query, team_user
):
    Valuation.objects.filter(contract=line.contract, period_end=Q2).update(
        amount=Decimal("45000.00")
    )
    query_answer(
        query=query,
        acting_user=team_user,
        answer=ANSWER,
        valuations={Q1: "30000", Q2: "50000.00"},
        valuations_were={Q1: Decimal("50000.00"), Q2: Decimal("50000.00")},
    )
    amounts = _amounts(line)
    assert (amounts[Q1], amounts[Q2]) == (Decimal("30000.00"), Decimal("45000.00"))
    line.refresh_from_db()
    assert line.spend == Decimal("125000.00")


def test_excluding_and_correcting_at_once_is_refused(line, query, team_user):
    with pytest.raises(ValidationError) as refused:
        query_answer(
            query=query,
            acting_user=team_user,
            answer=ANSWER,
            exclude_line=True,
            valuations={Q1: "30000"},
        )
    assert refused.value.messages == [EXCLUDE_OR_CORRECT]
    _nothing_changed(line, query)


def test_a_supplier_with_the_line_open_gets_the_conflict_after_a_correction(
    line, query, team_user, supplier_user
):
    loaded_version = line.version
    query_answer(
        query=query, acting_user=team_user, answer=ANSWER, valuations={Q1: "30000"}
    )
    with pytest.raises(LineConflict) as conflict:
        line_save(
            line=line,
            user=supplier_user,
            expected_version=loaded_version,
            quantities={"EMP-FT": "2"},
        )
    assert conflict.value.theirs["target_credits"] == "13.00"
    assert conflict.value.theirs["updated_by"] == str(team_user)


def test_the_supplier_is_emailed_the_answer_once(
    line,
    query,
    supplier,
    supplier_user,
    team_user,
    django_capture_on_commit_callbacks,
):
    colleague = factories.SupplierContactFactory(supplier=supplier).user
    factories.SupplierContactFactory(supplier=supplier, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        query_answer(
            query=query,
            acting_user=team_user,
            answer=ANSWER,
            valuations={Q1: "30000"},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [supplier_user.email, colleague.email]
    )
    email = mail.outbox[0]
    assert email.subject == (
        f"A query on contract {line.contract.reference} has been answered"
    )
    assert ANSWER in email.body
    assert "we invoiced less in the first quarter" in email.body
    assert (
        "spend in the year £150,000.00 is now £130,000.00, and the target 15.00 "
        "credits is now 13.00 credits"
    ) in email.body
    assert "Quarter ending 30 June 2024: £50,000.00 is now £30,000.00" in email.body
    line_path = reverse(
        "supplier:line",
        kwargs={"reference": line.annual_return.reference, "line_id": line.pk},
    )
    assert line_path in email.body

    # The task running again, or the ledger queued again, sends nothing more.
    rows = list(Notification.objects.values_list("pk", flat=True))
    assert len(rows) == 2
    assert set(Notification.objects.values_list("key", flat=True)) == {
        query_email_key(query)
    }
    assert notifications_send(notification_ids=rows) == 0
    with (
        pytest.raises(ValidationError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        query_answer(query=query, acting_user=team_user, answer="Again")
    assert len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_an_answer_without_a_correction_says_nothing_changed(
    line, query, supplier_user, team_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        query_answer(query=query, acting_user=team_user, answer="The spend is right.")
    (email,) = mail.outbox
    assert "The spend is right." in email.body
    assert "Nothing on your return was changed." in email.body


def test_only_the_team_may_answer_or_correct(
    line, query, supplier_client, member_client, supplier_user, client
):
    other_supplier = Client()
    other_supplier.force_login(factories.SupplierContactFactory().user)
    data = _form(**{"2024-06-30": "30000"})
    for someone in (supplier_client, member_client, other_supplier):
        assert someone.get(_answer_url(query)).status_code == 403
        assert someone.post(_answer_url(query), data).status_code == 403
    response = client.post(_answer_url(query), data)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    with pytest.raises(PermissionDenied):
        query_answer(
            query=query,
            acting_user=supplier_user,
            answer=ANSWER,
            valuations={Q1: "30000"},
        )
    _nothing_changed(line, query)
