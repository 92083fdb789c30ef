"""Open data of a published year: the report's tables as CSV and JSON, and an OCDS
1.1 release package with the Metrics extension that validates against the vendored
schemas and adds up to the report."""

import copy
import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from demo.load import load_demo
from returns.models import ReportingYear
from returns.selectors import reports
from returns.services.reports import report_publish
from tests import factories
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[2] / "api" / "data" / "ocds"


def merge_patch(target, patch):
    """RFC 7396 JSON Merge Patch: a null deletes, objects merge recursively."""
    if not isinstance(patch, dict):
        return patch
    target = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = merge_patch(target.get(key), value)
    return target


def ocds_validator() -> Draft4Validator:
    release = json.loads((SCHEMAS / "standard-1.1.5/release-schema.json").read_text())
    patch = json.loads((SCHEMAS / "metrics-extension/release-schema.json").read_text())
    patched = merge_patch(release, patch)
    package = json.loads(
        (SCHEMAS / "standard-1.1.5/release-package-schema.json").read_text()
    )
    # The package schema refers to the release schema by its id URL: resolve it to
    # the patched local copy, so nothing is fetched.
    registry = Registry().with_resource(
        patched["id"], Resource.from_contents(patched, default_specification=DRAFT4)
    )
    return Draft4Validator(package, registry=registry), Draft4Validator(
        patched, registry=registry
    )


def _errors(validator, instance) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def test_the_demos_published_year_is_a_valid_ocds_package_adding_up_to_the_report(
    client,
):
    load_demo(today=datetime.date(2026, 5, 1), scale=1)
    year = ReportingYear.objects.get(report_published_at__isnull=False)
    response = client.get(f"/open-data/{year.slug}/ocds-release-package.json")
    assert response.status_code == 200
    package = response.json()
    package_validator, release_validator = ocds_validator()
    assert _errors(package_validator, package) == []
    for release in package["releases"]:
        assert _errors(release_validator, release) == [], release["ocid"]
    report = reports.impact_report(year=year)
    releases = package["releases"]
    assert len(releases) == len({r["ocid"] for r in releases}) > 10
    assert all(r["ocid"].startswith("ocds-svr000-") for r in releases)

    def metric_total(section, metric_id):
        total = Decimal("0")
        for release in releases:
            contract = release["contracts"][0]
            metrics = (
                contract["agreedMetrics"]
                if section == "agreed"
                else contract["implementation"]["metrics"]
            )
            for metric in metrics:
                if metric["id"] == metric_id:
                    total += sum(
                        Decimal(str(o["measure"])) for o in metric["observations"]
                    )
        return total

    assert metric_total("agreed", "social-value-credits") == report.totals["target"]
    assert (
        metric_total("delivered", "social-value-credits") == report.totals["delivered"]
    )
    for row in report.measures:
        assert metric_total("delivered", row.code) == row.quantity, row.code
    # Buyers are members, suppliers carry their company number where known.
    release = releases[0]
    roles = {party["roles"][0] for party in release["parties"]}
    assert roles == {"buyer", "supplier"}
    assert release["relatedProcesses"][0]["relationship"] == ["framework"]
    text = json.dumps(package)
    assert "@" not in text  # no email addresses: nothing about people


def test_the_tables_are_the_reports_and_an_unpublished_year_is_not_found(client):
    world = build_impact_world()
    slug = world["this"].slug
    urls = [
        f"/open-data/{slug}/tables.json",
        f"/open-data/{slug}/ocds-release-package.json",
        f"/open-data/{slug}/by-member.csv",
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    report_publish(
        year=world["this"], acting_user=factories.TeamUserFactory(), confirmed=True
    )
    page = client.get(f"/impact/{slug}/").content.decode()
    for url in urls:
        assert f'href="{url}"' in page
    rows = list(
        csv.reader(io.StringIO(client.get(urls[2]).content.decode("utf-8-sig")))
    )
    assert rows[0] == [
        "Member",
        "Contracts",
        "Target credits",
        "Credits delivered",
        "Shortfall",
        "Employment opportunities",
    ]
    report = reports.impact_report(year=world["this"])
    expected = [
        [r.name, str(r.lines), f"{r.target:.2f}".rstrip("0").rstrip(".")]
        for r in report.breakdown("member").rows
    ]
    assert [row[:3] for row in rows[1:]] == expected
    tables = client.get(urls[0]).json()
    assert set(tables["tables"]) == {
        "by-framework",
        "by-member",
        "by-local-authority",
        "by-region",
        "measures",
        "headlines",
    }
    delivered = sum(
        Decimal(row["Credits delivered"]) for row in tables["tables"]["by-member"]
    )
    assert delivered == report.totals["delivered"]
    assert client.get(f"/open-data/{slug}/made-up.csv").status_code == 404
    package = client.get(urls[1]).json()
    c1 = next(r for r in package["releases"] if r["ocid"].endswith("-C-1"))
    contract = c1["contracts"][0]
    assert contract["agreedMetrics"][0]["observations"][0]["measure"] == 25
    delivered = contract["implementation"]["metrics"][0]["observations"][0]
    assert delivered["measure"] == 20
    assert delivered["dimensions"] == {
        "localAuthority": "Manchester",
        "localAuthorityCode": "E08000003",
    }
    assert c1["buyer"]["name"] == "Hollins Homes"
    # Only approved lines: C-3 (submitted), C-4 (sent back) and C-5 (excluded) are not
    # in it.
    assert sorted(r["contracts"][0]["id"] for r in package["releases"]) == [
        "C-1",
        "C-2",
    ]


def test_a_built_file_is_served_from_the_cache_with_the_portals_address(
    client, django_assert_num_queries
):
    world = build_impact_world()
    team = factories.TeamUserFactory()
    report_publish(year=world["this"], acting_user=team, confirmed=True)
    url = f"/open-data/{world['this'].slug}/ocds-release-package.json"
    first = client.get(url).content
    with django_assert_num_queries(1):  # the year only
        assert client.get(url).content == first
    package = json.loads(first)
    assert package["uri"] == f"http://127.0.0.1:8000{url}"
