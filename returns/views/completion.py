"""The team's completion page, its chasing list export, and each return's chase
history with the chasing actions (reminder now, call or note, extension, not
required). Thin: selectors read, `services.chasing` writes."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.exports import csv_bytes, xlsx_sheets_bytes
from returns import events
from returns.figures import completion as completion_figures
from returns.figures import rate
from returns.figures.completion_season import season_figures
from returns.forms.chasing import (
    ChaseRecordForm,
    CompletionFilterForm,
    ExtensionForm,
    ReasonForm,
)
from returns.models import AnnualReturn, ReportingYear
from returns.selectors.chasing import (
    CHASING_LIST_HEADER,
    chasing_list_rows,
    chasing_page,
    chasing_rows,
    completion_figure_rows,
    incomplete_lines,
    next_in_list,
    previous_year,
    primary_contact,
    same_point_last_year,
    submissions_by_week,
)
from returns.selectors.emails import bouncing
from returns.services import chasing
from returns.services.confirmation import ConfirmationNeeded

from .access import team_required
from .form_pages import confirmation_page, confirmed

PAGE_SIZE = 50


def _year(slug: str) -> ReportingYear:
    return get_object_or_404(ReportingYear, label=slug.replace("-", "/"))


def _team_return(reference: str) -> AnnualReturn:
    return get_object_or_404(
        AnnualReturn.objects.select_related("supplier", "year"), reference=reference
    )


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for errors in error.message_dict.values() for m in errors]
    return error.messages


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: by field where the form has that field."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _filter_query(request: HttpRequest) -> str:
    """The completion page's filters from the query string, without the page."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _chart(weeks) -> dict:
    """Bar positions for the server-drawn SVG chart (the table beside it carries the
    same numbers for screen readers and anyone who prefers it)."""
    width, height, left, bottom = 720, 220, 40, 30
    counts = [w.this_year or 0 for w in weeks] + [w.last_year or 0 for w in weeks]
    top = max(counts + [1])
    slot = (width - left) / max(len(weeks), 1)
    bar = max(slot / 2 - 2, 1)
    plot = height - bottom - 10
    bars = []
    deadline_x = None
    for i, week in enumerate(weeks):
        x = left + i * slot
        for offset, value, kind in (
            (0, week.last_year, "last"),
            (bar, week.this_year, "this"),
        ):
            if value:
                h = plot * value / top
                bars.append(
                    {
                        "x": round(x + offset + 1, 1),
                        "y": round(height - bottom - h, 1),
                        "width": round(bar, 1),
                        "height": round(h, 1),
                        "kind": kind,
                    }
                )
        if week.index == 0:
            deadline_x = round(x + slot, 1)
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "top": top,
        "axis_y": height - bottom,
        "left": left,
        "deadline_x": deadline_x,
    }


@team_required
def completion(request: HttpRequest, slug: str) -> HttpResponse:
    year = _year(slug)
    if request.method == "POST":
        return _remind_selected(request, year)
    today = timezone.localdate()
    form = CompletionFilterForm(request.GET)
    filters = form.cleaned()
    rows = chasing_rows(year=year, today=today, **filters)
    page = chasing_page(rows, form.values["page"], PAGE_SIZE)
    for annual_return in page:
        annual_return.contact = primary_contact(annual_return)
    last_year = previous_year(year)
    # The season's figures move only with a change, not with each view: cached.
    season = season_figures(year=year, last_year=last_year, today=today)
    figures = season["figures"]
    # Last year's first submissions feed the chart and the same-point comparison.
    weeks = submissions_by_week(
        year=year,
        today=today,
        last_year=last_year,
        last_by_day=season["last_by_day"],
        this_by_day=season["by_day"],
    )
    comparison = None
    if last_year:
        day, submitted = same_point_last_year(
            year=year,
            last_year=last_year,
            today=today,
            last_by_day=season["last_by_day"],
        )
        expected = season["last_figures"]["expected"]
        comparison = {
            "year": last_year,
            "day": day,
            "submitted": submitted,
            "expected": expected,
            "rate": rate(submitted, expected),
        }
    return render(
        request,
        "returns/team/completion.html",
        {
            "year": year,
            "today": today,
            "figures": figures,
            "figure_rows": completion_figure_rows(figures),
            "by_framework": season["by_framework"],
            "weeks": weeks,
            "chart": _chart(weeks),
            "comparison": comparison,
            "form": form,
            "chosen_figure": dict(form.fields["figure"].choices).get(
                filters["figure"], ""
            ),
            "page_obj": page,
            "token": uuid.uuid4().hex,
            "export_query": request.GET.urlencode(),
            "filter_query": _filter_query(request),
        },
    )


def _remind_selected(request: HttpRequest, year: ReportingYear) -> HttpResponse:
    references = request.POST.getlist("selected")
    selected = list(
        AnnualReturn.objects.filter(year=year, reference__in=references).select_related(
            "supplier"
        )
    )
    try:
        emails = chasing.reminders_send_now(
            annual_returns=selected,
            acting_user=request.user,
            token=request.POST.get("token") or uuid.uuid4().hex,
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Reminder sent for {len(selected)} return{'s' if len(selected) != 1 else ''}"
            f" ({emails} email{'s' if emails != 1 else ''}).",
        )
    return redirect(request.get_full_path())


@team_required
def chasing_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The supplier table, filtered as on the page, as xlsx (default) or CSV."""
    year = _year(slug)
    today = timezone.localdate()
    form = CompletionFilterForm(request.GET)
    filters = form.cleaned()
    rows = chasing_list_rows(chasing_rows(year=year, today=today, **filters))
    name = f"chasing-list-{year.slug}-{today:%Y-%m-%d}"
    if form.values["format"] == "csv":
        response = HttpResponse(
            csv_bytes(CHASING_LIST_HEADER, rows), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    figure_rows = completion_figure_rows(completion_figures(year=year, today=today))
    response = HttpResponse(
        xlsx_sheets_bytes(
            [
                (
                    f"Chasing {year.slug}",
                    CHASING_LIST_HEADER,
                    rows,
                    {0: 36, 2: 20, 3: 26, 10: 28, 11: 32},
                ),
                (
                    "Completion",
                    ["Figure", "Returns", "Of those expected (%)"],
                    [[r["label"], r["count"], r["rate"]] for r in figure_rows],
                ),
            ]
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@team_required
def chase_history(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = _team_return(reference)
    record_form = ChaseRecordForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "remind":
                emails = chasing.reminders_send_now(
                    annual_returns=[annual_return],
                    acting_user=request.user,
                    token=request.POST.get("token") or uuid.uuid4().hex,
                )
                messages.success(
                    request,
                    f"Reminder sent ({emails} email{'s' if emails != 1 else ''}).",
                )
                return redirect(request.path)
            record_form = ChaseRecordForm(request.POST)
            if record_form.is_valid():
                chasing.reminder_record(
                    annual_return=annual_return,
                    channel=record_form.cleaned_data["channel"],
                    note=record_form.cleaned_data["note"],
                    acting_user=request.user,
                )
                label = dict(record_form.fields["channel"].choices)[
                    record_form.cleaned_data["channel"]
                ]
                messages.success(request, f"{label} recorded.")
                return redirect(request.path)
        except ValidationError as error:
            if action == "remind":
                for message in _messages_of(error):
                    messages.error(request, message)
                return redirect(request.path)
            _add_errors(record_form, error)
    contacts = (
        annual_return.supplier.contacts.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(email_bouncing=bouncing())
        .order_by("-is_primary", "user__email")
    )
    history = annual_return.reminders.select_related("sent_by").order_by("-sent_at")
    decisions = (
        annual_return.events.filter(
            kind__in=[events.EXTENDED, events.NOT_REQUIRED, events.REQUIRED_AGAIN]
        )
        .select_related("actor")
        .order_by("-at")
    )
    today = timezone.localdate()
    # The completion page's filter comes along, for "next supplier" and the way back.
    filters = CompletionFilterForm(request.GET).cleaned()
    filter_query = _filter_query(request)
    following = next_in_list(
        year=annual_return.year,
        today=today,
        reference=annual_return.reference,
        **filters,
    )
    return render(
        request,
        "returns/team/chase_history.html",
        {
            "incomplete": incomplete_lines(annual_return)
            if annual_return.status in chasing.CHASED
            or annual_return.status == AnnualReturn.Status.RETURNED
            else [],
            "next_url": (
                reverse("team:chase_history", args=[following])
                + (f"?{filter_query}" if filter_query else "")
            )
            if following
            else None,
            "filter_query": filter_query,
            "annual_return": annual_return,
            "contacts": contacts,
            "history": history,
            "decisions": [(event, events.label(event.kind)) for event in decisions],
            "record_form": record_form,
            "token": uuid.uuid4().hex,
            "chased": annual_return.status in chasing.CHASED,
            "overdue": annual_return.status in chasing.CHASED
            and today > annual_return.effective_deadline,
            "completion_url": reverse(
                "team:completion", kwargs={"slug": annual_return.year.slug}
            )
            + (f"?{filter_query}#suppliers" if filter_query else ""),
        },
    )


@team_required
def return_extend(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = _team_return(reference)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chasing.return_extend(
                annual_return=annual_return,
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Deadline extended to {form.cleaned_data['deadline']:%-d %B %Y}.",
            )
            return redirect("team:chase_history", reference=reference)
    return render(
        request,
        "returns/team/return_extend.html",
        {"annual_return": annual_return, "form": form},
    )


@team_required
def return_not_required(request: HttpRequest, reference: str) -> HttpResponse:
    """Marks a return not required, or (if it is) required again; each with a reason."""
    annual_return = _team_return(reference)
    back = annual_return.status == AnnualReturn.Status.NOT_REQUIRED
    label = "Mark as required again" if back else "Mark as not required"
    form = ReasonForm(request.POST or None, submit_label=label)
    if request.method == "POST" and form.is_valid():
        service = (
            chasing.return_mark_required if back else chasing.return_mark_not_required
        )
        extra = {} if back else {"confirmed": confirmed(request)}
        try:
            service(
                annual_return=annual_return,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
                **extra,
            )
        except ConfirmationNeeded as needed:
            return confirmation_page(
                request,
                consequence=needed.consequence,
                title=f"Mark {annual_return.reference} not required?",
                button="Mark as not required anyway",
                back_url=reverse("team:chase_history", args=[reference]),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                "Marked as required again." if back else "Marked as not required.",
            )
            return redirect("team:chase_history", reference=reference)
    return render(
        request,
        "returns/team/return_not_required.html",
        {"annual_return": annual_return, "form": form, "back": back, "label": label},
    )
