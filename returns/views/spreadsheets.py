"""The spreadsheet round trip's pages: download, upload → preview → confirm, for a
supplier's contact and for the team acting for a supplier; and the team's year export.
All the work is in `returns.spreadsheets`; these only route and render."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.uploads import takes_upload, upload_refused
from core.xlsx.reading import SpreadsheetRefused
from returns.models import AnnualReturn, YearExport
from returns.selectors.access import supplier_return_get
from returns.selectors.years import year_by_slug
from returns.services.lines import ReturnNotEditable
from returns.spreadsheets.apply import (
    UploadStale,
    plan_dumps,
    plan_loads,
    upload_apply,
    upload_rules_check,
)
from returns.spreadsheets.reading import read_return_workbook
from returns.spreadsheets.upload import UploadRefused, check_upload
from returns.spreadsheets.workbook import build_return_workbook
from returns.spreadsheets.year_export import year_export_request

from .access import supplier_required, team_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAVED = "Figures from the spreadsheet saved: {count} contract{plural} changed."
NOTHING_CHANGED = (
    "Nothing changed: the figures in the spreadsheet are the ones already saved."
)


def _download(annual_return: AnnualReturn) -> HttpResponse:
    made = build_return_workbook(annual_return)
    response = HttpResponse(made.content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


def _team_return(reference: str) -> AnnualReturn:
    return get_object_or_404(
        AnnualReturn.objects.select_related("supplier", "year"), reference=reference
    )


def _urls(annual_return: AnnualReturn, *, team: bool) -> dict[str, str]:
    space = "team" if team else "supplier"
    ref = annual_return.reference
    back = (
        reverse("supplier:return_detail", args=[ref])
        if not team
        else reverse("team:spreadsheet_upload", args=[ref])
    )
    return {
        "download": reverse(f"{space}:spreadsheet_download", args=[ref]),
        "upload": reverse(f"{space}:spreadsheet_upload", args=[ref]),
        "confirm": reverse(f"{space}:spreadsheet_confirm", args=[ref]),
        "back": back,
    }


def _upload(request: HttpRequest, annual_return: AnnualReturn, *, team: bool):
    urls = _urls(annual_return, team=team)
    context = {"annual_return": annual_return, "urls": urls, "team": team}
    if request.method != "POST":
        return render(request, "returns/spreadsheets/upload.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = upload_refused(request) or "Select the spreadsheet to upload"
        return render(request, "returns/spreadsheets/upload.html", context, status=400)
    try:
        rows, identity = read_return_workbook(upload, name=upload.name)
        plan = check_upload(
            annual_return=annual_return, return_rows=rows, identity_pieces=identity
        )
    except SpreadsheetRefused as error:
        context["error"] = str(error)
        return render(request, "returns/spreadsheets/upload.html", context, status=400)
    except UploadRefused as error:
        context["error"] = str(error)
        return render(request, "returns/spreadsheets/upload.html", context, status=400)
    upload_rules_check(plan=plan, user=request.user)
    context.update(
        plan=plan,
        file_name=upload.name,
        token=plan_dumps(plan, user_id=request.user.pk) if plan.ok else "",
    )
    status = 200 if plan.ok else 400
    return render(request, "returns/spreadsheets/preview.html", context, status=status)


def _confirm(request: HttpRequest, annual_return: AnnualReturn, *, team: bool):
    urls = _urls(annual_return, team=team)
    try:
        changes = plan_loads(
            request.POST.get("plan", ""),
            annual_return=annual_return,
            user_id=request.user.pk,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        messages.error(
            request,
            "The preview has expired or was altered. Nothing was saved: upload the "
            "file again.",
        )
        return redirect(urls["upload"])
    try:
        applied = upload_apply(
            annual_return=annual_return,
            changes=changes,
            user=request.user,
            replace_online=request.POST.get("replace_online") == "yes",
            file_name=request.POST.get("file_name", "")[:200],
            entered_by=request.user if team else None,
        )
    except (UploadStale, ReturnNotEditable, ValidationError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"Nothing was saved. {text}")
        return redirect(urls["upload"])
    if applied:
        messages.success(
            request,
            SAVED.format(count=applied, plural="" if applied == 1 else "s"),
        )
    else:
        messages.info(request, NOTHING_CHANGED)
    return redirect(urls["back"])


@supplier_required
def supplier_download(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = supplier_return_get(user=request.user, reference=reference)
    return _download(annual_return)


@takes_upload("SPREADSHEET_MAX_BYTES")
@supplier_required
def supplier_upload(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = supplier_return_get(user=request.user, reference=reference)
    return _upload(request, annual_return, team=False)


@supplier_required
@require_POST
def supplier_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = supplier_return_get(user=request.user, reference=reference)
    return _confirm(request, annual_return, team=False)


@team_required
def team_download(request: HttpRequest, reference: str) -> HttpResponse:
    return _download(_team_return(reference))


@takes_upload("SPREADSHEET_MAX_BYTES")
@team_required
def team_upload(request: HttpRequest, reference: str) -> HttpResponse:
    return _upload(request, _team_return(reference), team=True)


@team_required
@require_POST
def team_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    return _confirm(request, _team_return(reference), team=True)


@team_required
def team_year_exports(request: HttpRequest, slug: str) -> HttpResponse:
    year = year_by_slug(slug)
    if request.method == "POST":
        year_export_request(year=year, user=request.user)
        messages.success(
            request,
            f"The {year.label} export is being built. Refresh this page to see when it "
            "is ready.",
        )
        return redirect("team:year_exports", slug=slug)
    exports = YearExport.objects.filter(year=year).select_related("requested_by")[:20]
    return render(
        request,
        "returns/spreadsheets/year_exports.html",
        {"year": year, "exports": exports},
    )


@team_required
def team_year_export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(YearExport, pk=pk, status=YearExport.Status.READY)
    if not export.file:
        raise Http404
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
        content_type=XLSX,
    )
