"""Evidence pages: a contact uploads files on their own lines; the people who may see
the return download them; an administrator erases them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from returns import attachments
from returns.attachment_forms import EraseForm, EvidenceForm
from returns.models import Evidence
from returns.services.evidence import (
    evidence_add,
    evidence_erase,
    human_size,
    return_evidence_bytes,
)

from .access import (
    administrator_required,
    supplier_or_team_required,
    team_required,
)
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


@supplier_or_team_required
def line_evidence(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    line = line_for(request, reference, pk)
    annual_return = line.annual_return
    form = EvidenceForm()
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence = evidence_add(
                    line=line,
                    uploaded_file=form.cleaned_data["file"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error.messages[0])
            else:
                messages.success(request, f"{evidence.original_name} uploaded")
                return redirect(request.path)
    return render(
        request,
        "returns/attachments/line_evidence.html",
        {
            "line": line,
            "annual_return": annual_return,
            "evidence": attachments.line_evidence(line=line),
            "form": form,
            "can_upload": annual_return.is_editable and not line.excluded_at,
            "used": human_size(return_evidence_bytes(annual_return=annual_return)),
            "limit": human_size(settings.EVIDENCE_MAX_BYTES_PER_RETURN),
        },
        status=400 if form.errors else 200,
    )


@supplier_or_team_required
def evidence_download(
    request: HttpRequest, reference: str, pk: int, evidence_id: int
) -> FileResponse:
    line = line_for(request, reference, pk)
    return _download(attachments.evidence_held(line=line, evidence_id=evidence_id))


@team_required
def team_evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(
        Evidence.objects.filter(erased_at__isnull=True), pk=evidence_id
    )
    return _download(evidence)


@administrator_required
def evidence_erase_view(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "line__annual_return__supplier", "line__contract", "uploaded_by"
        ),
        pk=evidence_id,
    )
    back = reverse("team:line_attachments", kwargs={"pk": evidence.line_id})
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not evidence.erased_at:
        evidence_erase(
            evidence=evidence,
            acting_user=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"{evidence.original_name} erased")
        return redirect(back)
    return render(
        request,
        "returns/attachments/erase.html",
        {
            "form": form,
            "back": back,
            "what": f"the evidence file {evidence.original_name}",
            "already_erased": evidence.erased_at,
            "line": evidence.line,
        },
        status=400 if form.errors else 200,
    )
