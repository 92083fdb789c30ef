"""The demo shows the import history, made by the real import service."""

import datetime

import pytest

from demo.load import load_demo
from frameworks.models import ImportRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_applied_valuations_import_and_a_contacts_file_to_confirm(
    django_capture_on_commit_callbacks,
):
    # The contacts file is uploaded as on the page: its check runs after commit.
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(today=datetime.date(2025, 6, 15), scale=1)
    runs = {run.kind: run for run in ImportRun.objects.all()}
    assert runs["valuations"].status == ImportRun.Status.APPLIED
    assert runs["valuations"].unchanged == 40 and runs["valuations"].created == 0
    assert runs["contacts"].status == ImportRun.Status.CHECKED
    assert runs["contacts"].created_by.email == "team@example.org"
    assert runs["contacts"].file  # kept until confirmed, or for a day
    load_demo(today=datetime.date(2025, 6, 15), scale=1)
    assert ImportRun.objects.count() == 2
