"""A real Celery worker checks and applies an upload, reading it through Django's
storage (another process: no local file of the web process is needed)."""

import datetime
import os
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from frameworks.models import ImportRun, Valuation
from frameworks.tasks import apply_import, check_import
from tests import factories
from tests.celery_worker import real_worker, wait_for
from tests.frameworks.sheets import xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _status(run_id: int) -> str:
    return ImportRun.objects.get(pk=run_id).status


def test_a_real_worker_checks_then_applies_an_uploaded_file(
    settings, tmp_path, monkeypatch
):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "needs CELERY_BROKER_URL (Redis); CI sets it for the PostgreSQL pass"
        )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    monkeypatch.delenv("FILE_STORAGE_BACKEND", raising=False)
    contract = factories.ContractFactory(reference="C-1")
    data = xlsx(
        ["Contract reference", "Quarter ending", "Spend in quarter (£, excl. VAT)"],
        ["C-1", datetime.date(2024, 6, 30), 1234.5],
    )
    run = ImportRun(file_name="valuations.xlsx", size=len(data))
    run.file.save("valuations.xlsx", ContentFile(data))

    with real_worker() as queue:
        check_import.apply_async(kwargs={"run_id": run.pk}, queue=queue)
        assert wait_for(lambda: _status(run.pk) == ImportRun.Status.CHECKED), _status(
            run.pk
        )
        assert not Valuation.objects.exists()
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.APPLYING)
        apply_import.apply_async(kwargs={"run_id": run.pk}, queue=queue)
        assert wait_for(lambda: _status(run.pk) == ImportRun.Status.APPLIED), _status(
            run.pk
        )
    valuation = Valuation.objects.get(contract=contract)
    assert valuation.amount == Decimal("1234.50")
    assert ImportRun.objects.get(pk=run.pk).created == 1
