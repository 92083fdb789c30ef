"""Prints how many browser and real-worker tests passed in each pass; fails if none did."""

import sys

from defusedxml import ElementTree as ET

REQUIRED = {
    "browser tests": lambda case: ".browser." in case.get("classname", ""),
    "real Celery worker tests": lambda case: "worker" in case.get("name", ""),
    "LibreOffice round trips": lambda case: "libreoffice" in case.get("name", ""),
}
failed = False
for path in sys.argv[1:]:
    cases = list(ET.parse(path).getroot().iter("testcase"))
    passed = [c for c in cases if not list(c)]  # no failure/error/skipped child
    skipped = [c for c in cases if c.find("skipped") is not None]
    print(f"{path}: {len(passed)} passed, {len(skipped)} skipped of {len(cases)}")
    for label, match in REQUIRED.items():
        count = sum(1 for c in passed if match(c))
        print(f"  {label} passed: {count}")
        on_postgres = "postgres" in path
        if count == 0 and (not label.startswith("real") or on_postgres):
            print(f"  MISSING: no {label} passed in {path}")
            failed = True
sys.exit(1 if failed else 0)
