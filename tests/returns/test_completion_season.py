"""The completion page's season figures, cached under the years' tokens: every
change that moves a figure renews its year's token in the same transaction
(database triggers), so the cached figures always equal a recomputation; and a
line's ordinary save renews nothing (no row every save would queue on)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.models import Framework, Lot
from returns.figures.completion_season import (
    compute_season_figures,
    season_figures,
    season_key,
)
from returns.models import AnnualReturn, ReportingYear, ReturnLine, SeasonFiguresToken
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2025, 7, 5)
S = AnnualReturn.Status


@pytest.fixture(autouse=True)
def _after_the_deadline():
    with time_machine.travel(datetime.datetime(2025, 7, 5, 10, 0, tzinfo=LONDON)):
        yield


@pytest.fixture
def years():
    last_year = factories.ReportingYearFactory(first_year=2023)
    year = factories.ReportingYearFactory(first_year=2024)
    lots = [factories.LotFactory(), factories.LotFactory()]
    for which, (y, status, first) in enumerate(
        [
            (year, S.NOT_STARTED, None),
            (year, S.IN_PROGRESS, None),
            (year, S.SUBMITTED, datetime.datetime(2025, 6, 1, 9, tzinfo=LONDON)),
            (year, S.APPROVED, datetime.datetime(2025, 7, 2, 9, tzinfo=LONDON)),
            (last_year, S.APPROVED, datetime.datetime(2024, 6, 20, 9, tzinfo=LONDON)),
            (last_year, S.APPROVED, datetime.datetime(2024, 7, 1, 9, tzinfo=LONDON)),
        ]
    ):
        annual_return = factories.issued_return(
            year=y, status=status, first_submitted_at=first
        )
        factories.ReturnLineFactory(
            annual_return=annual_return, contract__lot=lots[which % 2]
        )
    return year, last_year


def _line(year):
    return ReturnLine.objects.filter(annual_return__year=year).first()


# Each change moves at least one figure, and is made the way no ORM signal sees
# (`QuerySet.update`, bulk deletes) where it can be: the triggers must see it.
CHANGES = {
    "submitted": lambda y, ly: AnnualReturn.objects.filter(
        year=y, status=S.IN_PROGRESS
    ).update(
        status=S.SUBMITTED,
        first_submitted_at=datetime.datetime(2025, 7, 4, 9, tzinfo=LONDON),
    ),
    "not required": lambda y, ly: AnnualReturn.objects.filter(
        year=y, status=S.NOT_STARTED
    ).update(status=S.NOT_REQUIRED),
    "extended": lambda y, ly: AnnualReturn.objects.filter(
        year=y, status=S.NOT_STARTED
    ).update(extended_deadline=datetime.date(2025, 9, 1)),
    "last year's return reopened": lambda y, ly: AnnualReturn.objects.filter(
        year=ly
    ).update(status=S.IN_PROGRESS),
    "line excluded": lambda y, ly: ReturnLine.objects.filter(pk=_line(y).pk).update(
        excluded_at=datetime.datetime(2025, 7, 1, tzinfo=LONDON)
    ),
    "line moved to another lot": lambda y, ly: ReturnLine.objects.filter(
        pk=_line(y).pk
    ).update(lot=factories.LotFactory()),
    "line added": lambda y, ly: factories.ReturnLineFactory(
        annual_return=AnnualReturn.objects.filter(year=y).last(),
        contract__lot=factories.LotFactory(),
    ),
    "line deleted": lambda y, ly: ReturnLine.objects.filter(
        annual_return__year=y
    ).delete(),
    "return added": lambda y, ly: factories.issued_return(year=y),
    "return deleted": lambda y, ly: (
        ReturnLine.objects.filter(
            annual_return__year=y, annual_return__status=S.SUBMITTED
        ).delete(),
        AnnualReturn.objects.filter(year=y, status=S.SUBMITTED).delete(),
    ),
    "deadline moved": lambda y, ly: ReportingYear.objects.filter(pk=y.pk).update(
        deadline=datetime.date(2025, 7, 3)
    ),
    "framework renamed": lambda y, ly: Framework.objects.update(name="Renamed"),
    "lot moved to another framework": lambda y, ly: Lot.objects.filter(
        pk=_line(y).lot_id
    ).update(framework=factories.FrameworkFactory()),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_after_each_change_the_cached_figures_equal_a_recomputation(years, change):
    cache.clear()
    year, last_year = years
    year.refresh_from_db()
    before = season_figures(year=year, last_year=last_year, today=TODAY)
    assert before == compute_season_figures(year=year, last_year=last_year, today=TODAY)
    CHANGES[change](year, last_year)
    year.refresh_from_db()
    last_year.refresh_from_db()
    after = season_figures(year=year, last_year=last_year, today=TODAY)
    recomputed = compute_season_figures(year=year, last_year=last_year, today=TODAY)
    assert after == recomputed
    assert after != before  # each change moves a figure: the cache had to let go


def _tokens(year):
    return set(
        SeasonFiguresToken.objects.filter(year=year).values_list("shard", "token")
    )


def test_a_lines_ordinary_save_renews_no_token(years):
    year, _ = years
    tokens = _tokens(year)
    line = _line(year)
    line.delivered_credits = line.delivered_credits + 1
    line.save()
    ReturnLine.objects.filter(pk=line.pk).update(spend=line.spend + 1)
    assert _tokens(year) == tokens


def test_a_change_renews_only_its_returns_shard(years):
    year, _ = years
    before = dict(_tokens(year))
    annual_return = AnnualReturn.objects.filter(year=year, status=S.NOT_STARTED).get()
    AnnualReturn.objects.filter(pk=annual_return.pk).update(status=S.IN_PROGRESS)
    after = dict(_tokens(year))
    shard = annual_return.pk % SeasonFiguresToken.SHARDS
    assert after[shard] != before[shard]
    assert {k: v for k, v in after.items() if k != shard} == {
        k: v for k, v in before.items() if k != shard
    }


def test_the_key_changes_with_the_day(years):
    year, last_year = years
    today = season_key(year=year, last_year=last_year, today=TODAY)
    tomorrow = season_key(
        year=year, last_year=last_year, today=TODAY + datetime.timedelta(days=1)
    )
    assert today and tomorrow and today != tomorrow


def test_without_a_token_the_figures_are_computed_each_time(years):
    year, last_year = years
    SeasonFiguresToken.objects.filter(year=year).delete()
    assert season_key(year=year, last_year=last_year, today=TODAY) is None
    first = season_figures(year=year, last_year=last_year, today=TODAY)
    AnnualReturn.objects.filter(year=year, status=S.NOT_STARTED).update(
        status=S.NOT_REQUIRED
    )
    assert season_figures(year=year, last_year=last_year, today=TODAY) != first


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_reads_the_cached_figures_in_one_query(team_client, years):
    cache.clear()
    year, _ = years
    url = reverse("team:completion", kwargs={"slug": year.slug})
    first = _queries(team_client, url)
    second = _queries(team_client, url)
    # completion twice, by framework, submissions per day twice: one key read
    assert second == first - 5
    assert second <= 16
    factories.issued_return(year=year)
    assert _queries(team_client, url) == first


@pytest.mark.parametrize("sort", ["supplier", "-deadline", "-lines", "-target"])
def test_each_page_of_the_table_holds_the_rows_of_the_whole_sorted_table(
    team_client, years, monkeypatch, sort
):
    from returns.selectors.chasing import EVERY, chasing_rows

    year, _ = years
    for _ in range(3):
        factories.issued_return(year=year)
    monkeypatch.setattr("returns.views.completion.PAGE_SIZE", 2)
    url = reverse("team:completion", kwargs={"slug": year.slug})
    shown = []
    for number in (1, 2, 3, 4):
        response = team_client.get(url, {"page": number, "sort": sort, "status": EVERY})
        page = response.context["page_obj"]
        shown += [(r.reference, r.line_count, r.target) for r in page]
        assert all(hasattr(r, "contact") for r in page)
    whole = chasing_rows(year=year, today=TODAY, status=EVERY, sort=sort)
    assert shown == [(r.reference, r.line_count, r.target) for r in whole]
    assert len(shown) == 7


def test_every_trigger_is_in_the_database_and_a_lost_one_is_put_back(years):
    from returns.figures.completion_season import missing_triggers, triggers_ensure

    assert missing_triggers() == set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER returns_season_lines_upd ON returns_returnline"
            )
        else:  # as a migration rebuilding the table on SQLite would
            cursor.execute("DROP TRIGGER returns_season_lines_upd")
    assert missing_triggers() == {"returns_season_lines_upd"}
    triggers_ensure()
    assert missing_triggers() == set()
    year, _ = years
    tokens = _tokens(year)
    ReturnLine.objects.filter(pk=_line(year).pk).update(lot=factories.LotFactory())
    assert _tokens(year) != tokens


def test_the_triggers_refuse_a_database_the_portal_does_not_run_on():
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    migration = importlib.import_module("returns.migrations.0016_season_figures_token")
    written = []
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL and SQLite"):
        migration.install(written.append, "mysql")
    assert written == []  # nothing half-installed
