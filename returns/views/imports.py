"""The team's reference-data import: upload, the check's report, confirm, the result."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.uploads import UploadForm as RefusableUpload
from core.uploads import takes_upload, upload_refused
from frameworks.imports import KINDS, KINDS_BY_KEY
from frameworks.imports.base import Report
from frameworks.imports.runs import import_run_confirm, import_run_start
from frameworks.imports.workbooks import template_bytes
from frameworks.models import ImportRun

from .access import team_required

CHOOSE_FILE = "Select an xlsx or CSV file to import"
PROBLEMS_SHOWN = 500


class UploadForm(RefusableUpload, forms.Form):
    file = forms.FileField(
        label="Upload a file", error_messages={"required": CHOOSE_FILE}
    )


@takes_upload("SPREADSHEET_MAX_BYTES")
@team_required
def imports(request: HttpRequest) -> HttpResponse:
    form = (
        UploadForm(request.POST, request.FILES, refused=upload_refused(request))
        if request.method == "POST"
        else UploadForm()
    )
    if request.method == "POST" and form.is_valid():
        run = import_run_start(
            upload=form.cleaned_data["file"], acting_user=request.user
        )
        return redirect("team:import_detail", import_id=run.pk)
    runs = ImportRun.objects.select_related("created_by", "confirmed_by")[:50]
    return render(
        request,
        "returns/team/imports.html",
        {"form": form, "runs": runs, "kinds": KINDS, "labels": _labels()},
        status=400 if form.errors else 200,
    )


def _labels() -> dict[str, str]:
    return {kind.key: kind.label for kind in KINDS}


@team_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    run = get_object_or_404(
        ImportRun.objects.select_related("created_by", "confirmed_by"), pk=import_id
    )
    report = Report.from_dict(run.report) if run.report else Report()
    return render(
        request,
        "returns/team/import_detail.html",
        {
            "run": run,
            "report": report,
            "kind_label": _labels().get(run.kind, ""),
            "errors": report.errors[:PROBLEMS_SHOWN],
            "more_errors": max(0, run.error_count - PROBLEMS_SHOWN),
            "warnings": report.warnings[:PROBLEMS_SHOWN],
            "more_warnings": max(0, run.warning_count - PROBLEMS_SHOWN),
            "can_confirm": run.status == ImportRun.Status.CHECKED
            and not run.error_count,
            "working": run.status
            in (ImportRun.Status.CHECKING, ImportRun.Status.APPLYING),
        },
    )


@team_required
@require_POST
def import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=import_id)
    try:
        import_run_confirm(run=run, acting_user=request.user)
    except ValidationError as error:
        from django.contrib import messages

        messages.error(request, error.messages[0])
    return redirect("team:import_detail", import_id=run.pk)


@team_required
def import_template(request: HttpRequest, import_kind: str) -> HttpResponse:
    kind = KINDS_BY_KEY.get(import_kind)
    if kind is None:
        raise Http404
    response = HttpResponse(
        template_bytes(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="template-{kind.key.replace("_", "-")}.xlsx"'
    )
    return response
