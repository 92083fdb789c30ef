"""Case studies: a contact writes them on their lines; the team approves an
anonymised public version; members read those shared with them; the public reads
only the team's approved text; an administrator erases the text."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from returns.forms.attachments import CaseStudyApproveForm, CaseStudyForm
from returns.models import CaseStudy
from returns.selectors import attachments
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
from .form_pages import erase_page, form_page
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
    fields = (
        "title",
        "story",
        "people_benefited",
        "consent",
        "share_with_member",
        "request_publication",
    )

    def save(cleaned: dict):
        data = {name: cleaned[name] for name in fields}
        if case_study is None:
            return case_study_create(line=line, acting_user=request.user, **data)
        return case_study_update(
            case_study=case_study, acting_user=request.user, **data
        )

    return form_page(
        request,
        form=form,
        action=save,
        success="Case study saved",
        next_url=back,
        template="returns/attachments/case_study_form.html",
        context={
            "line": line,
            "annual_return": line.annual_return,
            "case_study": case_study,
            "back": back,
        },
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
    case_study = attachments.team_case_study_get(pk=case_study_id)
    form = CaseStudyApproveForm(
        request.POST or None,
        initial={
            "public_title": case_study.public_title,
            "public_story": case_study.public_story,
        },
    )
    return form_page(
        request,
        form=form,
        action=lambda data: case_study_approve(
            case_study=case_study, acting_user=request.user, **data
        ),
        success="Case study approved for publication",
        next_url=reverse("team:case_studies"),
        template="returns/attachments/team_case_study_approve.html",
        context={"case_study": case_study, "line": case_study.line},
    )


@administrator_required
def case_study_erase_view(request: HttpRequest, case_study_id: int) -> HttpResponse:
    case_study = attachments.team_case_study_get(pk=case_study_id, erased_too=True)
    return erase_page(
        request,
        attachment=case_study,
        erase=lambda reason: case_study_erase(
            case_study=case_study, acting_user=request.user, reason=reason
        ),
        what="the text of this case study",
        success="Case study text erased",
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
