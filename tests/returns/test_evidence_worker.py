"""The monthly retention job on a real Celery worker: files past their years leave
storage, the rest stay."""

import datetime
import os

import pytest

from returns import events
from returns.models import Evidence, ReturnEvent
from returns.tasks import erase_expired_evidence
from tests import factories
from tests.celery_worker import real_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_real_worker_erases_evidence_past_its_retention(
    settings, tmp_path, monkeypatch
):
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "needs CELERY_BROKER_URL (Redis); CI sets it for the PostgreSQL pass"
        )
    # Files on disk, in a folder the worker is told about: both processes share it,
    # as a worker and the web processes share storage in production.
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))
    monkeypatch.setenv("EVIDENCE_RETENTION_YEARS", "6")
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    long_ended = datetime.date.today() - datetime.timedelta(days=7 * 366)
    old = factories.EvidenceFactory(
        line__contract__starts_on=long_ended - datetime.timedelta(days=900),
        line__contract__ends_on=long_ended,
    )
    current = factories.EvidenceFactory()
    old_path = tmp_path / old.file.name
    current_path = tmp_path / current.file.name
    assert old_path.exists() and current_path.exists()

    with real_worker() as queue:
        erase_expired_evidence.apply_async(queue=queue)
        erased = wait_for(
            lambda: Evidence.objects.filter(pk=old.pk, erased_at__isnull=False).exists()
        )
    assert erased
    assert not old_path.exists()
    assert current_path.exists()
    assert Evidence.objects.get(pk=current.pk).erased_at is None
    assert ReturnEvent.objects.filter(
        kind=events.EVIDENCE_ERASED, annual_return=old.line.annual_return
    ).exists()
