"""A member viewer confirms or disputes an approved line of their contracts; the
team answers disputes (issue 22)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import current_member
from returns.figures import reported_lines
from returns.forms.member_checks import (
    DisputeAnswerForm,
    DisputeForm,
    MemberEmailsForm,
)
from returns.models import Measure, ReturnLine
from returns.selectors.member_checks import open_member_disputes, team_dispute_get
from returns.services.member_checks import (
    line_member_confirm,
    line_member_dispute,
    member_dispute_answer,
)
from returns.services.notifications.members import (
    member_email_preference,
    member_email_preference_set,
)

from ..access import member_required, team_required


def _member_line(request: HttpRequest, line_id: int):
    """An approved, counted line of the member the viewer is looking at, or 404."""
    member = current_member(request=request)
    if member is None:
        raise Http404
    line = get_object_or_404(
        reported_lines()
        .filter(member=member)
        .select_related("contract", "annual_return__year", "annual_return__supplier"),
        pk=line_id,
    )
    return member, line


def _back(line: ReturnLine):
    return redirect("member:contract", contract_id=line.contract_id)


@member_required
@require_POST
def line_confirm(request: HttpRequest, line_id: int) -> HttpResponse:
    member, line = _member_line(request, line_id)
    try:
        line_member_confirm(line=line, member=member, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"Thank you: you confirmed the {line.annual_return.year.label} figures of "
            f"{line.contract.reference}",
        )
    return _back(line)


@member_required
def line_dispute(request: HttpRequest, line_id: int) -> HttpResponse:
    member, line = _member_line(request, line_id)
    measures = list(
        Measure.objects.filter(entries__line=line).order_by("position", "code")
    )
    form = DisputeForm(
        request.POST if request.method == "POST" else None, measures=measures
    )
    if request.method == "POST" and form.is_valid():
        try:
            line_member_dispute(
                line=line,
                member=member,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                measure=form.chosen_measure(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your dispute has gone to the social value team. You will see their "
                "answer on this page.",
            )
            return _back(line)
    return render(
        request,
        "returns/member/dispute.html",
        {"form": form, "line": line, "member": member},
    )


@team_required
def disputes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/team/member_disputes.html",
        {"disputes": list(open_member_disputes())},
    )


@team_required
def dispute_answer(request: HttpRequest, dispute_id: int) -> HttpResponse:
    check = team_dispute_get(pk=dispute_id)
    form = DisputeAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member_dispute_answer(
                check=check,
                acting_user=request.user,
                outcome=form.cleaned_data["outcome"],
                answer=form.cleaned_data["answer"],
            )
        except (ValidationError, PermissionDenied) as error:
            text = (
                error.messages[0] if isinstance(error, ValidationError) else str(error)
            )
            form.add_error("outcome", text)
        else:
            messages.success(request, f"Answer sent on {check.line.contract.reference}")
            return redirect("team:member_disputes")
    return render(
        request,
        "returns/team/member_dispute_answer.html",
        {"check": check, "form": form, "line": check.line},
    )


@member_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """The viewer turns each kind of member email on or off (their own only)."""
    preference = member_email_preference(user=request.user)
    form = MemberEmailsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "approved_digest": preference.approved_digest,
            "at_risk": preference.at_risk,
        },
    )
    if request.method == "POST" and form.is_valid():
        member_email_preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email settings are saved")
        return redirect("member:email_settings")
    return render(request, "returns/member/email_settings.html", {"form": form})
