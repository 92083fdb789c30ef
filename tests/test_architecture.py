"""Imports run one way: demo and portal -> the apps -> core.

`core/` (helpers every app uses) imports no app of the portal; the apps import neither
`portal/` (settings, URLs, middleware: the top of the house) nor `demo/`; nothing but
`demo/` itself imports the demo. Read from the source with `ast`, so an import inside
a function counts as much as one at the top of a module.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = (
    "core",
    "accounts",
    "frameworks",
    "returns",
    "support",
    "api",
    "portal",
    "demo",
)

# Which top-level packages each layer must not import.
FORBIDDEN = {
    "core": {"accounts", "frameworks", "returns", "support", "api", "portal", "demo"},
    # The API app (issue 24) sits above the apps whose selectors it serves.
    "accounts": {"api", "portal", "demo"},
    "frameworks": {"api", "portal", "demo"},
    "returns": {"api", "portal", "demo"},
    "support": {"api", "portal", "demo"},
    "api": {"portal", "demo"},
    "portal": {"demo"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(module: str, source: str, *, is_package: bool) -> set[str]:
    """Every module an import statement in `source` names, relative ones resolved."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from returns import selectors` imports returns.selectors
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """(module, imported) pairs that break FORBIDDEN, as readable lines."""
    wrong = []
    for module, (source, is_package) in sorted(sources.items()):
        layer = module.split(".")[0]
        forbidden = FORBIDDEN.get(layer, set())
        for target in sorted(imported_modules(module, source, is_package=is_package)):
            if target.split(".")[0] in forbidden:
                wrong.append(f"{module} imports {target}")
    return wrong


def project_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for package in PROJECT:
        for path in (ROOT / package).rglob("*.py"):
            sources[module_name(path)] = (path.read_text(), path.name == "__init__.py")
    return sources


def test_imports_run_one_way_from_demo_through_the_apps_to_core():
    sources = project_sources()
    assert len(sources) > 150  # the walk found the project
    assert violations(sources) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "core.numbers",
            "from returns.models import Measure\n",
            [
                "core.numbers imports returns.models",
                "core.numbers imports returns.models.Measure",
            ],
        ),
        (
            "core.xlsx.reading",
            "def f():\n    from frameworks import models\n",
            [
                "core.xlsx.reading imports frameworks",
                "core.xlsx.reading imports frameworks.models",
            ],
        ),
        (
            "returns.views.team",
            "from demo.load import load_demo\n",
            [
                "returns.views.team imports demo.load",
                "returns.views.team imports demo.load.load_demo",
            ],
        ),
        ("returns.selectors.years", "from ..models import ReportingYear\n", []),
        ("core.fields", "from .numbers import round_half_up\n", []),
    ],
)
def test_the_check_catches_an_import_that_runs_the_wrong_way(module, source, expected):
    assert violations({module: (source, False)}) == expected


def test_a_relative_import_that_climbs_into_an_app_is_caught():
    # core/xlsx/__init__.py reaching up two levels lands outside core
    assert violations({"core.xlsx": ("from ...returns import models\n", True)})
