"""Members' monthly extracts: the team turns one on; the monthly job writes the
member's contract figures (the API's) once per month, however often it runs."""

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage

from api.extracts import extracts_write
from api.models import ExtractFile, ScheduledExtract
from api.tasks import write_member_extracts
from returns.models import ReportingYear
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_impact_world()
    ReportingYear.objects.filter(pk=world["this"].pk).update(
        issued_at=datetime.datetime(2025, 4, 14, tzinfo=datetime.UTC)
    )
    return world


def test_the_team_turns_an_extract_on_and_the_job_writes_it_once_a_month(
    world, team_client
):
    member = world["member_a"]
    response = team_client.post("/team/extracts/", {"member": member.pk, "active": "1"})
    assert response.status_code == 302
    assert ScheduledExtract.objects.get(member=member).is_active
    june = datetime.date(2025, 6, 3)
    assert extracts_write(today=june) == 1
    assert extracts_write(today=june) == 0  # run twice: nothing more
    made = ExtractFile.objects.get()
    assert made.month == datetime.date(2025, 6, 1) and made.rows == 2
    with default_storage.open(made.file.name) as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Year", "Contract", "Title", "Supplier"]
    assert [(row[1], row[10]) for row in rows[1:]] == [("C-1", "20"), ("C-4", "")]
    assert extracts_write(today=datetime.date(2025, 7, 1)) == 1
    assert ExtractFile.objects.count() == 2


def test_a_stopped_extract_is_not_written_and_only_the_team_may_change_them(
    world, team_client, member_client
):
    member = world["member_a"]
    team_client.post("/team/extracts/", {"member": member.pk, "active": "1"})
    team_client.post("/team/extracts/", {"member": member.pk, "active": "0"})
    assert extracts_write(today=datetime.date(2025, 6, 3)) == 0
    assert (
        member_client.post("/team/extracts/", {"member": member.pk}).status_code == 403
    )
    assert team_client.post("/team/extracts/", {"member": "9" * 40}).status_code == 404


def test_the_beat_task_is_a_thin_wrapper(world, team_user):
    from api.services import extract_set

    extract_set(member=world["member_b"], active=True, acting_user=team_user)
    assert write_member_extracts.delay().get() == 1
    assert write_member_extracts.delay().get() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_write_one_file(team_user):
    import threading

    from django.db import connections

    from api.services import extract_set

    world = build_impact_world()
    ReportingYear.objects.filter(pk=world["this"].pk).update(
        issued_at=datetime.datetime(2025, 4, 14, tzinfo=datetime.UTC)
    )
    extract_set(member=world["member_a"], active=True, acting_user=team_user)
    barrier = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            written.append(extracts_write(today=datetime.date(2025, 6, 3)))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(written) == [0, 1]
    made = ExtractFile.objects.get()
    # The storage is the process's (other tests' files are there too): the loser's
    # file of this member and month was removed.
    _, files = default_storage.listdir("extracts")
    reference = world["member_a"].reference
    ours = [name for name in files if name.startswith(f"{reference}-2025-06")]
    assert ours == [made.file.name.removeprefix("extracts/")]
