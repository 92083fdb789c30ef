"""The team's import page: upload, the check's report, confirm, the result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.xlsx import read_table
from frameworks.imports import KINDS
from frameworks.imports.services import kind_for
from frameworks.models import ImportRun, Member, Valuation
from tests import factories
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db

SPEND = "Spend in quarter (£, excl. VAT)"


def upload(client, data, name="file.xlsx", capture=None):
    with capture(execute=True):
        response = client.post(
            reverse("team:imports"), {"file": SimpleUploadedFile(name, data)}
        )
    return response


def test_upload_check_confirm_apply(
    team_client, team_user, django_capture_on_commit_callbacks
):
    data = xlsx(
        ["Member reference", "Member name"], ["M1", "Northfield"], ["M2", "South"]
    )
    response = upload(
        team_client, data, "members.xlsx", django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("team:import_detail", args=[run.pk])
    assert run.status == ImportRun.Status.CHECKED
    assert (run.kind, run.created, run.created_by) == ("members", 2, team_user)
    assert not Member.objects.filter(reference="M1").exists()
    assert run.file.name  # kept in the storage until applied

    page = team_client.get(response["Location"]).content.decode()
    assert "What importing would do" in page
    assert "Confirm and import" in page

    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(reverse("team:import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert run.confirmed_by == team_user
    assert Member.objects.filter(reference__in=["M1", "M2"]).count() == 2
    assert Member.objects.get(reference="M1").history.get().history_user == team_user
    page = team_client.get(
        reverse("team:import_detail", args=[run.pk])
    ).content.decode()
    assert "Imported" in page and "Confirm and import" not in page


def test_a_file_with_problems_lists_them_and_cannot_be_confirmed(
    team_client, django_capture_on_commit_callbacks
):
    factories.ContractFactory(reference="C-1")
    data = xlsx(
        ["Contract reference", "Quarter ending", SPEND],
        ["C-1", "30/06/2024", 100],
        ["C-1", "29/06/2024", -4],
    )
    upload(team_client, data, "valuations.xlsx", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert run.error_count == 2
    page = team_client.get(
        reverse("team:import_detail", args=[run.pk])
    ).content.decode()
    assert "Nothing has been imported" in page
    assert "Row 3, column B (Quarter ending)" in page
    assert "Expected a calendar quarter end" in page
    assert "Confirm and import" not in page
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(reverse("team:import_confirm", args=[run.pk]))
    assert not Valuation.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED


def test_the_data_changing_between_check_and_confirm_is_caught_on_apply(
    team_client, django_capture_on_commit_callbacks
):
    contract = factories.ContractFactory(reference="C-1")
    upload(
        team_client,
        xlsx(["Contract reference", "Quarter ending", SPEND], ["C-1", "30/06/2024", 5]),
        "v.xlsx",
        django_capture_on_commit_callbacks,
    )
    run = ImportRun.objects.get()
    contract.status = "cancelled"
    contract.save()
    with django_capture_on_commit_callbacks(execute=True):
        team_client.post(reverse("team:import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REFUSED
    assert not Valuation.objects.exists()


def test_not_a_spreadsheet_is_refused_with_a_message(
    team_client, django_capture_on_commit_callbacks
):
    upload(team_client, b"hello", "notes.xlsx", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    page = team_client.get(
        reverse("team:import_detail", args=[run.pk])
    ).content.decode()
    assert "is not an Excel workbook" in page


def test_a_file_over_the_limit_is_refused_unread_and_not_stored(team_client, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    team_client.post(
        reverse("team:imports"), {"file": SimpleUploadedFile("big.csv", b"x" * 101)}
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert not run.file


def test_the_upload_form_says_what_is_wrong(
    team_client, django_capture_on_commit_callbacks
):
    response = team_client.post(reverse("team:imports"), {})
    assert response.status_code == 400
    assert "Select an xlsx or CSV file to import" in response.content.decode()
    # A file was selected, but it holds nothing: say so, not "select a file".
    response = team_client.post(
        reverse("team:imports"), {"file": SimpleUploadedFile("a.xlsx", b"")}
    )
    assert response.status_code == 400
    assert "The selected file is empty" in response.content.decode()
    assert "Select an xlsx" not in response.content.decode()
    assert not ImportRun.objects.exists()
    # What a file is comes from its content, as on every upload: a PDF is refused
    # by the check, and not kept.
    upload(team_client, b"%PDF-1.4", "a.pdf", django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED and not run.file
    assert "is not an Excel workbook (.xlsx) or a CSV file" in str(run.report)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_template_downloads_and_is_recognised_as_its_kind(team_client, kind):
    response = team_client.get(reverse("team:import_template", args=[kind.key]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    table = read_table(response.content, name="template.xlsx")
    assert kind_for(table) is kind
    assert not table.rows  # headings only: importing it unchanged does nothing


def test_the_imports_list_does_not_grow_in_queries_with_the_runs(
    team_client, team_user, django_assert_max_num_queries
):
    for n in range(3):
        ImportRun.objects.create(file_name=f"f{n}.xlsx", created_by=team_user)
    with django_assert_max_num_queries(12) as few:
        team_client.get(reverse("team:imports"))
    for n in range(30):
        ImportRun.objects.create(
            file_name=f"g{n}.xlsx", created_by=factories.TeamUserFactory()
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = team_client.get(reverse("team:imports"))
    assert "g29.xlsx" in response.content.decode()


def test_other_roles_cannot_reach_an_import(supplier_client, member_client, team_user):
    run = ImportRun.objects.create(file_name="f.xlsx", created_by=team_user)
    for client in (supplier_client, member_client):
        assert (
            client.get(reverse("team:import_detail", args=[run.pk])).status_code == 403
        )
        assert (
            client.post(reverse("team:import_confirm", args=[run.pk])).status_code
            == 403
        )
