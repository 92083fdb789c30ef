"""Case studies: a contact writes them on their lines; the team approves an
anonymised public version; members read those shared with them; the public reads
only the team's approved text; an administrator erases the text."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from returns import attachments
from returns.attachment_forms import CaseStudyApproveForm, CaseStudyForm, EraseForm
from returns.models import CaseStudy
from returns.services.case_studies import (
    case_study_approve,
    case_study_create,
    case_study_erase,
    case_study_update,
)

from .access import (
    administrator_required,
    member_required,
    supplier_or_team_required,
    team_required,
)
from .supplier.common import line_for


@supplier_or_team_required
def line_case_studies(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    line = line_for(request, reference, pk)
    return render(
        request,
        "returns/attachments/line_case_studies.html",
        {
            "line": line,
            "annual_return": line.annual_return,
            "case_studies": attachments.line_case_studies(line=line),
            "can_edit": line.annual_return.is_editable,
        },
    )


@supplier_or_team_required
def case_study_edit(
    request: HttpRequest, reference: str, pk: int, case_study_id: int | None = None
) -> HttpResponse:
    line = line_for(request, reference, pk)
    case_study = None
    if case_study_id is not None:
        case_study = get_object_or_404(
            CaseStudy.objects.filter(line=line, erased_at__isnull=True),
            pk=case_study_id,
        )
    initial = {}
    if case_study is not None:
        initial["request_publication"] = case_study.publication != "private"
    form = CaseStudyForm(request.POST or None, instance=case_study, initial=initial)
    back = reverse(
        "supplier:line_case_studies",
        kwargs={"reference": reference, "pk": line.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = {
            name: form.cleaned_data[name]
            for name in (
                "title",
                "story",
                "people_benefited",
                "consent",
                "share_with_member",
                "request_publication",
            )
        }
        try:
            if case_study is None:
                case_study_create(line=line, acting_user=request.user, **data)
            else:
                case_study_update(
                    case_study=case_study, acting_user=request.user, **data
                )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Case study saved")
            return redirect(back)
    return render(
        request,
        "returns/attachments/case_study_form.html",
        {
            "line": line,
            "annual_return": line.annual_return,
            "form": form,
            "case_study": case_study,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@team_required
def team_requested(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/attachments/team_case_studies.html",
        {"case_studies": list(attachments.case_studies_requested())},
    )


@team_required
def team_approve(request: HttpRequest, case_study_id: int) -> HttpResponse:
    case_study = get_object_or_404(
        CaseStudy.objects.select_related(
            "line__annual_return__supplier",
            "line__annual_return__year",
            "line__contract",
            "line__member",
        ).filter(erased_at__isnull=True),
        pk=case_study_id,
    )
    form = CaseStudyApproveForm(
        request.POST or None,
        initial={
            "public_title": case_study.public_title,
            "public_story": case_study.public_story,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_study_approve(
                case_study=case_study,
                acting_user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Case study approved for publication")
            return redirect(reverse("team:case_studies"))
    return render(
        request,
        "returns/attachments/team_case_study_approve.html",
        {"case_study": case_study, "line": case_study.line, "form": form},
        status=400 if form.errors else 200,
    )


@administrator_required
def case_study_erase_view(request: HttpRequest, case_study_id: int) -> HttpResponse:
    case_study = get_object_or_404(
        CaseStudy.objects.select_related(
            "line__annual_return__supplier",
            "line__annual_return__year",
            "line__contract",
        ),
        pk=case_study_id,
    )
    back = reverse("team:line_attachments", kwargs={"pk": case_study.line_id})
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not case_study.erased_at:
        case_study_erase(
            case_study=case_study,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "Case study text erased")
        return redirect(back)
    return render(
        request,
        "returns/attachments/erase.html",
        {
            "form": form,
            "back": back,
            "what": "the text of this case study",
            "already_erased": case_study.erased_at,
            "line": case_study.line,
        },
        status=400 if form.errors else 200,
    )


@member_required
def member_case_studies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/attachments/member_case_studies.html",
        {"case_studies": list(attachments.case_studies_for_member(user=request.user))},
    )


def public_case_studies(request: HttpRequest) -> HttpResponse:
    """Public: only the team's approved, anonymised title and story."""
    return render(
        request,
        "returns/attachments/public_case_studies.html",
        {"case_studies": list(attachments.case_studies_public())},
    )
