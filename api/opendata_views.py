"""The open data of a published year: no sign-in; an unpublished year is not found."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from returns.selectors import reports

from . import opendata


def _report(year_slug: str) -> reports.ImpactReport:
    return reports.impact_report(year=reports.published_year_or_404(year_slug))


def _download(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


def table_csv(request: HttpRequest, year_slug: str, table: str) -> HttpResponse:
    if table not in opendata.TABLES:
        raise Http404
    report = _report(year_slug)
    return _download(
        HttpResponse(opendata.table_csv(report, table), content_type="text/csv"),
        f"social-value-{year_slug}-{table}.csv",
    )


def tables_json(request: HttpRequest, year_slug: str) -> HttpResponse:
    report = _report(year_slug)
    return _download(
        JsonResponse(opendata.tables_json(report), json_dumps_params={"indent": 1}),
        f"social-value-{year_slug}.json",
    )


def ocds_package(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = reports.published_year_or_404(year_slug)
    uri = request.build_absolute_uri(reverse("open_data:ocds", args=[year.slug]))
    return _download(
        JsonResponse(
            opendata.release_package(year=year, uri=uri),
            json_dumps_params={"indent": 1, "ensure_ascii": False},
        ),
        f"social-value-{year_slug}-ocds.json",
    )
