"""The published impact report: public, no sign-in, 404 until the team publishes it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns import report_views, reports
from returns.models import ReportingYear


def index(request: HttpRequest) -> HttpResponse:
    years = ReportingYear.objects.filter(report_published_at__isnull=False).order_by(
        "-starts_on"
    )
    return render(request, "returns/impact/index.html", {"years": years})


def report(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = reports.published_year_or_404(year_slug)
    return render(
        request, "returns/impact/report.html", report_views.report_context(year)
    )


def export(request: HttpRequest, year_slug: str) -> HttpResponse:
    return report_views.xlsx_response(reports.published_year_or_404(year_slug))
