"""The help pages (public), a supplier's requests of the team, and the team's list
and decision page. Thin: a selector to read, one service on a valid form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from returns.selectors.access import supplier_return_get
from returns.selectors.attachments import supplier_line_get
from returns.views.access import supplier_required, team_required

from . import selectors, services, walkthrough
from .forms import (
    AnswerForm,
    DecisionForm,
    ExtensionRequestForm,
    HelpForm,
    MissingContractForm,
    ReopenRequestForm,
    RequestListForm,
)
from .models import SupportRequest

PAGE_SIZE = 50  # the team's list of requests


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "support/help.html", {"contact": selectors.team_contact()})


def guidance(request: HttpRequest) -> HttpResponse:
    return render(
        request, "support/guidance.html", {"contact": selectors.team_contact()}
    )


def how_to(request: HttpRequest) -> HttpResponse:
    return render(request, "support/how_to.html", {"steps": walkthrough.STEPS})


def _refused(form: Form, error: ValidationError) -> None:
    """The service's words on the field they are about, or on the form."""
    if hasattr(error, "error_dict"):
        for key, words in error.message_dict.items():
            form.add_error(form.service_field(key), words)
    else:
        form.add_error(None, error.messages)


def _handle(request, form: Form, action, *, success: str, template: str, context):
    """On a valid POST, run the service; go to the request it made or decided."""
    if request.method == "POST" and form.is_valid():
        try:
            done = action(form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or services.NOT_TEAM)
        else:
            messages.success(request, success)
            return redirect(context["next"](done))
    return render(
        request, template, {**context, "form": form}, status=400 if form.errors else 200
    )


def _supplier_next(done: SupportRequest) -> str:
    return reverse("support:request", args=[done.annual_return.reference, done.pk])


@supplier_required
def requests_page(request: HttpRequest, reference: str) -> HttpResponse:
    """Everything asked of the team about a return, and the ways to ask."""
    annual_return = supplier_return_get(user=request.user, reference=reference)
    return render(
        request,
        "support/requests.html",
        {
            "annual_return": annual_return,
            "requests": selectors.supplier_requests_for_return(
                user=request.user, annual_return=annual_return
            ),
            "contact": selectors.team_contact(),
        },
    )


@supplier_required
def ask_help(
    request: HttpRequest, reference: str, line_id: int | None = None
) -> HttpResponse:
    if line_id is not None:
        line = supplier_line_get(user=request.user, reference=reference, pk=line_id)
        annual_return = line.annual_return
    else:
        line = None
        annual_return = supplier_return_get(user=request.user, reference=reference)
    contact = request.user.supplier_contacts.filter(
        supplier_id=annual_return.supplier_id
    ).first()
    form = HelpForm(
        request.POST or None,
        initial={"phone": contact.phone if contact else ""},
    )
    return _handle(
        request,
        form,
        lambda data: services.help_request_raise(
            annual_return=annual_return,
            line=line,
            acting_user=request.user,
            message=data["message"],
            call_me=data["call_me"],
            phone=data["phone"],
        ),
        success="Your question has gone to the social value team. They will "
        "answer here and by email.",
        template="support/ask_help.html",
        context={
            "annual_return": annual_return,
            "line": line,
            "contact": selectors.team_contact(),
            "next": _supplier_next,
        },
    )


def _request_page(request, reference: str, *, form_class, raise_, title, success):
    annual_return = supplier_return_get(user=request.user, reference=reference)
    form = form_class(request.POST or None)
    return _handle(
        request,
        form,
        lambda data: raise_(annual_return, data),
        success=success,
        template="support/ask.html",
        context={
            "annual_return": annual_return,
            "title": title,
            "kind": form_class.__name__,
            "next": _supplier_next,
        },
    )


@supplier_required
def ask_extension(request: HttpRequest, reference: str) -> HttpResponse:
    return _request_page(
        request,
        reference,
        form_class=ExtensionRequestForm,
        raise_=lambda annual_return, data: services.extension_request_raise(
            annual_return=annual_return,
            acting_user=request.user,
            deadline=data["deadline"],
            reason=data["reason"],
        ),
        title="Ask for more time",
        success="Your request for more time has gone to the social value team.",
    )


@supplier_required
def ask_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    return _request_page(
        request,
        reference,
        form_class=ReopenRequestForm,
        raise_=lambda annual_return, data: services.reopen_request_raise(
            annual_return=annual_return,
            acting_user=request.user,
            reason=data["reason"],
        ),
        title="Ask to reopen your return to correct it",
        success="Your request to reopen the return has gone to the social value team.",
    )


@supplier_required
def ask_missing_contract(request: HttpRequest, reference: str) -> HttpResponse:
    return _request_page(
        request,
        reference,
        form_class=MissingContractForm,
        raise_=lambda annual_return, data: services.missing_contract_request_raise(
            annual_return=annual_return,
            acting_user=request.user,
            member=data["member"],
            contract_reference=data["contract_reference"],
            contract_title=data["contract_title"],
            spend=data["spend"],
            message=data["message"],
        ),
        title="Tell the team about a contract missing from your return",
        success="The social value team has been told about the missing contract.",
    )


@supplier_required
def request_detail(
    request: HttpRequest, reference: str, request_id: int
) -> HttpResponse:
    support_request = selectors.supplier_request_get(
        user=request.user, reference=reference, pk=request_id
    )
    return render(
        request,
        "support/request.html",
        {
            "support_request": support_request,
            "annual_return": support_request.annual_return,
        },
    )


@team_required
def team_list(request: HttpRequest) -> HttpResponse:
    values = RequestListForm(request.GET).values
    show = values["show"] or "open"
    page_obj = Paginator(selectors.team_requests(show=show), PAGE_SIZE).get_page(
        values["page"]
    )
    return render(
        request,
        "support/team_list.html",
        {"requests": page_obj.object_list, "page_obj": page_obj, "show": show},
    )


@team_required
def team_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    support_request = selectors.team_request_get(pk=request_id)
    if support_request.kind == SupportRequest.Kind.HELP:
        form = AnswerForm(request.POST or None)

        def action(data):
            return services.help_request_answer(
                support_request=support_request,
                acting_user=request.user,
                answer=data["answer"],
            )

    else:
        form = DecisionForm(
            request.POST or None,
            kind=support_request.kind,
            requested=support_request.requested_deadline,
            reference=support_request.contract_reference,
        )

        def action(data):
            return services.support_request_decide(
                support_request=support_request,
                acting_user=request.user,
                grant=data["decision"] == "grant",
                reason=data["reason"],
                deadline=data.get("deadline"),
                contract_reference=data.get("contract_reference") or "",
            )

    return _handle(
        request,
        form,
        action,
        success="The supplier has been told.",
        template="support/team_detail.html",
        context={
            "support_request": support_request,
            "annual_return": support_request.annual_return,
            "named_contract": selectors.contract_named_by(support_request),
            "next": lambda done: reverse("support_team:detail", args=[done.pk]),
        },
    )
