"""An issue run left queued or running by a dead worker: shown as stopped on the
runs page with the time it started, and started again by the resume job, issuing
nothing twice."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from returns.models import AnnualReturn, IssueRun
from returns.selectors.runs import issue_runs_stalled
from returns.services.issuing.runs import issue_run_start, issue_runs_resume
from returns.tasks import issue_year
from tests import factories
from tests.returns.test_issuing import contract_with

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(minutes=20)


def ready_year_with_a_return_to_issue():
    year = factories.ReportingYearFactory(ready_at=timezone.now())
    contract = contract_with("150000.00")
    factories.SupplierContactFactory(supplier=contract.supplier)
    return year


def test_a_run_left_running_by_a_dead_worker_is_shown_stopped_and_resumed(
    team_client,
):
    year = ready_year_with_a_return_to_issue()
    started = timezone.now() - LONG_AGO
    run = IssueRun.objects.create(
        year=year, dry_run=False, status=IssueRun.Status.RUNNING, started_at=started
    )
    runs = team_client.get(f"/team/years/{year.slug}/").content.decode()
    assert "Stopped" in runs and "its worker stopped" in runs
    assert timezone.localtime(started).strftime("%H:%M") in runs
    page = team_client.get(f"/team/years/{year.slug}/runs/{run.pk}/").content.decode()
    assert "stopped before it finished" in page

    assert issue_runs_resume() == [run.pk]  # runs the task (in-process in tests)
    run.refresh_from_db()
    assert run.status == IssueRun.Status.SUCCEEDED
    assert AnnualReturn.objects.filter(year=year).count() == 1
    assert issue_runs_resume() == []
    issue_year.delay(run_id=run.pk)  # a late re-delivery: nothing twice
    assert AnnualReturn.objects.filter(year=year).count() == 1


def test_a_run_no_worker_took_is_shown_waiting_then_stopped(team_client):
    year = ready_year_with_a_return_to_issue()
    run = IssueRun.objects.create(year=year, dry_run=True)
    page = team_client.get(f"/team/years/{year.slug}/runs/{run.pk}/").content.decode()
    assert "waiting for a worker" in page and "Stopped" not in page
    assert issue_runs_stalled([run]) == set()
    IssueRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - LONG_AGO)
    run.refresh_from_db()
    assert issue_runs_stalled([run]) == {run.pk}
    page = team_client.get(f"/team/years/{year.slug}/runs/{run.pk}/").content.decode()
    assert "No worker has started this run" in page


def test_a_finished_run_is_not_started_again():
    year = ready_year_with_a_return_to_issue()
    run = IssueRun.objects.create(year=year, dry_run=True)
    issue_year.delay(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == IssueRun.Status.SUCCEEDED
    assert issue_run_start(run_id=run.pk) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_a_live_worker_holds_is_not_stopped_however_long_it_takes():
    year = ready_year_with_a_return_to_issue()
    run = IssueRun.objects.create(
        year=year,
        dry_run=False,
        status=IssueRun.Status.RUNNING,
        started_at=timezone.now() - LONG_AGO,
    )
    holding, done = threading.Event(), threading.Event()

    def live_worker():  # holds the run's lock, as returns_issue does while it works
        try:
            with transaction.atomic():
                IssueRun.objects.select_for_update().get(pk=run.pk)
                holding.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert holding.wait(10)
        assert issue_runs_stalled([run]) == set()
        assert issue_run_start(run_id=run.pk) is None  # a re-delivery stands back
    finally:
        done.set()
        thread.join()
    # The worker died (its connection closed, its lock gone): now it is stopped.
    assert issue_runs_stalled([run]) == {run.pk}
