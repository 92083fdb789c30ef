"""The flag model's writer and readers (issue 23): what the soft checks and the
double-counting detection both build on."""

import pytest
from django.core.exceptions import ValidationError

from returns.models import AnnualReturn, LineFlag
from returns.selectors.flags import (
    NO_FLAGS,
    flag_counts_by_return,
    flags_by_line,
    line_flags,
    return_flags,
    unexplained_flags,
)
from returns.services.flags import FlagFound, flag_explain, flags_sync
from tests import factories

pytestmark = pytest.mark.django_db

ABOVE = LineFlag.Code.ABOVE_LAST_YEAR
SAME_FILE = LineFlag.Code.SAME_FILE


def test_sync_adds_rewords_keeps_explanation_and_removes():
    line = factories.ReturnLineFactory()
    user = factories.UserFactory()
    flags_sync(
        line_ids=[line.pk],
        codes=[ABOVE],
        found=[FlagFound(line.pk, ABOVE, "EMP-FT", "12 is more than 3 times 3")],
        user=user,
    )
    flag = LineFlag.objects.get()
    flag_explain(flag=flag, user=user, explanation="A new depot opened")
    flags_sync(
        line_ids=[line.pk],
        codes=[ABOVE],
        found=[FlagFound(line.pk, ABOVE, "EMP-FT", "13 is more than 3 times 3")],
        user=user,
    )
    flag.refresh_from_db()
    assert flag.message == "13 is more than 3 times 3"
    assert flag.explanation == "A new depot opened"
    flags_sync(line_ids=[line.pk], codes=[ABOVE], found=[], user=user)
    assert not LineFlag.objects.exists()
    kinds = list(
        LineFlag.history.order_by("history_id").values_list("history_type", flat=True)
    )
    assert kinds == ["+", "~", "~", "-"]


def test_sync_leaves_other_codes_alone():
    line = factories.ReturnLineFactory()
    other = factories.ReturnLineFactory(annual_return=line.annual_return)
    flags_sync(
        line_ids=[line.pk],
        codes=[SAME_FILE],
        found=[FlagFound(line.pk, SAME_FILE, "", "Same file as …", (other.pk,))],
    )
    flags_sync(line_ids=[line.pk], codes=[ABOVE], found=[])
    assert LineFlag.objects.get().other_lines == [other.pk]
    with pytest.raises(ValueError):
        flags_sync(
            line_ids=[line.pk],
            codes=[ABOVE],
            found=[FlagFound(other.pk, ABOVE, "", "not on the lines given")],
        )


def test_explanation_refused_blank_too_long_or_when_not_editable():
    line = factories.ReturnLineFactory()
    flags_sync(
        line_ids=[line.pk], codes=[ABOVE], found=[FlagFound(line.pk, ABOVE, "", "x")]
    )
    flag = LineFlag.objects.get()
    user = factories.UserFactory()
    with pytest.raises(ValidationError, match="Enter why"):
        flag_explain(flag=flag, user=user, explanation="  ")
    with pytest.raises(ValidationError, match="2,000 characters or fewer"):
        flag_explain(flag=flag, user=user, explanation="x" * 2001)
    AnnualReturn.objects.filter(pk=line.annual_return_id).update(
        status=AnnualReturn.Status.SUBMITTED
    )
    with pytest.raises(ValidationError, match="submitted"):
        flag_explain(flag=flag, user=user, explanation="fine")
    flag.refresh_from_db()
    assert flag.explanation == ""


def test_readers_one_query_each(django_assert_num_queries):
    returns = []
    for _ in range(3):
        line = factories.ReturnLineFactory()
        second = factories.ReturnLineFactory(annual_return=line.annual_return)
        flags_sync(
            line_ids=[line.pk, second.pk],
            codes=[ABOVE, SAME_FILE],
            found=[
                FlagFound(line.pk, ABOVE, "EMP-FT", "a"),
                FlagFound(line.pk, SAME_FILE, "", "b", (second.pk,)),
                FlagFound(second.pk, ABOVE, "", "c"),
            ],
        )
        returns.append(line.annual_return)
    flag_explain(
        flag=LineFlag.objects.filter(line__annual_return=returns[0]).first(),
        user=factories.UserFactory(),
        explanation="ok",
    )
    quiet = factories.AnnualReturnFactory()
    ids = [r.pk for r in returns] + [quiet.pk]
    with django_assert_num_queries(1):
        counts = flag_counts_by_return(ids)
    assert counts[returns[0].pk].total == 3
    assert counts[returns[0].pk].unexplained == 2
    assert counts[returns[1].pk].unchecked == 3
    assert counts.get(quiet.pk, NO_FLAGS).total == 0
    with django_assert_num_queries(1):
        flags = return_flags(returns[0])
        assert [f.line.contract.reference for f in flags]
    with django_assert_num_queries(1):
        assert sum(len(v) for v in flags_by_line(returns[1]).values()) == 3
    with django_assert_num_queries(1):
        assert len(unexplained_flags(returns[0])) == 2
    with django_assert_num_queries(1):
        assert len(line_flags(flags[0].line_id)) >= 1
