"""The open data of a published year: no sign-in; an unpublished year is not found.

Each file is built once and kept in the cache for `OPEN_DATA_CACHE_SECONDS`, under a
key holding the year's publication time: anyone may ask for a large year's OCDS
package as often as they like without rebuilding it each time, and publishing again
starts new files. (A correction to an approved return after publication reaches the
files within that time; the report's page shows it at once.)"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from returns.models import ReportingYear
from returns.selectors import reports

from . import opendata


def _cached(year: ReportingYear, kind: str, build) -> bytes:
    key = f"open-data:{year.pk}:{year.report_published_at.timestamp()}:{kind}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, settings.OPEN_DATA_CACHE_SECONDS)
    return body


def _json(data) -> bytes:
    return json.dumps(
        data, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False
    ).encode()


def _download(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def table_csv(request: HttpRequest, year_slug: str, table: str) -> HttpResponse:
    if table not in opendata.TABLES:
        raise Http404
    year = reports.published_year_or_404(year_slug)
    body = _cached(
        year,
        f"csv:{table}",
        lambda: opendata.table_csv(reports.impact_report(year=year), table),
    )
    return _download(body, "text/csv", f"social-value-{year_slug}-{table}.csv")


def tables_json(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = reports.published_year_or_404(year_slug)
    body = _cached(
        year,
        "tables",
        lambda: _json(opendata.tables_json(reports.impact_report(year=year))),
    )
    return _download(body, "application/json", f"social-value-{year_slug}.json")


def ocds_package(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = reports.published_year_or_404(year_slug)
    # The package's own address, from the portal's public address (not the request's
    # Host header): the same file whoever asks.
    uri = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "open_data:ocds", args=[year.slug]
    )
    body = _cached(
        year,
        "ocds",
        lambda: _json(opendata.release_package(year=year, uri=uri)),
    )
    return _download(body, "application/json", f"social-value-{year_slug}-ocds.json")
