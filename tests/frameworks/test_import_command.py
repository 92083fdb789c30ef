"""`manage.py import_reference FILE [--commit]`: checks, or applies, and records the run."""

import pytest
from django.core.management import CommandError, call_command

from frameworks.models import ImportRun, Member
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db


def test_without_commit_the_command_only_checks(tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx(["Member reference", "Member name"], ["M1", "Homes"]))
    call_command("import_reference", str(path))
    out = capsys.readouterr().out
    assert "Members: 1 to create" in out
    assert "nothing written" in out
    assert not Member.objects.filter(reference="M1").exists()
    # A check without --commit writes nothing at all: not even a run.
    assert not ImportRun.objects.exists()


def test_with_commit_the_command_imports(tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    path.write_bytes(xlsx(["Member reference", "Member name"], ["M1", "Homes"]))
    call_command("import_reference", str(path), "--commit")
    assert Member.objects.filter(reference="M1").exists()
    assert ImportRun.objects.get().status == ImportRun.Status.APPLIED


def test_a_bad_file_fails_the_command_naming_the_cell(tmp_path, capsys):
    path = tmp_path / "members.xlsx"
    path.write_bytes(
        xlsx(["Member reference", "Member name", "Active"], ["M1", "Homes", "perhaps"])
    )
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_reference", str(path), "--commit")
    assert "row 2, column C (Active)" in capsys.readouterr().err
    assert not Member.objects.filter(reference="M1").exists()
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED
