"""The team's search: one box on every team page, results grouped by kind."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns.forms.team import SearchQuery
from returns.selectors.search import team_search

from .access import team_required


@team_required
def search(request: HttpRequest) -> HttpResponse:
    results = team_search(text=SearchQuery(request.GET).values["q"])
    return render(request, "returns/team/search.html", {"results": results})
