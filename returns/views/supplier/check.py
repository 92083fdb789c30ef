"""Check your answers, the declaration and submit; then the confirmation."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from returns.forms.lines import DeclarationForm
from returns.models import AnnualReturn
from returns.selectors import completeness
from returns.selectors import supplier as supplier_selectors
from returns.services import ReturnNotEditable, ReturnNotReady, return_submit
from returns.submitted_copy import submitted_copy as submitted_copy_read
from returns.submitted_copy import submitted_copy_pdf

from ..access import supplier_or_team_required
from .common import line_urls, return_for


@supplier_or_team_required
def check_answers(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = return_for(request, reference)
    task_list = reverse("supplier:return_detail", kwargs={"reference": reference})
    if not annual_return.is_editable:
        return redirect(task_list)
    today = timezone.localdate()
    line_url = line_urls(reference)
    lines = list(completeness.lines_for_task_list(annual_return))
    completeness.attach_sent_back_comments(annual_return, lines)
    errors: list[dict] = []
    form = DeclarationForm(
        request.POST or None,
        # Acting for a supplier, the team names the supplier's person, not itself.
        initial={
            "declared_by_name": ""
            if getattr(request, "acting_for", None)
            else request.user.full_name
        },
    )
    if request.method == "POST":
        name = request.POST.get("declared_by_name", "")
        try:
            return_submit(
                annual_return=annual_return,
                user=request.user,
                declared_by_name=name,
                declared_own_figures=request.POST.get("declared_own_figures") == "yes",
            )
        except ReturnNotEditable as error:
            messages.error(request, error.messages[0])
            return redirect(task_list)
        except ReturnNotReady as refusal:
            for line, problems in refusal.line_problems:
                for problem in problems:
                    errors.append(
                        {
                            "text": f"{line.contract.reference} "
                            f"({line.contract.title}): {problem}",
                            "href": line_url(line.pk),
                        }
                    )
            for message in refusal.errors.get("declared_own_figures", []):
                errors.append({"text": message, "href": "#id_declared_own_figures"})
                form.errors["declared_own_figures"] = form.error_class([message])
            for message in refusal.errors.get("declared_by_name", []):
                errors.append({"text": message, "href": "#id_declared_by_name"})
                form.errors["declared_by_name"] = form.error_class([message])
        else:
            return redirect(
                reverse("supplier:submitted", kwargs={"reference": reference})
            )
    answers = supplier_selectors.check_answers(annual_return, lines)
    sections = []
    for line, figures in answers.lines:
        state = completeness.line_state(line, today=today)
        sections.append(
            {
                "line": line,
                "figures": figures,
                "state": state,
                "url": line_url(line.pk),
            }
        )
    return render(
        request,
        "returns/supplier/check_answers.html",
        {
            "annual_return": annual_return,
            "sections": sections,
            "answers": answers,
            "form": form,
            "errors": errors,
            "task_list": task_list,
        },
        status=200,
    )


@supplier_or_team_required
def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = return_for(request, reference)
    if annual_return.status not in (
        AnnualReturn.Status.SUBMITTED,
        AnnualReturn.Status.APPROVED,
    ):
        return redirect(
            reverse("supplier:return_detail", kwargs={"reference": reference})
        )
    contacts = annual_return.supplier.contacts.filter(
        is_active=True, user__is_active=True
    ).select_related("user")
    return render(
        request,
        "returns/supplier/submitted.html",
        {
            "annual_return": annual_return,
            "emails": sorted(contact.user.email for contact in contacts),
        },
    )


@supplier_or_team_required
def submitted_copy(request: HttpRequest, reference: str) -> HttpResponse:
    """The PDF of exactly what was last submitted; before any submission, the task
    list. Another supplier's return is not found (`return_for`)."""
    annual_return = return_for(request, reference)
    copy = submitted_copy_read(annual_return)
    if copy is None:
        return redirect(
            reverse("supplier:return_detail", kwargs={"reference": reference})
        )
    response = HttpResponse(submitted_copy_pdf(copy), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{annual_return.reference}-submitted.pdf"'
    )
    return response
