"""One contract's line: its context, the year's measures, reasons, save."""

from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.permissions import is_supplier_contact, is_team
from returns.forms.lines import LineForm, quantity_field_name
from returns.selectors import completeness
from returns.selectors import supplier as supplier_selectors
from returns.selectors.contract_life import contracts_life
from returns.services import LineConflict, ReturnNotEditable, line_save
from returns.services.lines import contract_has_ended
from returns.templatetags.figures_format import count

from .common import credits_percent, return_for
from .flags import explanations_posted, line_warnings
from .stash import pop_stash, stash_and_sign_in

KEPT_AFTER_SIGN_IN = (
    "You were signed out before your figures were saved. We kept what you typed: "
    "check it, then save."
)
CONFLICT = "Someone else changed this contract's figures after you opened it"
TO_EXPLAIN = (
    " {count} to explain before the return can be submitted: see the warnings on "
    "the contract."
)


def supplier_required_keeping_post(view):
    """Like `supplier_required`, but a form posted after the session expired is kept
    and shown back after signing in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST":
                return stash_and_sign_in(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not (is_supplier_contact(request.user) or is_team(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _same_quantity(yours: str, theirs: str) -> bool:
    try:
        return Decimal(yours.replace(",", "").replace("£", "")) == Decimal(theirs)
    except InvalidOperation:
        return yours == theirs


def _conflict_rows(context, form, theirs: dict) -> list[dict]:
    """The figures and reasons where yours and theirs differ."""
    rows = []
    for row in context.rows:
        code = row.measure.code
        yours = (form.data.get(quantity_field_name(code)) or "").strip()
        their = theirs["quantities"].get(code, "")
        if their:
            their = f"{Decimal(their):.{row.measure.decimal_places}f}"
        if not _same_quantity(yours, their):
            rows.append({"label": row.measure.name, "yours": yours, "theirs": their})
    for name, label in (
        ("nothing_delivered_reason", "Why nothing was delivered"),
        ("shortfall_reason", "Why below target"),
        ("recovery_plan", "Recovery plan"),
    ):
        yours = (form.data.get(name) or "").strip()
        if name == "nothing_delivered_reason" and not form.data.get(
            "nothing_delivered"
        ):
            yours = ""
        if yours != (theirs.get(name) or ""):
            rows.append({"label": label, "yours": yours, "theirs": theirs.get(name)})
    return rows


NOTHING_LEFT = "No other contract needs anything: check your answers and submit"


def _next_url(request, annual_return, return_line, today) -> str:
    """After "Save and go to the next contract that needs something": that line, or
    check your answers when no other line needs anything."""
    following = supplier_selectors.next_line_needing_something(
        annual_return, after=return_line, today=today
    )
    if following is not None:
        return reverse(
            "supplier:line",
            kwargs={"reference": annual_return.reference, "line_id": following.pk},
        )
    messages.info(request, NOTHING_LEFT)
    return reverse("supplier:check", kwargs={"reference": annual_return.reference})


@supplier_required_keeping_post
def line(request: HttpRequest, reference: str, line_id: int) -> HttpResponse:
    annual_return = return_for(request, reference)
    return_line = supplier_selectors.return_line_get(
        annual_return=annual_return, line_id=line_id
    )
    year = annual_return.year
    context = supplier_selectors.line_context(return_line, year=year)
    codes = [row.measure.code for row in context.rows]
    today = timezone.localdate()
    ended = contract_has_ended(return_line, today=today)
    editable = annual_return.is_editable and not return_line.is_excluded
    task_list = reverse("supplier:return_detail", kwargs={"reference": reference})
    conflict = None
    kept = None
    explanation_errors: dict[str, list[str]] = {}

    if request.method == "POST" and editable:
        form = LineForm(request.POST, codes=codes, ended=ended)
        if form.is_valid():
            try:
                saved = line_save(
                    line=return_line,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    quantities=form.quantities(),
                    nothing_delivered_reason=form.cleaned_data[
                        "nothing_delivered_reason"
                    ],
                    shortfall_reason=form.cleaned_data["shortfall_reason"],
                    recovery_plan=form.cleaned_data["recovery_plan"],
                    recovery_by=form.cleaned_data["recovery_by"],
                    explanations=explanations_posted(request.POST),
                )
            except ReturnNotEditable as error:
                messages.error(request, error.messages[0])
                return redirect(task_list)
            except LineConflict as error:
                theirs = error.theirs
                data = request.POST.copy()
                data["version"] = str(theirs["version"])
                form = LineForm(data, codes=codes, ended=ended)
                form.is_valid()
                conflict = {
                    "theirs": theirs,
                    "rows": _conflict_rows(context, form, theirs),
                }
            except ValidationError as error:
                explanation_errors = {
                    key: messages_
                    for key, messages_ in getattr(error, "message_dict", {}).items()
                    if key.startswith("explain__")
                }
                form.add_service_errors(error)
            else:
                # `line_save` returns the line as saved (credits recomputed).
                unexplained = saved.flags.filter(explanation="").count()
                messages.success(
                    request,
                    f"Saved {return_line.contract.reference}: "
                    f"{saved.delivered_credits} credits delivered against a target "
                    f"of {saved.target_credits}."
                    + (
                        TO_EXPLAIN.format(
                            count=count(unexplained, "figure").capitalize()
                        )
                        if unexplained
                        else ""
                    ),
                )
                action = request.POST.get("action")
                if action == "stay":
                    return redirect(request.path)
                if action == "next":
                    return redirect(
                        _next_url(request, annual_return, return_line, today)
                    )
                return redirect(task_list)
    elif request.method == "POST":
        messages.error(
            request,
            f"Return {annual_return.reference} is "
            f"{annual_return.get_status_display().lower()} and cannot be changed",
        )
        return redirect(task_list)
    else:
        kept = pop_stash(request) if editable else None
        if kept:
            form = LineForm(kept, codes=codes, ended=ended)
            form.is_valid()
        else:
            form = LineForm(
                initial=LineForm.initial_for(return_line, context.rows),
                codes=codes,
                ended=ended,
            )

    completeness.attach_sent_back_comments(annual_return, [return_line])
    state = completeness.line_state(return_line, today=today)
    warnings = line_warnings(
        line=return_line,
        year=year,
        measure_codes=codes,
        rows=context.rows,
        data=form.data if editable and form.is_bound else None,
        errors=explanation_errors,
    )
    for row in context.rows:
        row.field = form[quantity_field_name(row.measure.code)]
        row.warnings = warnings.by_measure.get(row.measure.code, [])
    target = return_line.target_credits
    delivered = return_line.delivered_credits
    unsaved = editable and form.is_bound
    if unsaved:
        # The page shows the figures typed (a refused save, a conflict, figures
        # kept over a sign-in): the total beside them is theirs, not the saved one.
        delivered = supplier_selectors.typed_credits(
            context,
            {code: form.data.get(quantity_field_name(code)) or "" for code in codes},
        )
    percent = credits_percent(delivered, target)
    (life,) = contracts_life(contracts=[return_line.contract], today=today)
    return render(
        request,
        "returns/supplier/line.html",
        {
            "annual_return": annual_return,
            "line": return_line,
            "context": context,
            "form": form,
            "editable": editable,
            "ended": ended,
            "state": state,
            "percent": percent,
            "delivered": delivered,
            "unsaved": unsaved,
            "met": delivered >= target,
            "shortfall": max(target - delivered, 0),
            "open_themes": context.open_themes,
            "folded_themes": context.folded_themes,
            # A folded theme with a figure typed in it, or an error, is shown open.
            "folded_open": {
                theme.name
                for theme in context.folded_themes
                if any(row.field.errors or row.field.value() for row in theme.rows)
            },
            "conflict": conflict,
            "conflict_message": CONFLICT,
            "kept_message": KEPT_AFTER_SIGN_IN if kept else "",
            "task_list": task_list,
            "life": life,
            "earlier_plans": life.earlier_recovery_plans(year),
            "warnings": warnings,
            "checks_url": reverse(
                "supplier:line_checks",
                kwargs={"reference": annual_return.reference, "line_id": line_id},
            ),
        },
    )
