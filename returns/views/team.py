from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns.models import AnnualReturn, ReportingYear
from returns.selectors.emails import failed_email_count

from .access import team_required


@team_required
def home(request: HttpRequest) -> HttpResponse:
    years = ReportingYear.objects.annotate(return_count=Count("returns")).order_by(
        "-starts_on"
    )
    status_counts = dict(
        AnnualReturn.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    return render(
        request,
        "returns/team/home.html",
        {
            "years": years,
            "status_counts": status_counts,
            "failed_emails": failed_email_count(),
        },
    )
