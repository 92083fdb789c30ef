"""Evidence: real files accepted, hostile ones refused with a message and nothing
stored, downloads only for people who may see the return, as attachments."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core.filetypes import DOCX, JPEG, MACROS, NOT_ALLOWED, PDF, PNG, XLSX
from core.uploads import too_large
from returns import events
from returns.models import AnnualReturn, Evidence, ReturnEvent
from returns.services.evidence import (
    RETURN_FULL,
    evidence_add,
    evidence_erase,
    evidence_erase_expired,
)
from tests import factories, filesamples

pytestmark = pytest.mark.django_db


def _upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def line(supplier):
    return factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
    )


def _url(line, name="supplier:line_evidence", **extra):
    return reverse(
        name, kwargs={"reference": line.annual_return.reference, "pk": line.pk, **extra}
    )


def _files_under(reference: str) -> list[str]:
    try:
        return default_storage.listdir(f"evidence/{reference}")[1]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("register.pdf", filesamples.PDF, PDF),
        ("site-photo.png", filesamples.png(), PNG),
        ("site-photo.JPG", filesamples.JPEG, JPEG),
        ("attendance.docx", filesamples.docx(), DOCX),
        ("apprentices.xlsx", filesamples.xlsx(), XLSX),
    ],
)
def test_a_real_file_of_each_kind_is_accepted_and_stored_under_a_random_name(
    line, supplier_user, name, data, content_type
):
    evidence = evidence_add(
        line=line, uploaded_file=_upload(name, data), acting_user=supplier_user
    )
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.size == len(data)
    assert name not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{line.annual_return.reference}/")
    assert len(evidence.file.name.rsplit("/", 1)[1]) == 32  # a uuid4, not guessable
    with default_storage.open(evidence.file.name) as stored:
        assert stored.read() == data


HOSTILE = [
    ("html-renamed.pdf", filesamples.HTML, NOT_ALLOWED),
    ("minutes.docm", filesamples.docm(), MACROS),
    ("minutes-renamed.docx", filesamples.docm(), MACROS),
    ("budget.xlsm", filesamples.xlsm(), MACROS),
    ("budget-renamed.xlsx", filesamples.xlsm(), MACROS),
    ("logo.svg", filesamples.SVG, NOT_ALLOWED),
    ("logo-renamed.png", filesamples.SVG, NOT_ALLOWED),
    ("setup.exe", filesamples.EXE, NOT_ALLOWED),
    ("setup-renamed.pdf", filesamples.EXE, NOT_ALLOWED),
    ("empty.pdf", b"", "The selected file is empty"),
    ("photo.pdf", filesamples.png(), "rename it to end .png"),
    ("register.pdf.html", filesamples.PDF, NOT_ALLOWED),
]


@pytest.mark.parametrize(("name", "data", "message"), HOSTILE)
def test_a_refused_file_gets_a_message_and_nothing_is_stored(
    line, supplier_client, name, data, message
):
    response = supplier_client.post(_url(line), {"file": _upload(name, data)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Evidence.objects.exists()
    assert _files_under(line.annual_return.reference) == []


def test_a_word_file_that_unpacks_too_big_is_refused_before_inflating(
    line, supplier_user
):
    import io
    import zipfile

    from core.filetypes import UNPACKS_TOO_BIG

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        source = zipfile.ZipFile(io.BytesIO(filesamples.docx()))
        for item in source.infolist():
            package.writestr(item, source.read(item))
        package.writestr("word/media/image1.png", b"\x00" * (201 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        evidence_add(
            line=line,
            uploaded_file=_upload("report.docx", bomb.getvalue()),
            acting_user=supplier_user,
        )
    assert refused.value.messages == [UNPACKS_TOO_BIG]
    assert not Evidence.objects.exists()


def test_a_file_over_the_size_limit_is_refused(line, supplier_client, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    data = filesamples.PDF + b"%" * 1000
    response = supplier_client.post(_url(line), {"file": _upload("big.pdf", data)})
    assert response.status_code == 400
    assert too_large(len(data), 1000) in response.content.decode()
    assert "The selected file is 1 KB: it must be smaller than 1000 bytes" in (
        response.content.decode()
    )
    assert not Evidence.objects.exists()
    assert _files_under(line.annual_return.reference) == []


def test_a_file_that_would_take_the_return_over_its_total_is_refused(
    line, supplier_user, settings
):
    settings.EVIDENCE_MAX_BYTES_PER_RETURN = 2 * len(filesamples.PDF) + 10
    other_line = factories.ReturnLineFactory(annual_return=line.annual_return)
    for target in (line, other_line):
        evidence_add(
            line=target,
            uploaded_file=_upload("a.pdf", filesamples.PDF),
            acting_user=supplier_user,
        )
    with pytest.raises(ValidationError) as refused:
        evidence_add(
            line=line,
            uploaded_file=_upload("b.pdf", filesamples.PDF),
            acting_user=supplier_user,
        )
    assert refused.value.messages[0].startswith(RETURN_FULL.split("{")[0])
    assert Evidence.objects.count() == 2
    assert len(_files_under(line.annual_return.reference)) == 2


def test_erased_files_no_longer_count_towards_the_return_total(
    line, supplier_user, admin_user, settings
):
    settings.EVIDENCE_MAX_BYTES_PER_RETURN = len(filesamples.PDF) + 10
    first = evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    evidence_erase(evidence=first, acting_user=admin_user, reason="Sent in error")
    evidence_add(
        line=line,
        uploaded_file=_upload("b.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )


def test_evidence_cannot_be_added_to_a_submitted_return(line, supplier_client):
    AnnualReturn.objects.filter(pk=line.annual_return_id).update(
        status=AnnualReturn.Status.SUBMITTED
    )
    response = supplier_client.post(
        _url(line), {"file": _upload("a.pdf", filesamples.PDF)}
    )
    assert response.status_code == 400
    assert "open for editing" in response.content.decode()
    assert not Evidence.objects.exists()


def test_uploading_does_not_touch_the_line_version(line, supplier_user):
    version = line.version
    evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    line.refresh_from_db()
    assert line.version == version


def test_the_supplier_uploads_through_the_page_and_sees_the_file(line, supplier_client):
    response = supplier_client.post(
        _url(line), {"file": _upload("register.pdf", filesamples.PDF)}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "register.pdf uploaded" in page
    evidence = Evidence.objects.get()
    assert _url(line, "supplier:evidence_download", evidence_id=evidence.pk) in page


def test_a_download_is_an_attachment_with_nosniff(line, supplier_client, supplier_user):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload('quote"d <b>.pdf', filesamples.PDF),
        acting_user=supplier_user,
    )
    response = supplier_client.get(
        _url(line, "supplier:evidence_download", evidence_id=evidence.pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Opened directly, it still cannot run anything: a sandboxed, empty policy.
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == filesamples.PDF


def test_another_supplier_the_member_and_the_anonymous_cannot_download(
    line, supplier_user, member_client
):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    url = _url(line, "supplier:evidence_download", evidence_id=evidence.pk)
    other = Client()
    other.force_login(factories.SupplierContactFactory().user)
    assert other.get(url).status_code == 404
    assert other.get(_url(line)).status_code == 404
    assert member_client.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    # A contact of supplier B naming B's own return with A's evidence id: not found.
    own_line = factories.ReturnLineFactory(
        annual_return__supplier=factories.SupplierContactFactory(
            user=factories.UserFactory(email="b@example.com")
        ).supplier
    )
    b_client = Client()
    b_client.force_login(factories.UserFactory(email="b@example.com"))
    assert (
        b_client.get(
            _url(own_line, "supplier:evidence_download", evidence_id=evidence.pk)
        ).status_code
        == 404
    )


def test_the_team_downloads_and_an_erased_file_is_not_found(
    line, supplier_user, team_client, admin_user
):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    url = reverse("team:evidence_download", kwargs={"evidence_id": evidence.pk})
    response = team_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    evidence_erase(evidence=evidence, acting_user=admin_user, reason="Request 12")
    assert team_client.get(url).status_code == 404
    supplier_client = Client()
    supplier_client.force_login(line.annual_return.supplier.contacts.first().user)
    assert (
        supplier_client.get(
            _url(line, "supplier:evidence_download", evidence_id=evidence.pk)
        ).status_code
        == 404
    )


def test_an_administrator_erases_a_file_and_an_event_records_it(
    line, supplier_user, admin_client_portal, admin_user
):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("payroll.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    stored = evidence.file.name
    url = reverse("team:evidence_erase", kwargs={"evidence_id": evidence.pk})
    assert admin_client_portal.get(url).status_code == 200
    response = admin_client_portal.post(url, {"reason": "Subject access request 7"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.erased_at is not None
    assert evidence.file.name == ""
    assert not default_storage.exists(stored)
    event = ReturnEvent.objects.get(kind=events.EVIDENCE_ERASED)
    assert event.actor == admin_user
    assert event.comment == "Subject access request 7"
    assert event.snapshot["original_name"] == "payroll.pdf"


def test_the_team_without_the_administrator_group_cannot_erase(
    line, supplier_user, team_client
):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    url = reverse("team:evidence_erase", kwargs={"evidence_id": evidence.pk})
    assert team_client.get(url).status_code == 403
    assert team_client.post(url, {"reason": "x"}).status_code == 403
    evidence.refresh_from_db()
    assert evidence.erased_at is None
    assert default_storage.exists(evidence.file.name)


def test_erasing_asks_for_a_reason(line, supplier_user, admin_client_portal):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("a.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    url = reverse("team:evidence_erase", kwargs={"evidence_id": evidence.pk})
    response = admin_client_portal.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Enter why it is being erased" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.erased_at is None


def test_the_retention_job_erases_only_evidence_past_its_years_and_runs_twice(
    settings,
):
    settings.EVIDENCE_RETENTION_YEARS = 6
    old = factories.EvidenceFactory(
        line__contract__ends_on=datetime.date(2019, 3, 31),
        line__contract__starts_on=datetime.date(2016, 4, 1),
    )
    kept = factories.EvidenceFactory(
        line__contract__ends_on=datetime.date(2019, 4, 2),
        line__contract__starts_on=datetime.date(2016, 4, 1),
    )
    old_name, kept_name = old.file.name, kept.file.name
    assert evidence_erase_expired(today=datetime.date(2025, 4, 1)) == 1
    assert evidence_erase_expired(today=datetime.date(2025, 4, 1)) == 0
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.erased_at and not kept.erased_at
    assert not default_storage.exists(old_name)
    assert default_storage.exists(kept_name)
    event = ReturnEvent.objects.get(kind=events.EVIDENCE_ERASED)
    assert event.annual_return == old.line.annual_return
    assert event.actor is None
    assert event.snapshot["evidence_ids"] == [old.pk]


def test_the_retention_years_come_from_the_setting(settings):
    settings.EVIDENCE_RETENTION_YEARS = 1
    evidence = factories.EvidenceFactory(
        line__contract__ends_on=datetime.date(2024, 3, 31)
    )
    assert evidence_erase_expired(today=datetime.date(2025, 4, 1)) == 1
    evidence.refresh_from_db()
    assert evidence.erased_at


def test_the_retention_job_is_on_the_monthly_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["erase-expired-evidence"]
    assert entry["task"] == "returns.tasks.erase_expired_evidence"
    assert entry["schedule"].day_of_month == {1}


def test_the_team_line_page_lists_evidence_and_offers_erase_to_administrators_only(
    line, supplier_user, team_client, admin_client_portal
):
    evidence = evidence_add(
        line=line,
        uploaded_file=_upload("payroll.pdf", filesamples.PDF),
        acting_user=supplier_user,
    )
    url = reverse("team:line_attachments", kwargs={"pk": line.pk})
    erase = reverse("team:evidence_erase", kwargs={"evidence_id": evidence.pk})
    team_page = team_client.get(url).content.decode()
    assert "payroll.pdf" in team_page
    assert erase not in team_page
    assert erase in admin_client_portal.get(url).content.decode()
