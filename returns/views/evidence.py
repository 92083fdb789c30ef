"""Evidence pages: a contact uploads files on their own lines; the people who may see
the return download them; an administrator erases them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.uploads import human_size, takes_upload, upload_refused
from returns.forms.attachments import EvidenceForm
from returns.models import Evidence
from returns.selectors import attachments
from returns.services.evidence import (
    evidence_add,
    evidence_erase,
    evidence_member_share,
    return_evidence_bytes,
)

from .access import (
    administrator_required,
    supplier_or_team_required,
    team_required,
)
from .form_pages import erase_page, form_page
from .supplier.common import line_for


def _download(evidence: Evidence) -> FileResponse:
    """The file as a download, never shown inline: attachment, its checked type, and
    nosniff so a browser never second-guesses it."""
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@takes_upload("EVIDENCE_MAX_BYTES")
@supplier_or_team_required
def line_evidence(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    line = line_for(request, reference, pk)
    annual_return = line.annual_return
    return form_page(
        request,
        form=EvidenceForm(
            request.POST if request.method == "POST" else None,
            request.FILES or None,
            refused=upload_refused(request),
        ),
        action=lambda data: evidence_add(
            line=line, uploaded_file=data["file"], acting_user=request.user
        ),
        success=lambda evidence: f"{evidence.original_name} uploaded",
        next_url=request.path,
        template="returns/attachments/line_evidence.html",
        context={
            "line": line,
            "annual_return": annual_return,
            "evidence": attachments.line_evidence(line=line),
            "can_upload": annual_return.is_editable and not line.excluded_at,
            "used": human_size(return_evidence_bytes(annual_return=annual_return)),
            "limit": human_size(settings.EVIDENCE_MAX_BYTES_PER_RETURN),
        },
        on_refusal=lambda form, error: form.add_error("file", error.messages[0]),
    )


@supplier_or_team_required
def evidence_download(
    request: HttpRequest, reference: str, pk: int, evidence_id: int
) -> FileResponse:
    line = line_for(request, reference, pk)
    return _download(attachments.evidence_held(line=line, evidence_id=evidence_id))


@team_required
def team_evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = attachments.team_evidence_get(pk=evidence_id)
    return _download(evidence)


@administrator_required
def evidence_erase_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = attachments.team_evidence_get(pk=evidence_id, erased_too=True)
    return erase_page(
        request,
        attachment=evidence,
        erase=lambda reason: evidence_erase(
            evidence=evidence, acting_user=request.user, reason=reason
        ),
        what=f"the evidence file {evidence.original_name}",
        success=f"{evidence.original_name} erased",
    )


@team_required
@require_POST
def evidence_member_share_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """The team shows an evidence file's title to the contract's member, or stops."""
    evidence = attachments.team_evidence_get(pk=evidence_id)
    share = request.POST.get("share") == "yes"
    try:
        evidence_member_share(evidence=evidence, acting_user=request.user, share=share)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            f"{evidence.original_name}: "
            + ("the member can see its title" if share else "hidden from the member"),
        )
    return redirect("team:contract", contract_id=evidence.line.contract_id)
