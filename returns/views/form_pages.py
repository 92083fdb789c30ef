"""The one pattern of a page with one form: on a valid POST call a service; a
refusal (`ValidationError`) shows the page again with the service's words and 400;
success flashes a message and redirects."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from returns.forms.attachments import EraseForm


def first_message(form: Form, error: ValidationError) -> None:
    form.add_error(None, error.messages[0])


def form_page(
    request: HttpRequest,
    *,
    form: Form,
    action: Callable[[dict], object],
    success: str | Callable[[object], str],
    next_url: str,
    template: str,
    context: dict,
    on_refusal: Callable[[Form, ValidationError], None] = first_message,
) -> HttpResponse:
    """Render `template` with `form`, or run `action(cleaned_data)` on a valid POST;
    `success` may be a function of what the action returned."""
    if request.method == "POST" and form.is_valid():
        try:
            done = action(form.cleaned_data)
        except ValidationError as error:
            on_refusal(form, error)
        else:
            messages.success(request, success(done) if callable(success) else success)
            return redirect(next_url)
    return render(
        request,
        template,
        {**context, "form": form},
        status=400 if form.errors else 200,
    )


def erase_page(
    request: HttpRequest,
    *,
    attachment,
    erase: Callable[[str], object],
    what: str,
    success: str,
) -> HttpResponse:
    """An administrator's erase page for evidence or a case study of a line: a reason,
    then `erase(reason)`; nothing happens to what is already erased."""
    back = reverse("team:line_attachments", kwargs={"pk": attachment.line_id})
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not attachment.erased_at:
        erase(form.cleaned_data["reason"])
        messages.success(request, success)
        return redirect(back)
    return render(
        request,
        "returns/attachments/erase.html",
        {
            "form": form,
            "back": back,
            "what": what,
            "already_erased": attachment.erased_at,
            "line": attachment.line,
        },
        status=400 if form.errors else 200,
    )


CONFIRM_FIELD = "confirm"


def confirmed(request: HttpRequest) -> bool:
    """The team pressed the confirmation page's button (it posts `confirm=yes`)."""
    return request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    consequence: str,
    title: str,
    button: str,
    back_url: str,
) -> HttpResponse:
    """What a decision will do, in numbers, with a button that posts the same form
    again with `confirm=yes` (the form's own fields carried through), and a way back
    that changes nothing. 409: the decision is waiting on the team."""
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for value in values
    ]
    return render(
        request,
        "returns/team/confirm.html",
        {
            "consequence": consequence,
            "title": title,
            "button": button,
            "back_url": back_url,
            "action": request.get_full_path(),
            "carried": carried,
        },
        status=409,
    )
