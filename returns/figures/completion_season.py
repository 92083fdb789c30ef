"""The completion page's season figures, computed once per change instead of on
every view.

The page shows, for the year and the year before it: the completion figures
(`completion`), the figures by framework (`completion_by_framework`, the dearest:
every counted line of the year) and first submissions per day
(`submissions_by_day`). They move only when a return, a line, the year, a
framework or a lot changes in a way the figures read, and every such change renews
the year's `SeasonFiguresToken`s in its own transaction (database triggers:
migration `returns 0016`). So the figures are cached under both years' tokens and
today's date (overdue and not yet due move with the day): a change gives a new
key, and no cached figure is older than the last change that moved it.

The tokens are read before the figures are computed: a change committed after the
read may already be in the figures stored under the old key, which makes them
newer than their key, never older.
"""

import datetime
import hashlib

from django.core.cache import cache

from ..models import ReportingYear, SeasonFiguresToken
from .completion_rates import completion, completion_by_framework, submissions_by_day

# The key carries the day and the tokens: the timeout only frees the memory.
TIMEOUT = 24 * 60 * 60


def season_key(
    *, year: ReportingYear, last_year: ReportingYear | None, today: datetime.date
) -> str | None:
    """The cache key of the two years' figures as they stand: every token of both
    years (any change renews one), hashed; None while a year has no token yet (then
    the figures are computed and not kept). One query."""
    years = [year.pk] + ([last_year.pk] if last_year else [])
    tokens = list(
        SeasonFiguresToken.objects.filter(year_id__in=years)
        .order_by("year_id", "shard")
        .values_list("year_id", "shard", "token")
    )
    if {pk for pk, _, _ in tokens} != set(years):
        return None
    state = hashlib.sha256(repr((years, tokens)).encode()).hexdigest()
    return f"completion-season:{today.isoformat()}:{state}"


def compute_season_figures(
    *, year: ReportingYear, last_year: ReportingYear | None, today: datetime.date
) -> dict:
    """The figures from the returns and lines, with no cache."""
    figures = {
        "figures": completion(year=year, today=today),
        "by_framework": completion_by_framework(year=year, today=today),
        "by_day": submissions_by_day(year=year),
        "last_figures": None,
        "last_by_day": None,
    }
    if last_year:
        figures["last_figures"] = completion(year=last_year, today=today)
        figures["last_by_day"] = submissions_by_day(year=last_year)
    return figures


def season_figures(
    *, year: ReportingYear, last_year: ReportingYear | None, today: datetime.date
) -> dict:
    """`compute_season_figures`, from the cache when nothing has moved them since
    they were computed for today: one query then, instead of six."""
    key = season_key(year=year, last_year=last_year, today=today)
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    figures = compute_season_figures(year=year, last_year=last_year, today=today)
    if key is not None:
        cache.set(key, figures, TIMEOUT)
    return figures


def _migration():
    import importlib

    return importlib.import_module("returns.migrations.0016_season_figures_token")


def triggers_ensure(*, using: str = "default") -> None:
    """Puts back any of the tokens' triggers the database lacks (after `migrate`:
    on SQLite a migration that rebuilds a table loses its triggers). Nothing before
    migration 0016 has made the tokens' table."""
    from django.db import connections

    connection = connections[using]
    migration = _migration()
    if migration.TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        if missing_triggers(using=using):
            migration.install(lambda sql: cursor.execute(sql, ()), connection.vendor)


def missing_triggers(*, using: str = "default") -> set[str]:
    """The tokens' triggers the database should have and has not."""
    from django.db import connections

    connection = connections[using]
    migration = _migration()
    names = (
        {name for name, *_ in migration.PG_TRIGGERS}
        if connection.vendor == "postgresql"
        else {name for name, *_ in migration.SQLITE_TRIGGERS}
    )
    with connection.cursor() as cursor:
        return names - migration.installed(cursor, connection.vendor)
