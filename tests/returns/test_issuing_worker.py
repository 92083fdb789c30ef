"""A real Celery worker on Redis issues a year (the team's button and the daily job)."""

import os

import pytest
from django.utils import timezone

from returns.models import AnnualReturn, IssueRun
from returns.tasks import issue_ready_years, issue_year
from tests import factories
from tests.celery_worker import real_worker, wait_for
from tests.returns.test_issuing import contract_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_broker():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs CELERY_BROKER_URL (Redis); CI sets it for PostgreSQL")


def test_a_real_worker_runs_the_teams_queued_issue():
    year = factories.ReportingYearFactory(ready_at=timezone.now())
    contract = contract_with("150000.00")
    factories.SupplierContactFactory(supplier=contract.supplier)
    run = IssueRun.objects.create(year=year, dry_run=False)

    with real_worker() as queue:
        issue_year.apply_async(kwargs={"run_id": run.pk}, queue=queue)
        finished = wait_for(
            lambda: IssueRun.objects.filter(
                pk=run.pk, status=IssueRun.Status.SUCCEEDED
            ).exists()
        )
    assert finished, IssueRun.objects.get(pk=run.pk).summary
    assert AnnualReturn.objects.filter(year=year, supplier=contract.supplier).exists()


def test_a_real_worker_runs_the_daily_job():
    year = factories.ReportingYearFactory(ready_at=timezone.now())  # issue 14 Apr 2025
    contract_with("150000.00")

    with real_worker() as queue:
        issue_ready_years.apply_async(queue=queue)
        issued = wait_for(lambda: AnnualReturn.objects.filter(year=year).count() == 1)
    assert issued
    year.refresh_from_db()
    assert year.issued_at is not None
