"""Nothing is kept from a file that will not be applied (issue 18): a refused upload
is deleted when it is refused, a checked one nobody confirms after a day, a file of
contacts (personal data) once applied; the run stays as the record."""

import datetime

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from frameworks.imports.runs import import_files_erase_unconfirmed
from frameworks.models import ImportRun
from frameworks.tasks import erase_unconfirmed_import_files
from tests import factories
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db

MEMBERS = xlsx(["Member reference", "Member name"], ["M1", "Northfield"])


def _upload(client, data, name, capture):
    with capture(execute=True):
        client.post(reverse("team:imports"), {"file": SimpleUploadedFile(name, data)})
    return ImportRun.objects.order_by("-pk").first()


def test_a_refused_upload_is_deleted_when_it_is_refused(
    team_client, django_capture_on_commit_callbacks
):
    run = _upload(
        team_client,
        b"not a spreadsheet",
        "notes.xlsx",
        django_capture_on_commit_callbacks,
    )
    assert run.status == ImportRun.Status.REFUSED
    assert not run.file
    assert run.file_name == "notes.xlsx" and run.error_count == 1  # the record


def test_a_checked_upload_nobody_confirms_is_deleted_after_a_day(
    team_client, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        run = _upload(
            team_client, MEMBERS, "members.xlsx", django_capture_on_commit_callbacks
        )
    assert run.status == ImportRun.Status.CHECKED
    stored = run.file.name
    assert default_storage.exists(stored)

    assert import_files_erase_unconfirmed(now=start + datetime.timedelta(hours=23)) == 0
    assert default_storage.exists(stored)
    assert import_files_erase_unconfirmed(now=start + datetime.timedelta(hours=25)) == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.EXPIRED and not run.file
    assert not default_storage.exists(stored)
    # Run twice: nothing more to do; the run can no longer be confirmed.
    assert import_files_erase_unconfirmed(now=start + datetime.timedelta(days=2)) == 0
    response = team_client.post(reverse("team:import_confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.EXPIRED


def test_the_daily_task_is_scheduled_and_runs_the_service(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["erase-unconfirmed-import-files"]
    assert schedule["task"] == "frameworks.tasks.erase_unconfirmed_import_files"
    assert erase_unconfirmed_import_files.delay().get() == 0


def test_a_file_of_contacts_is_deleted_once_applied_and_others_are_kept(
    team_client, django_capture_on_commit_callbacks
):
    supplier = factories.SupplierFactory(reference="S1")
    contacts = xlsx(
        ["Supplier reference", "Name", "Email"], [supplier.reference, "Ann", "a@x.org"]
    )
    for data, name in ((contacts, "contacts.xlsx"), (MEMBERS, "members.xlsx")):
        run = _upload(team_client, data, name, django_capture_on_commit_callbacks)
        assert run.status == ImportRun.Status.CHECKED, run.report
        with django_capture_on_commit_callbacks(execute=True):
            team_client.post(reverse("team:import_confirm", args=[run.pk]))
        run.refresh_from_db()
        assert run.status == ImportRun.Status.APPLIED
        if run.kind == "contacts":
            assert not run.file  # personal data: not kept once applied
        else:
            assert run.file and default_storage.exists(run.file.name)
