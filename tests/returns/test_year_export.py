"""The team's export of every return of a year: built by a task, offered when ready."""

import io
import os
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from returns.models import CaseStudy, YearExport
from returns.tasks import build_year_export
from tests import factories
from tests.celery_worker import real_worker, wait_for
from tests.sessions import signed_in


def _year_with_returns():
    year = factories.ReportingYearFactory()
    first = factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__supplier__name="Acme Build Ltd",
        annual_return__status="submitted",
        contract__reference="C-0001",
    )
    factories.ReturnEntryFactory(
        line=first, measure=factories.measure("EMP-FT"), quantity=Decimal("3")
    )
    factories.ReturnLineFactory(
        annual_return__year=year,
        annual_return__supplier__name="=cmd|' /C calc'!A0",
        contract__reference="C-0002",
    )
    CaseStudy.objects.create(
        line=first,
        title='=HYPERLINK("http://x","y")',
        story="A story",
        consent="none_identifiable",
    )
    return year


@pytest.mark.django_db
def test_team_builds_a_year_export_and_downloads_it(
    client, django_capture_on_commit_callbacks
):
    year = _year_with_returns()
    team = factories.TeamUserFactory()
    signed_in(client, team)
    page = reverse("team:year_exports", args=[year.slug])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(page).status_code == 302
    export = YearExport.objects.get()
    assert export.status == YearExport.Status.READY and export.line_count == 2
    listing = client.get(page)
    download = reverse("team:year_export_download", args=[export.pk])
    assert download.encode() in listing.content

    response = client.get(download)
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    lines = book["Lines"]
    header = [c.value for c in lines[1]]
    first = [c.value for c in lines[2]]
    assert first[header.index("Contract")] == "C-0001"
    assert first[header.index("Status")] == "Submitted"
    assert first[[h.split(" ")[0] for h in header].index("EMP-FT")] == 3
    supplier_cells = [lines.cell(row=r, column=2) for r in (2, 3)]
    assert all(c.data_type == "s" for c in supplier_cells)
    assert "'=cmd|' /C calc'!A0" in [c.value for c in supplier_cells]
    title = book["Case studies"].cell(row=2, column=4)
    assert title.data_type == "s"
    assert title.value == '\'=HYPERLINK("http://x","y")'


@pytest.mark.django_db
def test_a_second_run_of_a_finished_export_does_nothing():
    year = _year_with_returns()
    export = YearExport.objects.create(
        year=year, requested_by=factories.TeamUserFactory()
    )
    build_year_export(export_id=export.pk)
    export.refresh_from_db()
    name = export.file.name
    assert build_year_export(export_id=export.pk) == "ready"
    export.refresh_from_db()
    assert export.file.name == name


@pytest.mark.django_db
def test_only_the_team_reaches_year_exports(client):
    year = _year_with_returns()
    export = YearExport.objects.create(
        year=year, requested_by=factories.TeamUserFactory()
    )
    build_year_export(export_id=export.pk)
    signed_in(client, factories.SupplierContactFactory().user)
    assert client.get(reverse("team:year_exports", args=[year.slug])).status_code == 403
    download = reverse("team:year_export_download", args=[export.pk])
    assert client.get(download).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_year_export(settings, tmp_path, monkeypatch):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "needs CELERY_BROKER_URL (Redis); CI sets it for the PostgreSQL pass"
        )
    # The worker writes to the file system under MEDIA_ROOT; read from the same place.
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    year = _year_with_returns()
    export = YearExport.objects.create(
        year=year, requested_by=factories.TeamUserFactory()
    )
    with real_worker() as queue:
        build_year_export.apply_async(kwargs={"export_id": export.pk}, queue=queue)
        ready = wait_for(
            lambda: (
                YearExport.objects.get(pk=export.pk).status == YearExport.Status.READY
            )
        )
    assert ready
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        assert load_workbook(handle)["Lines"].max_row == 3
