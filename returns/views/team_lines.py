"""The team's page of what hangs off one line: evidence, case studies, queries."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import is_administrator
from returns.selectors import attachments

from .access import team_required


@team_required
def line_attachments(request: HttpRequest, pk: int) -> HttpResponse:
    line = attachments.team_line_get(pk=pk)
    return render(
        request,
        "returns/attachments/team_line.html",
        {
            "line": line,
            "evidence": attachments.line_evidence(line=line),
            "case_studies": attachments.line_case_studies(line=line),
            "queries": attachments.line_queries(line=line),
            "can_erase": is_administrator(request.user),
        },
    )
