"""History an auditor can read: who changed what, when, before → after; exportable."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.exports import csv_bytes
from returns.forms.team import FormatQuery
from returns.selectors.history import object_history
from returns.templatetags.figures_format import moment, shown

from .access import team_required


@team_required
def history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    found = object_history(kind=kind, pk=pk)
    if found is None:
        raise Http404
    title, rows = found
    if FormatQuery(request.GET).values["format"] == "csv":
        response = HttpResponse(
            csv_bytes(
                ["When", "Who", "Action", "Of", "Why", "Field", "Before", "After"],
                (
                    [
                        moment(row.when),
                        row.who,
                        row.action,
                        row.subject,
                        row.reason,
                        change.field,
                        ""
                        if change.before is None
                        else shown(change.before, change.unit),
                        shown(change.after, change.unit),
                    ]
                    for row in rows
                    for change in (row.changes or [None])
                    if change is not None
                ),
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="history-{kind}-{pk}.csv"'
        )
        return response
    return render(
        request,
        "returns/team/history.html",
        {"title": title, "rows": rows, "kind": kind, "pk": pk},
    )
