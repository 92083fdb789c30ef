"""The team's review of submitted returns: the desk list, one return's review page,
approve, send back, reopen (administrators), exclude and include a line. Thin: the
reads are `returns.selectors.review` and `returns.figures`, the writes
`returns.services.review`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import is_administrator
from returns import events, figures
from returns.figures.changes import big_changes_in
from returns.forms.team import (
    REVIEW_ORDERS,
    ApproveForm,
    BulkApproveForm,
    FlagCheckForm,
    LineReasonForm,
    ReviewListQuery,
    SendBackForm,
    SendBackQuery,
    YearQuery,
)
from returns.models import AnnualReturn, LineFlag, ReportingYear, ReturnLine
from returns.selectors import flags as flag_selectors
from returns.selectors import review as review_selectors
from returns.selectors import review_queue
from returns.selectors.member_checks import latest_checks
from returns.selectors.years import current_reporting_year
from returns.services import flag_checks, review_bulk
from returns.services import review as review_services
from returns.services.confirmation import ConfirmationNeeded
from returns.services.submission import submitted_on_time

from .access import _role_required, team_required
from .form_pages import confirmation_page, confirmed

administrator_required = _role_required(is_administrator)
PAGE_SIZE = 50


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@team_required
def review_list(request: HttpRequest) -> HttpResponse:
    """The review queue: submitted returns ranked by what needs a look (each
    return's reasons as tags) or the longest waiting first, with bulk approval."""
    years = list(ReportingYear.objects.order_by("-starts_on"))
    query = ReviewListQuery(request.GET, years=years)
    year, search = query.chosen_year, query.values["q"]
    order = query.values["order"]
    returns = review_selectors.returns_awaiting_review(
        year=year, search=search, order=order
    )
    page = Paginator(returns, PAGE_SIZE).get_page(query.values["page"])
    totals = review_selectors.return_totals(return_ids=[r.pk for r in page.object_list])
    rows = [
        (r, totals.get(r.pk, {}), submitted_on_time(r), review_queue.reasons(r))
        for r in page.object_list
    ]
    return render(
        request,
        "returns/team/review/list.html",
        {
            "years": years,
            "year": year,
            "search": search,
            "order": order,
            "orders": REVIEW_ORDERS,
            "page_obj": page,
            "rows": rows,
        },
    )


@team_required
@require_POST
def review_bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approves the returns ticked on the queue, all or none (the service says which
    were refused and why)."""
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("team:review_list")
    try:
        approved = review_bulk.returns_approve_bulk(
            references=form.cleaned_data["returns"],
            user=request.user,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("team:review_list")
    count = len(approved)
    messages.success(
        request,
        f"{count} return{'' if count == 1 else 's'} approved: "
        + ", ".join(r.reference for r in approved)
        + ". Each supplier's contacts have been emailed.",
    )
    return redirect("team:review_list")


def _beside_figures(
    comparisons: list, flags: list[LineFlag]
) -> tuple[list[tuple], list[LineFlag]]:
    """Each comparison row with the line's flags on its measure, and the flags left
    to show for the line as a whole (line-wide ones, and any on a measure the table
    has no row for)."""
    by_code: dict[str, list[LineFlag]] = {}
    whole_line = []
    for flag in flags:
        if flag.measure_code:
            by_code.setdefault(flag.measure_code, []).append(flag)
        else:
            whole_line.append(flag)
    rows = [(row, by_code.pop(row.code, [])) for row in comparisons]
    for left in by_code.values():
        whole_line.extend(left)
    return rows, whole_line


def _review_context(annual_return: AnnualReturn) -> dict:
    lines = review_selectors.review_lines(annual_return=annual_return)
    comparisons = figures.line_comparisons(lines=lines, year=annual_return.year)
    comments = review_selectors.line_comments(annual_return=annual_return)
    member_words = latest_checks(lines=annual_return.lines.all())
    flags = flag_selectors.flags_by_line(annual_return)
    counted = [line for line in lines if not line.is_excluded]
    target = sum((line.target_credits for line in counted), figures.ZERO)
    entered = sum((line.delivered_credits for line in counted), figures.ZERO)
    items = []
    for line in lines:
        rows, whole_line = _beside_figures(
            comparisons.get(line.pk, []), flags.get(line.pk, [])
        )
        items.append(
            {
                "line": line,
                "comparisons": rows,
                "line_flags": whole_line,
                "below_target": line.delivered_credits < line.target_credits,
                "short_by": max(line.target_credits - line.delivered_credits, 0),
                "comment": comments.get(line.pk, ""),
                "member_check": member_words.get(line.pk),
            }
        )
    return {
        "annual_return": annual_return,
        "lines": items,
        "big_changes": big_changes_in(comparisons),
        "target": target,
        "entered": entered,
        "short_by": max(target - entered, figures.ZERO),
        "evidence": review_selectors.review_evidence(annual_return=annual_return),
        "case_studies": review_selectors.review_case_studies(
            annual_return=annual_return
        ),
        "open_queries": review_selectors.review_open_queries(
            annual_return=annual_return
        ),
        "changes": review_selectors.submission_changes(annual_return=annual_return),
        "events": [
            (event, events.label(event.kind))
            for event in review_selectors.return_events(annual_return=annual_return)
        ],
        "on_time": submitted_on_time(annual_return),
        "can_review": annual_return.status == AnnualReturn.Status.SUBMITTED,
        "flag_count": sum(len(found) for found in flags.values()),
        "unchecked_flags": sum(
            1 for found in flags.values() for f in found if not f.is_checked
        ),
    }


@team_required
def review_detail(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = review_selectors.review_return_get(reference=reference)
    context = _review_context(annual_return)
    context["approve_form"] = ApproveForm()
    context["is_administrator"] = is_administrator(request.user)
    return render(request, "returns/team/review/detail.html", context)


@team_required
@require_POST
def review_approve(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = review_selectors.review_return_get(reference=reference)
    form = ApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        review_services.return_approve(
            annual_return=annual_return,
            user=request.user,
            comment=comment,
            confirmed=confirmed(request),
        )
    except ConfirmationNeeded as needed:
        return confirmation_page(
            request,
            consequence=needed.consequence,
            title=f"Approve {annual_return.reference} with an open query?",
            button="Approve anyway",
            back_url=reverse("team:review_detail", args=[reference]),
        )
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect("team:review_detail", reference=reference)
    messages.success(
        request,
        f"Return {annual_return.reference} approved; the supplier's contacts "
        "have been emailed",
    )
    return redirect("team:review_list")


def _send_back_page(request, reference: str, *, reopen: bool) -> HttpResponse:
    annual_return = review_selectors.review_return_get(reference=reference)
    wanted = AnnualReturn.Status.APPROVED if reopen else AnnualReturn.Status.SUBMITTED
    if annual_return.status != wanted:
        messages.error(
            request,
            f"Return {reference} is {annual_return.get_status_display().lower()}: "
            + (
                "only an approved return can be reopened"
                if reopen
                else "only a submitted return can be sent back"
            ),
        )
        return redirect("team:review_detail", reference=reference)
    lines = review_selectors.review_lines(annual_return=annual_return)
    initial = {}
    if SendBackQuery(request.GET).values["reissue"]:  # from the re-issue list
        initial["reason"] = review_selectors.reissue_reason_for(annual_return)
    form = SendBackForm(request.POST or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        service = (
            review_services.return_reopen
            if reopen
            else review_services.return_send_back
        )
        try:
            service(
                annual_return=annual_return,
                user=request.user,
                reason=form.cleaned_data["reason"],
                line_comments=form.line_comments(),
            )
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(
                request,
                f"Return {reference} sent back to the supplier for amendment; "
                "its contacts have been emailed",
            )
            return redirect("team:review_detail", reference=reference)
    return render(
        request,
        "returns/team/review/send_back.html",
        {"annual_return": annual_return, "form": form, "reopen": reopen},
    )


@team_required
def review_send_back(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_back_page(request, reference, reopen=False)


@administrator_required
def review_reopen(request: HttpRequest, reference: str) -> HttpResponse:
    return _send_back_page(request, reference, reopen=True)


def _line_page(request, reference: str, pk: int, *, include: bool) -> HttpResponse:
    annual_return = review_selectors.review_return_get(reference=reference)
    line = get_object_or_404(
        ReturnLine.objects.select_related("contract", "excluded_by"),
        pk=pk,
        annual_return=annual_return,
    )
    form = LineReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = (
            review_services.line_include if include else review_services.line_exclude
        )
        try:
            service(line=line, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(
                request,
                f"Contract {line.contract.reference} "
                + ("included again" if include else "excluded from every figure"),
            )
            return redirect(
                reverse("team:review_detail", kwargs={"reference": reference})
                + f"#line-{line.pk}"
            )
    return render(
        request,
        "returns/team/review/line_reason.html",
        {
            "annual_return": annual_return,
            "line": line,
            "form": form,
            "include": include,
        },
    )


@team_required
def line_exclude(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _line_page(request, reference, pk, include=False)


@team_required
def line_include(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _line_page(request, reference, pk, include=True)


@team_required
def reissue(request: HttpRequest) -> HttpResponse:
    """What the year's latest re-issue listed for submitted and approved returns (and
    lines that no longer qualify), with the actions the team takes on them."""
    years = list(ReportingYear.objects.order_by("-starts_on"))
    year = YearQuery(request.GET, years=years).chosen_year
    if year is None:
        year = current_reporting_year()
    run, flagged = review_selectors.reissue_flags(year=year) if year else (None, [])
    return render(
        request,
        "returns/team/review/reissue.html",
        {
            "years": years,
            "year": year,
            "run": run,
            "flagged": flagged,
            "is_administrator": is_administrator(request.user),
        },
    )


@team_required
def review_flag_check(
    request: HttpRequest, reference: str, flag_id: int
) -> HttpResponse:
    """The team marks one flag of a return "checked", with a note."""
    annual_return = review_selectors.review_return_get(reference=reference)
    flag = get_object_or_404(
        LineFlag.objects.select_related("line__contract", "explained_by", "checked_by"),
        pk=flag_id,
        line__annual_return=annual_return,
    )
    form = FlagCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_checks.flag_check(
                flag=flag, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(
                request,
                f"Flag on contract {flag.line.contract.reference} marked as checked",
            )
            return redirect(
                reverse("team:review_detail", kwargs={"reference": reference})
                + f"#line-{flag.line_id}"
            )
    return render(
        request,
        "returns/team/review/flag_check.html",
        {"annual_return": annual_return, "flag": flag, "form": form},
    )
