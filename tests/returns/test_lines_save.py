"""Saving many lines at once (`lines_save`, behind a spreadsheet upload) stores and
refuses exactly what saving them one by one with `line_save` does, in a number of
queries that does not grow with the lines; and what both store is what Django's own
row-by-row saves, with django-simple-history's signals, store."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from returns.models import AnnualReturn, ReturnEntry, ReturnEvent, ReturnLine
from returns.services import LineConflict, line_save
from returns.services.credits import line_credits
from returns.services.line_rules import line_check
from returns.services.lines import (
    LINE_FIELDS,
    LineInput,
    LinesNotSaved,
    lines_save,
    return_mark_started,
    year_measures,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 5, 1)
ENDS_ON = datetime.date(2027, 3, 31)


def _return_with_lines(count: int, *, prefix: str = "C"):
    annual_return = factories.AnnualReturnFactory()
    lines = [
        factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=f"{prefix}-{number:04d}",
            contract__ends_on=ENDS_ON,
        )
        for number in range(count)
    ]
    return annual_return, lines


def _entry(line, code, quantity):
    ReturnEntry.objects.create(
        line=line, measure=factories.measure(code), quantity=Decimal(quantity)
    )


def _stored(annual_return) -> dict:
    """Everything a save writes, without ids, timestamps or sequence values that two
    runs of the same save cannot share."""
    lines = ReturnLine.objects.filter(annual_return=annual_return).order_by("pk")
    line_fields = [
        "pk",
        "version",
        "delivered_credits",
        "nothing_delivered_reason",
        "shortfall_reason",
        "recovery_plan",
        "recovery_by",
        "updated_by_id",
    ]
    history_fields = [f if f != "pk" else "id" for f in line_fields] + [
        "history_type",
        "history_user_id",
        "history_change_reason",
        "spend",
        "target_credits",
        "excluded_reason",
    ]
    line_ids = [line.pk for line in lines]
    return {
        "status": AnnualReturn.objects.get(pk=annual_return.pk).status,
        "lines": [
            {
                **{f: getattr(line, f) for f in line_fields},
                "saved": bool(line.updated_at),
            }
            for line in lines
        ],
        "entries": sorted(
            ReturnEntry.objects.filter(line__in=line_ids).values_list(
                "line_id", "measure__code", "quantity"
            )
        ),
        "line_history": [
            {**row, "updated_at": row["updated_at"] is not None}
            for row in ReturnLine.history.filter(id__in=line_ids)
            .order_by("id", "history_id")
            .values(*history_fields, "updated_at")
        ],
        "entry_history": sorted(
            ReturnEntry.history.filter(line_id__in=line_ids).values_list(
                "line_id",
                "measure__code",
                "quantity",
                "history_type",
                "history_user_id",
                "history_change_reason",
            )
        ),
        "events": list(
            ReturnEvent.objects.filter(annual_return=annual_return)
            .order_by("pk")
            .values_list("kind", "actor_id", "comment", "snapshot")
        ),
    }


def _one_by_one(lines, changes, user, today=TODAY) -> list:
    """What `line_save` does with each change in turn: the fresh line, or what it
    raised (each save in its own savepoint, as a form post is its own request)."""
    outcomes = []
    by_id = {line.pk: line for line in lines}
    for given in changes:
        try:
            with transaction.atomic():
                outcomes.append(
                    line_save(
                        line=by_id[given.line_id],
                        user=user,
                        expected_version=given.expected_version,
                        quantities=given.quantities,
                        nothing_delivered_reason=given.nothing_delivered_reason,
                        shortfall_reason=given.shortfall_reason,
                        recovery_plan=given.recovery_plan,
                        recovery_by=given.recovery_by,
                        today=today,
                    )
                )
        except (ValidationError, LineConflict) as error:
            outcomes.append(error)
    return outcomes


def _row_by_row(lines, changes, user, today=TODAY) -> None:
    """The reference: each changed entry and line written with the ORM's own save()
    and delete(), so django-simple-history's signals write the history (as the
    service did before it wrote in bulk). Rules and version checks are left out:
    these changes are all valid and current."""
    by_id = {line.pk: line for line in lines}
    for given in changes:
        line = ReturnLine.objects.select_related("contract", "annual_return").get(
            pk=given.line_id
        )
        by_code = {
            ym.measure.code: ym for ym in year_measures(line.annual_return.year_id)
        }
        new = line_check(
            line=line, given=given, by_code=by_code, year_label="", today=today
        )
        old = {e.measure_id: e for e in line.entries.all()}
        unchanged = (
            {m: e.quantity for m, e in old.items()} == new.quantities
            and (line.nothing_delivered_reason, line.shortfall_reason)
            == (new.nothing_delivered_reason, new.shortfall_reason)
            and (line.recovery_plan, line.recovery_by)
            == (new.recovery_plan, new.recovery_by)
        )
        if unchanged:
            continue
        for measure_id, entry in old.items():
            entry._history_user = user
            if measure_id not in new.quantities:
                entry.delete()
            elif new.quantities[measure_id] != entry.quantity:
                entry.quantity = new.quantities[measure_id]
                entry.save(update_fields=["quantity"])
        for measure_id, quantity in new.quantities.items():
            if measure_id not in old:
                entry = ReturnEntry(line=line, measure_id=measure_id, quantity=quantity)
                entry._history_user = user
                entry.save()
        rates = {ym.measure_id: ym.credits_per_unit for ym in by_code.values()}
        line.delivered_credits = line_credits(new.quantities.items(), rates)
        line.nothing_delivered_reason = new.nothing_delivered_reason
        line.shortfall_reason = new.shortfall_reason
        line.recovery_plan = new.recovery_plan
        line.recovery_by = new.recovery_by
        line.version += 1
        line.updated_at = datetime.datetime.now(tz=datetime.UTC)
        line.updated_by = user
        line._history_user = user
        line.save(update_fields=LINE_FIELDS)
        return_mark_started(annual_return=by_id[line.pk].annual_return, user=user)


def _both_ways(annual_return, lines, changes, user, today=TODAY):
    """Runs the changes one by one, then all at once, each from the same starting
    point (the first run is rolled back); returns both outcomes and stored results."""
    with transaction.atomic():
        single = _one_by_one(lines, changes, user, today)
        single_stored = _stored(annual_return)
        transaction.set_rollback(True)
    with transaction.atomic():
        try:
            bulk = lines_save(
                annual_return=annual_return, changes=changes, user=user, today=today
            )
        except LinesNotSaved as refused:
            bulk = refused
        bulk_stored = _stored(annual_return)
        transaction.set_rollback(True)
    return single, single_stored, bulk, bulk_stored


def _described(error: Exception) -> tuple:
    if isinstance(error, LineConflict):
        return ("conflict", error.line.pk, error.theirs)
    if hasattr(error, "message_dict"):
        return (type(error).__name__, error.message_dict)
    return (type(error).__name__, error.messages)


@pytest.fixture
def world():
    """Lines in every state a save meets: empty, with figures to change, add and
    remove, unchanged, and changed online since the form was loaded."""
    annual_return, lines = _return_with_lines(7)
    empty, mixed, same, reasons, nothing, stale_same, ended = lines
    _entry(mixed, "EMP-FT", 1)
    _entry(mixed, "TRN", 4)
    _entry(same, "VOL", "10.50")
    _entry(stale_same, "EMP-PT", 2)
    ReturnLine.objects.filter(pk=stale_same.pk).update(version=3)
    ReturnLine.objects.filter(pk=ended.pk).update(nothing_delivered_reason="Paused")
    ended.contract.ends_on = datetime.date(2025, 3, 31)
    ended.contract.save()
    for line in lines:
        line.refresh_from_db()
    return annual_return, lines


def test_saving_lines_together_stores_what_saving_them_one_by_one_stores(world):
    annual_return, lines = world
    empty, mixed, same, reasons, nothing, stale_same, ended = lines
    user = factories.UserFactory()
    changes = [
        LineInput(empty.pk, 1, {"EMP-FT": "2", "VOL": "7.5", "WEX": ""}),
        LineInput(mixed.pk, 1, {"EMP-FT": "3", "EMP-BAR": "1", "TRN": None}),
        LineInput(same.pk, 1, {"VOL": "10.5"}),
        LineInput(
            reasons.pk,
            1,
            {"DON-CASH": "£1,250.55"},
            shortfall_reason="  Slow start ",
            recovery_plan="Two apprentices in the spring",
            recovery_by=datetime.date(2026, 6, 30),
        ),
        LineInput(nothing.pk, None, {}, nothing_delivered_reason="Paused all year"),
        LineInput(stale_same.pk, 1, {"EMP-PT": "2"}),
        LineInput(
            ended.pk,
            1,
            {"EMP-FT": "0"},
            shortfall_reason="Ended early",
            recovery_plan="A donation to the tenants' fund",
        ),
    ]

    single, single_stored, bulk, bulk_stored = _both_ways(
        annual_return, lines, changes, user
    )

    assert bulk_stored == single_stored
    assert [line.version for line in bulk] == [line.version for line in single]
    assert [line.delivered_credits for line in bulk] == [
        line.delivered_credits for line in single
    ]
    # The comparison above is only worth something if the saves did all of this:
    assert [line["version"] for line in bulk_stored["lines"]] == [2, 2, 1, 2, 2, 3, 2]
    kinds = {row[3] for row in bulk_stored["entry_history"]}
    assert kinds == {"+", "~", "-"}
    assert [e[0] for e in bulk_stored["events"]] == ["started"]
    assert bulk_stored["status"] == AnnualReturn.Status.IN_PROGRESS


def test_what_lines_save_stores_is_what_the_orms_own_saves_store(world):
    annual_return, lines = world
    empty, mixed, same, reasons, nothing, stale_same, ended = lines
    user = factories.UserFactory()
    changes = [
        LineInput(empty.pk, 1, {"EMP-FT": "2", "VOL": "7.5"}),
        LineInput(mixed.pk, 1, {"EMP-FT": "3", "EMP-BAR": "1"}),
        LineInput(same.pk, 1, {"VOL": "10.5"}),
        LineInput(
            reasons.pk,
            1,
            {"DON-CASH": "1250.55"},
            shortfall_reason="Slow start",
            recovery_plan="Two apprentices",
            recovery_by=datetime.date(2026, 6, 30),
        ),
        LineInput(nothing.pk, 1, {}, nothing_delivered_reason="Paused all year"),
    ]
    with transaction.atomic():
        _row_by_row(lines, changes, user)
        reference = _stored(annual_return)
        transaction.set_rollback(True)
    lines_save(annual_return=annual_return, changes=changes, user=user, today=TODAY)
    assert _stored(annual_return) == reference
    assert {row[3] for row in reference["entry_history"]} == {"+", "~", "-"}


def test_saving_lines_together_refuses_what_line_save_refuses_with_its_messages(world):
    annual_return, lines = world
    empty, mixed, same, reasons, nothing, stale_same, ended = lines
    ReturnLine.objects.filter(pk=same.pk).update(version=2)  # someone saved it since
    user = factories.UserFactory()
    changes = [
        LineInput(empty.pk, 1, {"EMP-FT": "2", "EMP-PT": "1", "EMP-BAR": "4"}),
        LineInput(mixed.pk, 1, {"EMP-FT": "1.5", "VOL": "2.125", "TRN": "-1"}),
        LineInput(same.pk, 1, {"VOL": "12"}),
        LineInput(
            reasons.pk,
            1,
            {"XYZ": "3", "WEX": "three", "DON-CASH": "1e15"},
            recovery_by=datetime.date(2027, 4, 1),
        ),
        LineInput(nothing.pk, 1, {"EMP-FT": "1"}, nothing_delivered_reason="Paused"),
        LineInput(stale_same.pk, 3, {"EMP-PT": "5"}),  # a good line among bad ones
        LineInput(ended.pk, 1, {}, recovery_by=datetime.date(2025, 3, 1)),
    ]

    single, single_stored, refused, bulk_stored = _both_ways(
        annual_return, lines, changes, user
    )

    assert isinstance(refused, LinesNotSaved)
    expected = [
        (given.line_id, _described(outcome))
        for given, outcome in zip(changes, single, strict=True)
        if isinstance(outcome, Exception)
    ]
    assert [(g.line_id, _described(e)) for g, e in refused.failures] == expected
    assert len(expected) == 6
    # All or nothing: the good line was not saved either.
    assert bulk_stored == _stored(annual_return)
    assert single_stored["lines"][5]["version"] == 4


def test_a_save_of_an_excluded_line_is_refused_like_line_save_refuses_it(world):
    annual_return, lines = world
    excluded = lines[0]
    ReturnLine.objects.filter(pk=excluded.pk).update(
        excluded_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
        excluded_reason="Novated",
    )
    excluded.refresh_from_db()
    changes = [LineInput(excluded.pk, 1, {"EMP-FT": "1"})]
    single, _, refused, _ = _both_ways(
        annual_return, lines, changes, factories.UserFactory()
    )
    assert [_described(e) for _, e in refused.failures] == [_described(single[0])]
    assert "has been excluded" in single[0].messages[0]


def test_saving_the_same_figures_again_changes_nothing(world):
    annual_return, lines = world
    user = factories.UserFactory()
    changes = [LineInput(lines[0].pk, 1, {"EMP-FT": "2"})]
    lines_save(annual_return=annual_return, changes=changes, user=user, today=TODAY)
    before = _stored(annual_return)
    again = [LineInput(lines[0].pk, 1, {"EMP-FT": "2.00"})]  # stale, but no change
    lines_save(annual_return=annual_return, changes=again, user=user, today=TODAY)
    assert _stored(annual_return) == before


def _queries_to_save(count: int) -> int:
    annual_return, lines = _return_with_lines(count, prefix=f"Q{count}")
    for line in lines:
        _entry(line, "EMP-FT", 1)
        _entry(line, "TRN", 2)
    changes = [
        LineInput(
            line.pk,
            line.version,
            {"EMP-FT": "3", "VOL": "7.5"},  # one changed, one added, one removed
            shortfall_reason="Slow start",
        )
        for line in lines
    ]
    with CaptureQueriesContext(connection) as queries:
        lines_save(
            annual_return=annual_return,
            changes=changes,
            user=factories.UserFactory(),
            today=TODAY,
        )
    assert ReturnLine.objects.filter(annual_return=annual_return, version=2).count()
    return len(queries.captured_queries)


def test_the_queries_of_saving_lines_together_do_not_grow_with_the_lines():
    assert _queries_to_save(3) == _queries_to_save(30)


def test_saving_no_lines_does_nothing_even_on_a_submitted_return():
    annual_return = factories.AnnualReturnFactory(status=AnnualReturn.Status.SUBMITTED)
    user = factories.UserFactory()
    with CaptureQueriesContext(connection) as queries:
        saved = lines_save(annual_return=annual_return, changes=[], user=user)
    assert saved == []
    assert not [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
