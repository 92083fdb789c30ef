"""Line queries: a contact raises one on their line; the team answers from its desk."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from returns import attachments
from returns.attachment_forms import LineQueryForm, QueryAnswerForm
from returns.models import AnnualReturn, LineQuery
from returns.services.queries import REASONS, query_answer, query_raise
from returns.services.spend_corrections import (
    correction_refusal,
    line_quarter_valuations,
)

from .access import supplier_or_team_required, team_required
from .supplier.common import line_for


@supplier_or_team_required
def line_queries(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    line = line_for(request, reference, pk)
    form = LineQueryForm()
    if request.method == "POST":
        form = LineQueryForm(request.POST)
        if form.is_valid():
            try:
                query_raise(
                    line=line,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                )
            except ValidationError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request,
                    "Query sent to the social value team. You can still submit "
                    "your return while it is open.",
                )
                return redirect(request.path)
    return render(
        request,
        "returns/attachments/line_queries.html",
        {
            "line": line,
            "annual_return": line.annual_return,
            "queries": attachments.line_queries(line=line),
            "form": form,
            "can_raise": line.annual_return.status
            not in (AnnualReturn.Status.APPROVED, AnnualReturn.Status.NOT_REQUIRED),
        },
        status=400 if form.errors else 200,
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
    query = get_object_or_404(
        LineQuery.objects.select_related(
            "line__annual_return__supplier",
            "line__annual_return__year",
            "line__contract__lot",
            "line__member",
            "raised_by",
            "answered_by",
        ),
        pk=query_id,
    )
    line = query.line
    refusal = correction_refusal(line)
    quarters = [] if refusal else line_quarter_valuations(line=line)
    form = QueryAnswerForm(request.POST or None, quarters=quarters)
    if request.method == "POST" and form.is_valid():
        try:
            query_answer(
                query=query,
                acting_user=request.user,
                answer=form.cleaned_data["answer"],
                exclude_line=form.cleaned_data["exclude_line"],
                valuations=form.valuations(),
                valuations_were=form.valuations_were(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Query answered")
            return redirect(reverse("team:queries"))
    return render(
        request,
        "returns/attachments/team_query_answer.html",
        {
            "query": query,
            "line": line,
            "form": form,
            "correction_refusal": refusal,
            "spend_wrong": query.text.startswith(REASONS["spend_wrong"]),
        },
        status=400 if form.errors else 200,
    )


def _add_service_errors(form: QueryAnswerForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        form.add_error(form.service_field(key), messages_)
