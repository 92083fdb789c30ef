"""The annual impact report, for the team: every figure from approved returns, the
year before beside it, and the publish / take down action."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from returns import figures
from returns.models import ReportingYear, YearEvent
from returns.selectors.years import year_by_slug
from returns.services.confirmation import ConfirmationNeeded
from returns.services.reports import ReportProblem, report_publish, report_unpublish
from returns.views import report_rendering

from .access import team_required
from .form_pages import confirmation_page, confirmed


@team_required
def index(request: HttpRequest) -> HttpResponse:
    years = ReportingYear.objects.order_by("-starts_on")
    return render(request, "returns/team/reports/index.html", {"years": years})


@team_required
def report(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = year_by_slug(year_slug)
    context = report_rendering.report_context(year)
    all_lines = figures.totals(lines=figures.counted_lines(year=year))
    context.update(
        {
            "all_lines": all_lines,
            "events": YearEvent.objects.filter(year=year)
            .select_related("actor")
            .order_by("-at", "-pk")[:10],
        }
    )
    return render(request, "returns/team/reports/report.html", context)


@team_required
def export(request: HttpRequest, year_slug: str) -> HttpResponse:
    return report_rendering.xlsx_response(year_by_slug(year_slug))


@team_required
@require_POST
def publish(request: HttpRequest, year_slug: str) -> HttpResponse:
    year = year_by_slug(year_slug)
    if request.POST.get("action") == "unpublish":
        report_unpublish(
            year=year,
            acting_user=request.user,
            reason=request.POST.get("reason", "").strip(),
        )
        messages.success(request, f"The {year.label} report is no longer public.")
    else:
        try:
            report_publish(
                year=year, acting_user=request.user, confirmed=confirmed(request)
            )
        except ConfirmationNeeded as needed:
            return confirmation_page(
                request,
                consequence=needed.consequence,
                title=f"Publish the {year.label} report now?",
                button="Publish anyway",
                back_url=reverse("team:report", args=[year.slug]),
            )
        except ReportProblem as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, f"The {year.label} report is now public.")
    return redirect("team:report", year_slug=year.slug)
