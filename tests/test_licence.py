"""The licence file says what pyproject.toml says."""

import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_licence_file_is_the_mit_licence_pyproject_names():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    text = (ROOT / "LICENSE").read_text()
    assert declared["license"] == {"text": "MIT"}
    assert text.startswith("MIT License\n")
    assert "the Social value returns portal contributors" in text
    assert "Permission is hereby granted, free of charge" in text
