"""Saving a line: decimals, "part of", blanks, versions, conflicts, credits."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from returns import events
from returns.models import AnnualReturn, ReturnEntry, ReturnEvent
from returns.services import LineConflict, ReturnNotEditable, line_save
from returns.services.lines import (
    NOTHING_DELIVERED_WITH_FIGURES,
    RECOVERY_AFTER_CONTRACT_END,
    RECOVERY_DATE_AFTER_END,
)
from tests import factories

pytestmark = pytest.mark.django_db

CODES = [
    "EMP-FT",
    "EMP-PT",
    "EMP-SUS",
    "EMP-BAR",
    "APP-NEW",
    "APP-SUS",
    "TRN",
    "WEX",
    "CAR",
    "EDU",
    "VOL",
    "DON-CASH",
    "DON-KIND",
    "COM",
    "SUP-LOC",
    "SUP-SME",
    "ENV-CO2",
    "ENV-WST",
    "WEL",
]


@pytest.fixture
def line():
    return factories.ReturnLineFactory()


def save(line, user=None, expected_version=None, **kwargs):
    kwargs.setdefault("quantities", {})
    return line_save(
        line=line,
        user=user or factories.UserFactory(),
        expected_version=line.version if expected_version is None else expected_version,
        **kwargs,
    )


def test_one_figure_and_eighteen_blanks_stores_one_entry(line):
    quantities = dict.fromkeys(CODES, "")
    quantities["EMP-FT"] = "2"
    saved = save(line, quantities=quantities)
    assert list(saved.entries.values_list("measure__code", "quantity")) == [
        ("EMP-FT", Decimal("2.00"))
    ]
    assert saved.delivered_credits == Decimal("20.00")
    assert saved.version == 2


def test_a_typed_zero_is_stored_and_a_blank_is_not(line):
    saved = save(line, quantities={"EMP-FT": "0", "EMP-PT": "  ", "VOL": None})
    assert dict(saved.entries.values_list("measure__code", "quantity")) == {
        "EMP-FT": Decimal("0.00")
    }


def test_a_blank_removes_an_entry_saved_before(line):
    saved = save(line, quantities={"EMP-FT": "2", "VOL": "10.5"})
    saved = save(saved, quantities={"EMP-FT": "", "VOL": "10.5"})
    assert list(saved.entries.values_list("measure__code", flat=True)) == ["VOL"]
    assert saved.delivered_credits == Decimal("0.53")  # 10.5 × 0.05, half-up


def test_emp_bar_above_emp_ft_plus_emp_pt_is_refused_with_a_message(line):
    with pytest.raises(ValidationError) as caught:
        save(line, quantities={"EMP-FT": "2", "EMP-PT": "1", "EMP-BAR": "4"})
    message = caught.value.message_dict["EMP-BAR"][0]
    assert "EMP-FT + EMP-PT" in message
    assert "which is 3" in message
    assert not ReturnEntry.objects.exists()
    line.refresh_from_db()
    assert line.version == 1


def test_emp_bar_equal_to_its_parts_is_accepted(line):
    saved = save(line, quantities={"EMP-FT": "2", "EMP-PT": "1", "EMP-BAR": "3"})
    assert saved.entries.count() == 3


def test_people_must_be_whole_numbers_and_hours_two_places(line):
    with pytest.raises(ValidationError) as caught:
        save(line, quantities={"EMP-FT": "1.5", "VOL": "2.125", "TRN": "-1"})
    errors = caught.value.message_dict
    assert errors["EMP-FT"] == [
        "Enter “Jobs created, full-time” as a whole number of people"
    ]
    assert "no more than 2 decimal places" in errors["VOL"][0]
    assert "0 or more" in errors["TRN"][0]
    assert not ReturnEntry.objects.exists()


def test_text_and_huge_numbers_are_refused(line):
    with pytest.raises(ValidationError) as caught:
        save(line, quantities={"EMP-FT": "three", "DON-CASH": "1e15", "WEX": "NaN"})
    errors = caught.value.message_dict
    assert set(errors) == {"EMP-FT", "DON-CASH", "WEX"}


def test_commas_and_pound_signs_are_accepted(line):
    saved = save(line, quantities={"DON-CASH": "£1,250.50"})
    assert saved.entries.get().quantity == Decimal("1250.50")
    assert saved.delivered_credits == Decimal("1.25")


def test_saving_the_same_figures_again_keeps_the_version(line):
    saved = save(line, quantities={"EMP-FT": "2"})
    again = save(saved, quantities={"EMP-FT": "2.00"})
    assert again.version == saved.version == 2


def test_nothing_delivered_holds_no_figures(line):
    with pytest.raises(ValidationError) as caught:
        save(
            line,
            quantities={"EMP-FT": "1"},
            nothing_delivered_reason="The contract was paused",
        )
    assert caught.value.message_dict["nothing_delivered_reason"] == [
        NOTHING_DELIVERED_WITH_FIGURES
    ]
    saved = save(line, nothing_delivered_reason="The contract was paused")
    assert saved.nothing_delivered_reason == "The contract was paused"
    assert saved.delivered_credits == 0


def test_a_recovery_date_after_the_contract_end_is_refused():
    line = factories.ReturnLineFactory(contract__ends_on=datetime.date(2027, 3, 31))
    with pytest.raises(ValidationError) as caught:
        save(
            line,
            quantities={"EMP-FT": "1"},
            shortfall_reason="Slow start",
            recovery_plan="Two apprentices",
            recovery_by=datetime.date(2027, 4, 1),
            today=datetime.date(2025, 5, 1),
        )
    assert caught.value.message_dict["recovery_by"] == [
        RECOVERY_AFTER_CONTRACT_END.format(ends_on=datetime.date(2027, 3, 31))
    ]


def test_an_ended_contract_takes_a_plan_without_a_date():
    line = factories.ReturnLineFactory(contract__ends_on=datetime.date(2025, 3, 31))
    with pytest.raises(ValidationError) as caught:
        save(
            line,
            quantities={"EMP-FT": "1"},
            recovery_plan="Donation",
            recovery_by=datetime.date(2025, 3, 1),
            today=datetime.date(2025, 5, 1),
        )
    assert caught.value.message_dict["recovery_by"] == [
        RECOVERY_DATE_AFTER_END.format(ends_on=datetime.date(2025, 3, 31))
    ]
    saved = save(
        line,
        quantities={"EMP-FT": "1"},
        shortfall_reason="Ended early",
        recovery_plan="A donation to the tenants' fund in June",
        today=datetime.date(2025, 5, 1),
    )
    assert saved.recovery_plan.startswith("A donation")


def test_a_stale_version_that_would_change_something_is_a_conflict(line):
    opened_at = line.version
    theirs = save(line, quantities={"EMP-FT": "3"}, expected_version=opened_at)
    with pytest.raises(LineConflict) as caught:
        save(line, quantities={"EMP-FT": "1"}, expected_version=opened_at)
    assert caught.value.theirs["quantities"] == {"EMP-FT": "3.00"}
    assert caught.value.theirs["version"] == theirs.version
    line.refresh_from_db()
    assert line.entries.get().quantity == Decimal("3")
    # Keeping mine: save again at their version.
    mine = save(line, quantities={"EMP-FT": "1"}, expected_version=theirs.version)
    assert mine.entries.get().quantity == Decimal("1")


def test_a_stale_version_that_changes_nothing_is_no_conflict(line):
    opened_at = line.version
    save(line, quantities={"EMP-FT": "3"}, expected_version=opened_at)
    same = save(line, quantities={"EMP-FT": "3"}, expected_version=opened_at)
    assert same.version == 2


def test_different_lines_never_conflict():
    first = factories.ReturnLineFactory()
    second = factories.ReturnLineFactory(annual_return=first.annual_return)
    save(first, quantities={"EMP-FT": "1"}, expected_version=1)
    save(second, quantities={"EMP-PT": "1"}, expected_version=1)
    assert first.annual_return.lines.filter(version=2).count() == 2


def test_the_first_save_starts_the_return_once(line):
    saved = save(line, quantities={"EMP-FT": "1"})
    save(saved, quantities={"EMP-FT": "2"})
    annual_return = AnnualReturn.objects.get(pk=line.annual_return_id)
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    assert (
        ReturnEvent.objects.filter(
            annual_return=annual_return, kind=events.STARTED
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    "status",
    [
        AnnualReturn.Status.SUBMITTED,
        AnnualReturn.Status.APPROVED,
        AnnualReturn.Status.NOT_REQUIRED,
    ],
)
def test_a_return_that_is_not_editable_refuses_a_save(status):
    line = factories.ReturnLineFactory(annual_return__status=status)
    with pytest.raises(ReturnNotEditable):
        save(line, quantities={"EMP-FT": "1"})
    assert not ReturnEntry.objects.exists()


def test_a_returned_return_is_editable_and_stays_with_the_supplier():
    line = factories.ReturnLineFactory(
        annual_return__status=AnnualReturn.Status.RETURNED
    )
    save(line, quantities={"EMP-FT": "1"})
    line.annual_return.refresh_from_db()
    assert line.annual_return.status == AnnualReturn.Status.RETURNED


def test_an_excluded_line_refuses_a_save():
    line = factories.ReturnLineFactory(
        excluded_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
        excluded_reason="Novated",
    )
    with pytest.raises(ReturnNotEditable):
        save(line, quantities={"EMP-FT": "1"})


def test_credits_use_the_years_credit_values_rounded_once(line):
    year_measure = line.annual_return.year.year_measures.get(measure__code="VOL")
    year_measure.credits_per_unit = Decimal("0.333333")
    year_measure.save()
    saved = save(line, quantities={"VOL": "1.5", "EDU": "0.05"})
    # 1.5 × 0.333333 + 0.05 × 0.1 = 0.5049995 → 0.50
    assert saved.delivered_credits == Decimal("0.50")


def test_who_saved_is_kept_in_the_history(line):
    person = factories.UserFactory()
    save(line, user=person, quantities={"EMP-FT": "1"})
    record = line.history.latest()
    assert record.history_user == person
    assert ReturnEntry.history.latest().history_user == person
