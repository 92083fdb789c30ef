"""The published impact report: public, no sign-in, 404 until the team publishes it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns.models import ReportingYear
from returns.selectors import reports
from returns.views import report_rendering


def index(request: HttpRequest) -> HttpResponse:
    years = ReportingYear.objects.filter(report_published_at__isnull=False).order_by(
        "-starts_on"
    )
    return render(request, "returns/impact/index.html", {"years": years})


def report(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = reports.published_year_or_404(year_slug)
    return render(
        request, "returns/impact/report.html", report_rendering.report_context(year)
    )


def export(request: HttpRequest, year_slug: str) -> HttpResponse:
    return report_rendering.xlsx_response(reports.published_year_or_404(year_slug))
