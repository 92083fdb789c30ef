"""The team desk (`/team/`): what needs the team today for the year in season, each
figure a link to the list behind it; and the list of contacts who never signed in."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from returns.forms.team import PageQuery
from returns.models import ReportingYear
from returns.selectors.desk import contacts_never_signed_in, return_count, team_desk
from returns.selectors.years import current_reporting_year

from .access import team_required

PAGE_SIZE = 50


@team_required
def home(request: HttpRequest) -> HttpResponse:
    years = ReportingYear.objects.annotate(return_count=return_count()).order_by(
        "-starts_on"
    )
    desk = team_desk(year=current_reporting_year(), today=timezone.localdate())
    return render(request, "returns/team/home.html", {"years": years, "desk": desk})


@team_required
def never_signed_in(request: HttpRequest) -> HttpResponse:
    contacts = (
        contacts_never_signed_in()
        .select_related("user", "supplier")
        .order_by("supplier__name", "user__email", "pk")
    )
    page = Paginator(contacts, PAGE_SIZE).get_page(
        PageQuery(request.GET).values["page"]
    )
    return render(
        request,
        "returns/team/never_signed_in.html",
        {"page_obj": page, "contacts": page.object_list},
    )
