"""The demo shows the import history, made by the real import service."""

import datetime

import pytest

from demo.load import load_demo
from frameworks.models import ImportRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_applied_valuations_import_and_a_contacts_file_to_confirm():
    load_demo(today=datetime.date(2025, 6, 15), scale=1)
    runs = {run.kind: run for run in ImportRun.objects.all()}
    assert runs["valuations"].status == ImportRun.Status.APPLIED
    assert runs["valuations"].unchanged == 40 and runs["valuations"].created == 0
    assert runs["contacts"].status == ImportRun.Status.CHECKED
    assert runs["contacts"].created_by.email == "team@example.org"
    load_demo(today=datetime.date(2025, 6, 15), scale=1)
    assert ImportRun.objects.count() == 2
