"""A published year's open data: the impact report's tables as CSV and JSON, and an
OCDS 1.1 release package with the Metrics extension.

The tables are the report's own (`reports.report_sheets`, which its workbook and page
use), so every figure is the report's. Nothing about people: no names of contacts,
no case studies (the public report's approved case studies stay on its page).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings

from core.exports import csv_bytes
from frameworks.models import Contract
from returns import figures
from returns.figures import LONDON
from returns.models import Measure, ReportingYear
from returns.selectors import reports

# slug → the report sheet's title (the tables the issue names; the report's page
# shows each of them).
TABLES = {
    "by-framework": "By framework",
    "by-member": "By member",
    "by-local-authority": "By local authority",
    "by-region": "By region",
    "measures": "Every measure",
    "headlines": "Headlines",
}
METRICS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_metrics_extension/master/extension.json"
)
CREDITS_METRIC = "social-value-credits"
CONTRACT_STATUS = {
    Contract.Status.ACTIVE: "active",
    Contract.Status.COMPLETED: "terminated",
    Contract.Status.CANCELLED: "cancelled",
}


def _plain(value):
    """Numbers as plain text with their places (the `plain` filter): never 1E+1."""
    from returns.templatetags.figures_format import plain

    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return plain(value)
    return value


def report_tables(report: reports.ImpactReport) -> dict[str, tuple[list, list]]:
    """slug → (header, rows) of the report's tables."""
    sheets = {
        title: (header, rows) for title, header, rows in reports.report_sheets(report)
    }
    return {slug: sheets[title] for slug, title in TABLES.items()}


def table_csv(report: reports.ImpactReport, slug: str) -> bytes:
    header, rows = report_tables(report)[slug]
    return csv_bytes(header, ([_plain(v) for v in row] for row in rows))


def tables_json(report: reports.ImpactReport) -> dict:
    def number(value):
        if isinstance(value, Decimal):
            return _plain(value)
        return value

    return {
        "year": report.year.label,
        "publishedDate": report.year.report_published_at.isoformat(),
        "license": settings.OPEN_DATA_LICENCE_URL,
        "publisher": settings.OPEN_DATA_PUBLISHER,
        "tables": {
            slug: [
                {key: number(value) for key, value in zip(header, row, strict=True)}
                for row in rows
            ]
            for slug, (header, rows) in report_tables(report).items()
        },
    }


# --- OCDS -------------------------------------------------------------------------------


def _moment(day: datetime.date, *, end: bool = False) -> str:
    time = datetime.time(23, 59, 59) if end else datetime.time(0, 0)
    return datetime.datetime.combine(day, time, tzinfo=LONDON).isoformat()


def _number(value: Decimal) -> float | int:
    """A JSON number with the places the value has (OCDS measures are numbers)."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _party(kind: str, obj, role: str, identifier: dict | None = None) -> dict:
    party = {"id": f"{kind}-{obj.reference}", "name": obj.name, "roles": [role]}
    if identifier:
        party["identifier"] = identifier
    return party


def release_package(*, year: ReportingYear, uri: str) -> dict:
    """One compiled release per contract on an approved line of the year: buyer (the
    member of that year's line), supplier, framework agreement and lot, period and
    value, the year's credit target as agreed metrics, and delivered credits and
    measures as implementation metrics by local authority where known. A constant
    number of queries."""
    prefix = settings.OCDS_OCID_PREFIX
    lines = figures.reported_lines(year=year)
    by_contract = {
        row["contract_id"]: row for row in figures.figures_by("contract", lines=lines)
    }
    quantities = figures.quantities_by("contract", lines=lines)
    measures = {m.code: m for m in Measure.objects.all()}
    period = {
        "startDate": _moment(year.starts_on),
        "endDate": _moment(year.ends_on, end=True),
    }
    published = year.report_published_at.isoformat()
    releases: dict[int, dict] = {}
    for line in lines.select_related(
        "contract",
        "member",
        "lot__framework",
        "annual_return__supplier",
        "local_authority",
    ).order_by("contract__reference", "pk"):
        if line.contract_id in releases:
            continue  # a contract on two approved returns: its figures are summed
        contract = line.contract
        supplier = line.annual_return.supplier
        figure = by_contract[line.contract_id]
        place = line.local_authority
        dimensions = (
            {"localAuthority": place.name, "localAuthorityCode": place.code}
            if place
            else None
        )

        def observation(id_, measure, unit, dimensions=dimensions):
            made = {
                "id": id_,
                "period": period,
                "measure": _number(measure),
                "unit": {"name": unit},
            }
            if dimensions:
                made["dimensions"] = dimensions
            return made

        supplier_identifier = (
            {
                "scheme": "GB-COH",
                "id": supplier.company_number,
                "legalName": supplier.name,
            }
            if supplier.company_number
            else None
        )
        award_id = f"{contract.reference}-award"
        metrics = [
            {
                "id": CREDITS_METRIC,
                "title": "Social value credits delivered",
                "observations": [
                    observation(
                        f"{CREDITS_METRIC}-{year.slug}", figure["delivered"], "credits"
                    )
                ],
            }
        ]
        for code, quantity in sorted(quantities.get(line.contract_id, {}).items()):
            measure = measures[code]
            metrics.append(
                {
                    "id": code,
                    "title": measure.name,
                    "observations": [
                        observation(f"{code}-{year.slug}", quantity, measure.unit)
                    ],
                }
            )
        ocds_contract = {
            "id": contract.reference,
            "awardID": award_id,
            "title": contract.title,
            "status": CONTRACT_STATUS.get(contract.status, "active"),
            "period": {
                "startDate": _moment(contract.starts_on),
                "endDate": _moment(contract.ends_on, end=True),
            },
            "value": {"amount": _number(contract.value), "currency": "GBP"},
            "agreedMetrics": [
                {
                    "id": CREDITS_METRIC,
                    "title": "Social value credits target",
                    "description": (
                        f"{_plain(year.credits_per_100k)} credits per £100,000 of "
                        f"spend in the year (spend £{_plain(figure['spend'])})."
                    ),
                    "observations": [
                        observation(
                            f"{CREDITS_METRIC}-target-{year.slug}",
                            figure["target"],
                            "credits",
                            dimensions=None,
                        )
                    ],
                }
            ],
            "implementation": {"metrics": metrics},
        }
        member = line.member
        releases[line.contract_id] = {
            "ocid": f"{prefix}-{contract.reference}",
            "id": f"{prefix}-{contract.reference}-{year.slug}",
            "date": published,
            "tag": ["compiled"],
            "initiationType": "tender",
            "language": "en",
            "parties": [
                _party("member", member, "buyer"),
                _party("supplier", supplier, "supplier", supplier_identifier),
            ],
            "buyer": {"id": f"member-{member.reference}", "name": member.name},
            "relatedProcesses": [
                {
                    "id": "framework",
                    "relationship": ["framework"],
                    "title": (
                        f"{line.lot.framework.name}, lot {line.lot.number}: "
                        f"{line.lot.name}"
                    ),
                    "scheme": "ocid",
                    "identifier": f"{prefix}-framework-{line.lot.framework.reference}",
                }
            ],
            "awards": [
                {
                    "id": award_id,
                    "title": contract.title,
                    "status": "active",
                    "suppliers": [
                        {"id": f"supplier-{supplier.reference}", "name": supplier.name}
                    ],
                }
            ],
            "contracts": [ocds_contract],
        }
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": settings.OPEN_DATA_PUBLISHER},
        "license": settings.OPEN_DATA_LICENCE_URL,
        "extensions": [METRICS_EXTENSION],
        "releases": list(releases.values()),
    }
