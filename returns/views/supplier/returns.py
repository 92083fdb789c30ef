"""My returns, and one return's task list."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import current_supplier, suppliers_for_user
from returns.selectors import completeness
from returns.selectors import supplier as supplier_selectors
from returns.selectors.member_checks import latest_checks

from ..access import supplier_or_team_required, supplier_required
from .common import credits_percent, line_urls, return_for


@supplier_required
def home(request: HttpRequest) -> HttpResponse:
    supplier = current_supplier(request=request)
    today = timezone.localdate()
    returns = list(supplier_selectors.supplier_returns(supplier=supplier))
    for annual_return in returns:
        annual_return.deadline_phrase = supplier_selectors.deadline_phrase(
            annual_return, today=today
        )
    return render(
        request,
        "returns/supplier/home.html",
        {
            "supplier": supplier,
            "other_suppliers": suppliers_for_user(user=request.user)
            .exclude(pk=supplier.pk)
            .order_by("name"),
            "returns": returns,
        },
    )


def member_check_hint(check) -> str:
    """The member's word on a line, and the team's answer, as the supplier reads
    it."""
    if check is None:
        return ""
    if check.kind == check.Kind.CONFIRMED:
        return ". Confirmed by the member"
    what = f" ({check.measure.name})" if check.measure else ""
    hint = f". Disputed by the member{what}: {check.reason}"
    if check.answered_at:
        hint += (
            f". {check.get_outcome_display()} by the social value team: {check.answer}"
        )
    return hint


@supplier_or_team_required
def return_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The task list: one section per contract with its status."""
    annual_return = return_for(request, reference)
    today = timezone.localdate()
    lines = list(completeness.lines_for_task_list(annual_return))
    completeness.attach_sent_back_comments(annual_return, lines)
    states = [(line, completeness.line_state(line, today=today)) for line in lines]
    progress = completeness.return_progress(states)
    member_words = latest_checks(lines=annual_return.lines.all())
    line_url = line_urls(annual_return.reference)
    items = []
    for line, state in states:
        hint = (
            f"{line.member.name}. Target {line.target_credits} credits, "
            f"delivered {line.delivered_credits}"
        )
        if state.comment:
            hint += f". The social value team says: {state.comment}"
        if state.open_queries:
            hint += (
                ". You asked the social value team a question about this contract; "
                "they will answer"
            )
        if state.status == completeness.AMENDED:
            hint += ". You changed this contract after the return was sent back"
        hint += member_check_hint(member_words.get(line.pk))
        status_text, status_colour = state.label, state.colour
        if state.status == completeness.EXCLUDED:
            hint = f"{line.member.name}. Excluded: {line.excluded_reason}"
        elif not annual_return.is_editable:
            # Out of the supplier's hands: every line is as the return is.
            status_text, status_colour = annual_return.get_status_display(), None
        items.append(
            {
                "title": f"{line.contract.reference}: {line.contract.title}",
                "url": None
                if state.status == completeness.EXCLUDED
                else line_url(line.pk),
                "hint": hint,
                "status_text": status_text,
                "status_colour": status_colour,
                "status_muted": state.status == completeness.EXCLUDED,
            }
        )
    counted = [line for line, state in states if state.status != completeness.EXCLUDED]
    target = sum((line.target_credits for line in counted), Decimal(0))
    delivered = sum((line.delivered_credits for line in counted), Decimal(0))
    return render(
        request,
        "returns/supplier/return_detail.html",
        {
            "annual_return": annual_return,
            "items": items,
            "progress": progress,
            "target": target,
            "delivered": delivered,
            "percent": credits_percent(delivered, target),
            "met": delivered >= target,
            "deadline_phrase": supplier_selectors.deadline_phrase(
                annual_return, today=today
            ),
            "previous": supplier_selectors.previous_return(annual_return),
        },
    )
