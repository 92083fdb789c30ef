"""The team's reporting-year pages: open a year, change its settings and credit
values until issue, check the dry run, mark it ready, issue it, see each run."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from returns.forms.years import YearMeasuresForm, YearOpenForm, YearSettingsForm
from returns.models import IssueRun, ReportingYear, YearMeasure
from returns.selectors.runs import issue_runs_stalled
from returns.selectors.years import year_by_slug
from returns.services import (
    issue_plan,
    year_mark_ready,
    year_open,
    year_withdraw_ready,
)
from returns.services.confirmation import ConfirmationNeeded
from returns.services.issuing import (
    year_measures_update,
    year_update,
)
from returns.services.issuing.plan import WARNING_LABELS
from returns.services.issuing.readiness import issue_run_start
from returns.services.years import label_for, year_dates

from .access import team_required
from .form_pages import confirmation_page, confirmed

RUNS_SHOWN = 10


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def warnings_for(summary: dict, year: ReportingYear) -> list[dict]:
    """The summary's warnings, in words, with up to 20 examples each."""
    examples = summary.get("warning_examples", {})
    return [
        {
            "label": WARNING_LABELS.get(key, key).format(ends_on=year.ends_on),
            "count": count,
            "examples": examples.get(key, []),
        }
        for key, count in summary.get("warnings", {}).items()
        if count
    ]


def _status(year: ReportingYear) -> tuple[str, str]:
    if year.issued_at:
        return "Issued", "green"
    if year.ready_at:
        return "Ready to issue", "blue"
    return "Not ready", "grey"


@team_required
def years(request: HttpRequest) -> HttpResponse:
    rows = list(
        ReportingYear.objects.annotate(return_count=Count("returns")).order_by(
            "-starts_on"
        )
    )
    for year in rows:
        year.status_label, year.status_colour = _status(year)
    return render(request, "returns/team/years/list.html", {"years": rows})


def _suggested_year() -> dict:
    latest = ReportingYear.objects.order_by("-starts_on").first()
    if latest:
        starts_on = datetime.date(latest.starts_on.year + 1, 4, 1)
    else:
        today = timezone.localdate()
        starts_on = datetime.date(today.year - (today.month < 4) - 1, 4, 1)
    _, ends_on = year_dates(label_for(starts_on))
    return {
        "label": label_for(starts_on),
        "issue_on": ends_on + datetime.timedelta(days=14),
        "deadline": datetime.date(ends_on.year, 6, 30),
        "credits_per_100k": latest.credits_per_100k if latest else 10,
        "spend_threshold": latest.spend_threshold if latest else 100000,
        "reminder_offsets": latest.reminder_offsets
        if latest
        else [-14, -7, -1, 1, 7, 14, 28],
    }


@team_required
def year_open_view(request: HttpRequest) -> HttpResponse:
    form = YearOpenForm(request.POST or None, initial=_suggested_year())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            year = year_open(
                label=data["label"],
                issue_on=data["issue_on"],
                deadline=data["deadline"],
                credits_per_100k=data["credits_per_100k"],
                spend_threshold=data["spend_threshold"],
                reminder_offsets=data["reminder_offsets"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                f"Reporting year {year.label} opened, with the credit values of "
                "the year before",
            )
            return redirect("team:year_detail", slug=year.slug)
    return render(request, "returns/team/years/open.html", {"form": form})


@team_required
def year_detail(request: HttpRequest, slug: str) -> HttpResponse:
    year = year_by_slug(slug)
    plan = issue_plan(year=year)
    summary = plan.summary()
    status_label, status_colour = _status(year)
    runs = list(
        IssueRun.objects.filter(year=year)
        .select_related("started_by")
        .order_by("-started_at")[:RUNS_SHOWN]
    )
    return render(
        request,
        "returns/team/years/detail.html",
        {
            "year": year,
            "summary": summary,
            "warnings": warnings_for(summary, year),
            "status_label": status_label,
            "status_colour": status_colour,
            "runs": runs,
            "stalled": issue_runs_stalled(runs),
            "measure_count": YearMeasure.objects.filter(year=year).count(),
            "today": timezone.localdate(),
        },
    )


@team_required
def year_edit(request: HttpRequest, slug: str) -> HttpResponse:
    year = year_by_slug(slug)
    frozen = year.issued_at is not None
    initial = {
        "issue_on": year.issue_on,
        "deadline": year.deadline,
        "credits_per_100k": year.credits_per_100k,
        "spend_threshold": year.spend_threshold,
        "reminder_offsets": year.reminder_offsets,
        "flag_ratio": year.flag_ratio,
        "flag_floor": year.flag_floor,
        "flag_target_ratio": year.flag_target_ratio,
        "flag_same_people_contracts": year.flag_same_people_contracts,
    }
    form = YearSettingsForm(request.POST or None, initial=initial, frozen=frozen)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        was_ready = year.ready_at is not None
        try:
            year = year_update(
                year=year,
                acting_user=request.user,
                deadline=data["deadline"],
                reminder_offsets=data["reminder_offsets"],
                issue_on=data.get("issue_on"),
                credits_per_100k=data.get("credits_per_100k"),
                spend_threshold=data.get("spend_threshold"),
                flag_ratio=data.get("flag_ratio"),
                flag_floor=data.get("flag_floor"),
                flag_target_ratio=data.get("flag_target_ratio"),
                flag_same_people_contracts=data.get("flag_same_people_contracts"),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            message = f"Reporting year {year.label} saved"
            if was_ready and year.ready_at is None:
                message += ": check the dry run and mark it ready again"
            messages.success(request, message)
            return redirect("team:year_detail", slug=year.slug)
    return render(
        request,
        "returns/team/years/edit.html",
        {"form": form, "year": year, "frozen": frozen},
    )


@team_required
def year_measures(request: HttpRequest, slug: str) -> HttpResponse:
    year = year_by_slug(slug)
    rows = YearMeasure.objects.filter(year=year).select_related("measure")
    frozen = year.issued_at is not None
    form = YearMeasuresForm(request.POST or None, year_measures=rows)
    if request.method == "POST" and not frozen and form.is_valid():
        try:
            changed = year_measures_update(
                year=year,
                acting_user=request.user,
                credits=form.credits(),
                spend_per_unit=form.spend_per_unit(),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, f"{changed} credit value{'s' if changed != 1 else ''} changed"
            )
            return redirect("team:year_detail", slug=year.slug)
    return render(
        request,
        "returns/team/years/measures.html",
        {"form": form, "year": year, "frozen": frozen, "rows": form.year_measures},
    )


@team_required
@require_POST
def year_ready(request: HttpRequest, slug: str) -> HttpResponse:
    year = year_by_slug(slug)
    try:
        if request.POST.get("action") == "withdraw":
            year_withdraw_ready(year=year, acting_user=request.user)
            messages.success(request, f"{year.label} is no longer marked ready")
        else:
            year_mark_ready(year=year, acting_user=request.user)
            messages.success(
                request,
                f"{year.label} is ready: the daily job issues it on "
                f"{year.issue_on:%-d %B %Y}",
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("team:year_detail", slug=year.slug)


@team_required
@require_POST
def year_run(request: HttpRequest, slug: str) -> HttpResponse:
    """Queues a dry run or an issue as a task and shows its run."""

    year = year_by_slug(slug)
    try:
        run = issue_run_start(
            year=year,
            acting_user=request.user,
            dry_run=request.POST.get("action") != "issue",
            confirmed=confirmed(request),
        )
    except ConfirmationNeeded as needed:
        return confirmation_page(
            request,
            consequence=needed.consequence,
            title=f"Issue {year.label} now?",
            button="Issue now anyway",
            back_url=reverse("team:year_detail", args=[year.slug]),
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("team:year_detail", slug=year.slug)
    return redirect("team:issue_run", slug=year.slug, run_id=run.pk)


@team_required
def issue_run(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    year = year_by_slug(slug)
    run = get_object_or_404(
        IssueRun.objects.select_related("started_by"), year=year, pk=run_id
    )
    summary = run.summary or {}
    return render(
        request,
        "returns/team/years/run.html",
        {
            "year": year,
            "run": run,
            "summary": summary,
            "warnings": warnings_for(summary, year),
            "finished": run.status
            in (IssueRun.Status.SUCCEEDED, IssueRun.Status.FAILED),
            "stalled": run.pk in issue_runs_stalled([run]),
            "refresh_url": reverse(
                "team:issue_run", kwargs={"slug": year.slug, "run_id": run.pk}
            ),
        },
    )
