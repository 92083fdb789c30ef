import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from returns.models import YearMeasure
from returns.selectors.years import current_reporting_year, financial_year_for
from returns.services import year_open
from returns.services.years import (
    DEADLINE_BEFORE_ISSUE,
    ISSUE_BEFORE_END,
    LABEL_FORMAT,
    LABEL_TAKEN,
)

pytestmark = pytest.mark.django_db


def _open(label="2024/25", **kwargs):
    first = int(label[:4])
    kwargs.setdefault("issue_on", datetime.date(first + 1, 4, 14))
    kwargs.setdefault("deadline", datetime.date(first + 1, 6, 30))
    return year_open(label=label, **kwargs)


def test_opening_a_year_sets_april_to_march_and_copies_the_default_catalogue():
    year = _open()
    assert (year.starts_on, year.ends_on) == (
        datetime.date(2024, 4, 1),
        datetime.date(2025, 3, 31),
    )
    rates = dict(
        YearMeasure.objects.filter(year=year).values_list(
            "measure__code", "credits_per_unit"
        )
    )
    assert len(rates) == 19
    assert rates["SUP-LOC"] == Decimal("0.000100")
    assert rates["EMP-FT"] == Decimal("10")


def test_a_later_year_copies_the_credit_values_of_the_year_before():
    first = _open("2023/24")
    YearMeasure.objects.filter(year=first, measure__code="EMP-FT").update(
        credits_per_unit=12
    )
    later = _open("2024/25")
    assert (
        YearMeasure.objects.get(year=later, measure__code="EMP-FT").credits_per_unit
        == 12
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"label": "2024-25"}, "label", LABEL_FORMAT),
        ({"label": "2024/26"}, "label", LABEL_FORMAT),
        ({"issue_on": datetime.date(2025, 3, 31)}, "issue_on", ISSUE_BEFORE_END[:30]),
        ({"deadline": datetime.date(2025, 4, 14)}, "deadline", DEADLINE_BEFORE_ISSUE),
    ],
)
def test_dates_out_of_order_are_refused_with_a_message(kwargs, field, message):
    label = kwargs.pop("label", "2024/25")
    with pytest.raises(ValidationError) as refused:
        _open(label, **kwargs)
    assert message in " ".join(refused.value.message_dict[field])


def test_the_same_year_cannot_be_opened_twice():
    _open()
    with pytest.raises(ValidationError) as refused:
        _open()
    assert refused.value.message_dict["label"] == [LABEL_TAKEN.format(label="2024/25")]


def test_financial_year_for_a_date():
    assert financial_year_for(datetime.date(2025, 3, 31)) == "2024/25"
    assert financial_year_for(datetime.date(2025, 4, 1)) == "2025/26"


def test_current_year_is_the_latest_issued_else_the_latest_opened():
    older = _open("2023/24")
    newer = _open("2024/25")
    assert current_reporting_year() == newer
    older.issued_at = datetime.datetime(2024, 4, 14, tzinfo=datetime.UTC)
    older.save()
    assert current_reporting_year() == older
