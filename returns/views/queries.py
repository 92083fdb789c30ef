"""Line queries: a contact raises one on their line; the team answers from its desk."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from returns.forms.attachments import LineQueryForm, QueryAnswerForm
from returns.models import AnnualReturn
from returns.selectors import attachments
from returns.services.queries import REASONS, query_answer, query_raise
from returns.services.spend_corrections import (
    correction_refusal,
    line_quarter_valuations,
)

from .access import supplier_or_team_required, team_required
from .form_pages import form_page
from .supplier.common import line_for


@supplier_or_team_required
def line_queries(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    line = line_for(request, reference, pk)
    return form_page(
        request,
        form=LineQueryForm(request.POST if request.method == "POST" else None),
        action=lambda data: query_raise(
            line=line,
            acting_user=request.user,
            reason=data["reason"],
            text=data["text"],
        ),
        success="Query sent to the social value team. You can still submit "
        "your return while it is open.",
        next_url=request.path,
        template="returns/attachments/line_queries.html",
        context={
            "line": line,
            "annual_return": line.annual_return,
            "queries": attachments.line_queries(line=line),
            "can_raise": line.annual_return.status
            not in (AnnualReturn.Status.APPROVED, AnnualReturn.Status.NOT_REQUIRED),
        },
    )


@team_required
def open_queries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/attachments/team_queries.html",
        {"queries": list(attachments.open_queries())},
    )


@team_required
def answer(request: HttpRequest, query_id: int) -> HttpResponse:
    query = attachments.team_query_get(pk=query_id)
    line = query.line
    refusal = correction_refusal(line)
    quarters = [] if refusal else line_quarter_valuations(line=line)
    form = QueryAnswerForm(request.POST or None, quarters=quarters)
    return form_page(
        request,
        form=form,
        action=lambda data: query_answer(
            query=query,
            acting_user=request.user,
            answer=data["answer"],
            exclude_line=data["exclude_line"],
            valuations=form.valuations(),
            valuations_were=form.valuations_were(),
        ),
        success="Query answered",
        next_url=reverse("team:queries"),
        template="returns/attachments/team_query_answer.html",
        context={
            "query": query,
            "line": line,
            "correction_refusal": refusal,
            "spend_wrong": query.text.startswith(REASONS["spend_wrong"]),
        },
        on_refusal=_add_service_errors,
    )


def _add_service_errors(form: QueryAnswerForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        form.add_error(form.service_field(key), messages_)
