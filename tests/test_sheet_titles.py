"""Sheet titles: one helper makes every title valid and unique, and every workbook
writer goes through it."""

import ast
import pathlib

import pytest
from openpyxl import Workbook

from core.exports import xlsx_bytes, xlsx_sheets_bytes
from core.xlsx.titles import sheet_title

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP_FOLDERS = ("core", "accounts", "frameworks", "returns", "portal", "demo")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shortfall 2025/26", "Shortfall 2025-26"),
        ("Shortfall to date", "Shortfall to date"),
        ("a\\b?c*d[e]f:g", "a-b-c-d-e-f-g"),
        ("'Quoted'", "Quoted"),
        ("", "Sheet"),
        ("   ", "Sheet"),
        ("x" * 40, "x" * 31),
        ("Tab\there", "Tabhere"),
    ],
)
def test_a_title_is_cleaned(text, expected):
    assert sheet_title(text) == expected


def test_a_title_already_taken_gets_a_number_within_31_characters():
    long = "Members of the consortium by region"
    first = sheet_title(long)
    second = sheet_title(long, taken=[first])
    third = sheet_title(long.upper(), taken=[first, second])
    assert first == long[:31]
    assert second.endswith(" (2)") and len(second) <= 31
    assert third.endswith(" (3)") and len(third) <= 31


@pytest.mark.parametrize(
    "text", ["2025/26", "Who? [all]: *", "'", "x" * 200, "By local authority/region"]
)
def test_openpyxl_accepts_every_title_the_helper_makes(text):
    book = Workbook()
    book.active.title = sheet_title(text)
    book.create_sheet(sheet_title(text, taken=[book.active.title]))


def test_the_export_helpers_clean_and_tell_apart_their_titles():
    xlsx_bytes(["A"], [[1]], title="Shortfall 2025/26")
    xlsx_sheets_bytes(
        [("By year 2024/25", ["A"], [[1]]), ("By year 2024:25", ["A"], [[2]])]
    )


def _writer_calls() -> list[str]:
    """Every `create_sheet(...)` call and `<sheet>.title = ...` assignment in the
    portal's code whose title does not come from `sheet_title`."""
    found = []
    for folder in APP_FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                title = None
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "create_sheet"
                ):
                    args = [*node.args, *(k.value for k in node.keywords)]
                    title = args[0] if args else None
                elif isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute)
                    and t.attr == "title"
                    and isinstance(t.value, ast.Name)
                    and t.value.id in ("sheet", "ws", "worksheet")
                    for t in node.targets
                ):
                    title = node.value
                else:
                    continue
                uses_helper = (
                    isinstance(title, ast.Call)
                    and isinstance(title.func, ast.Name)
                    and title.func.id == "sheet_title"
                )
                if not uses_helper:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_workbook_writer_names_its_sheets_through_the_helper():
    assert _writer_calls() == []
