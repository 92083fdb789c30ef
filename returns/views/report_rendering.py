"""What the team's and the public report pages share: the report, its charts, its
workbook. Kept out of the view modules so both render exactly the same figures."""

from django.http import HttpResponse

from core import charts
from core.exports import xlsx_sheets_bytes
from returns.models import ReportingYear
from returns.selectors import reports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_OUTCOMES = (
    "Employment opportunities",
    "Jobs created",
    "Jobs sustained",
    "Apprenticeships started",
    "Apprenticeships sustained",
    "People trained",
    "Work experience placements",
    "People given careers advice, mentoring or employability support",
)


def _people(value) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _credits(value) -> str:
    return f"{value:,.2f}"


def report_charts(report: reports.ImpactReport) -> dict:
    last = report.last_year
    series = [("0", report.year.label)]
    if last is not None:
        series.append(("1", last.label))
    outcome_rows = [
        (
            charts.shorten(
                "Careers support" if o.label.startswith("People given") else o.label
            ),
            [o.quantity] + ([o.last_year] if last is not None else []),
        )
        for o in report.outcomes
        if o.label in CHART_OUTCOMES
    ]
    frameworks = report.breakdown("framework")
    regions = report.breakdown("region")
    return {
        "outcomes": charts.bar_chart(
            id="chart-outcomes",
            title=f"Outcomes for people, {report.year.label}"
            + (f" and {last.label}" if last else ""),
            summary="The same figures are in the table of outcomes below the chart.",
            series=series,
            rows=outcome_rows,
            formatter=_people,
        ),
        "frameworks": charts.bar_chart(
            id="chart-frameworks",
            title=f"Credits delivered and target by framework, {report.year.label}",
            summary="The same figures are in the table by framework below the chart.",
            series=[("0", "Credits delivered"), ("1", "Target")],
            rows=[
                (charts.shorten(row.name), [row.delivered, row.target])
                for row in frameworks.rows
            ],
            formatter=_credits,
        ),
        "regions": charts.bar_chart(
            id="chart-regions",
            title=f"Employment opportunities by region, {report.year.label}",
            summary="The same figures are in the table by region below the chart.",
            series=[("0", "Employment opportunities")],
            rows=[
                (charts.shorten(row.name), [row.employment_opportunities])
                for row in regions.rows
            ],
            formatter=_people,
        ),
    }


def report_context(year: ReportingYear) -> dict:
    report = reports.impact_report(year=year)
    percent = report.credits_percent
    return {
        "year": year,
        "report": report,
        "charts": report_charts(report),
        "credits_fill": max(0, min(100, percent)) if percent is not None else 0,
        "credit_rows": [
            report.target,
            report.credits,
        ],
    }


def xlsx_response(year: ReportingYear) -> HttpResponse:
    report = reports.impact_report(year=year)
    response = HttpResponse(
        xlsx_sheets_bytes(reports.report_sheets(report)), content_type=XLSX
    )
    response["Content-Disposition"] = (
        f'attachment; filename="impact-report-{year.slug}.xlsx"'
    )
    return response
