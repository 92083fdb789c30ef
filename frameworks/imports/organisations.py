"""Members and suppliers, by the consortium's own reference."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.xlsx import Table, cells

from ..models import LocalAuthority, Member, Supplier
from .base import Column, FirstSeen, Kind, Report, RowChecker, Upsert, lookup

UNKNOWN_LOCAL_AUTHORITY = (
    "Expected an ONS local authority code, like E08000003 for Manchester"
)
COMPANY_NUMBER = (
    "Expected a Companies House number: 8 letters and digits, like 01234567"
)
COMPANY_NUMBER_TAKEN = (
    "Expected a company number no other supplier has: {supplier} has it"
)
COMPANY_NUMBER_TWICE = (
    "Expected each company number once in the file: it is also on row {row}"
)

MEMBER_KINDS = {
    "housing association": Member.Kind.HOUSING_ASSOCIATION,
    "local authority": Member.Kind.LOCAL_AUTHORITY,
    "school or college": Member.Kind.EDUCATION,
    "education": Member.Kind.EDUCATION,
    "health trust": Member.Kind.HEALTH,
    "health": Member.Kind.HEALTH,
    "other": Member.Kind.OTHER,
    "other public body": Member.Kind.OTHER,
}


def local_authority_codes() -> dict[str, int]:
    return dict(LocalAuthority.objects.values_list("code", "pk"))


def read_local_authority(check: RowChecker, header: str, codes: dict[str, int]):
    code = check(cells.text, header, required=False).upper()
    if code and code not in codes:
        check.fail(UNKNOWN_LOCAL_AUTHORITY, header)
        return None
    return codes.get(code)


@dataclass
class Plan:
    upserts: list[Upsert] = field(default_factory=list)


class Members(Kind):
    key = "members"
    label = "Members"
    description = "The public bodies that call off the frameworks."
    columns = [
        Column(
            "Member reference",
            help="Your own code for the member; the key.",
            example="M0001",
        ),
        Column("Member name", example="Northfield Homes"),
        Column(
            "Kind",
            required=False,
            help="Housing association, local authority, school or college, health trust, or other (blank: other).",
            example="Housing association",
        ),
        Column(
            "Local authority code",
            required=False,
            help="The ONS code of the member's area, like E08000003.",
            example="E08000003",
        ),
        Column("Active", required=False, help="Yes or no (blank: yes).", example="Yes"),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        codes = local_authority_codes()
        existing = lookup(
            Member.objects.all(),
            "reference",
            (r.cell("Member reference").value for r in table.rows),
        )
        upsert = Upsert(
            Member, "Members", ["name", "kind", "local_authority_id", "is_active"]
        )
        seen = FirstSeen("member reference")
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Member reference", max_length=40)
            values = {"name": check(cells.text, "Member name", max_length=200)}
            if check.present("Kind"):
                values["kind"] = check(
                    cells.choice,
                    "Kind",
                    options=MEMBER_KINDS,
                    default=Member.Kind.OTHER,
                )
            if check.present("Local authority code"):
                values["local_authority_id"] = read_local_authority(
                    check, "Local authority code", codes
                )
            if check.present("Active"):
                values["is_active"] = check(cells.yes_no, "Active", default=True)
            if reference and not seen.check(check, reference, "Member reference"):
                continue
            if check.failed:
                continue
            upsert.add(existing.get(reference), values, {"reference": reference})
        upsert.counted(report)
        return Plan([upsert])

    def apply(self, plan: Plan, report: Report, *, acting_user) -> None:
        for upsert in plan.upserts:
            upsert.write(
                acting_user=acting_user, reason=f"Imported from {report.file_name}"
            )


def normalise_company_number(value: str) -> str:
    value = value.replace(" ", "").upper()
    if value.isdigit() and len(value) < 8:
        value = value.zfill(8)  # Excel drops the leading zeros of 01234567
    return value


class Suppliers(Kind):
    key = "suppliers"
    label = "Suppliers"
    description = "The companies on the frameworks."
    columns = [
        Column(
            "Supplier reference",
            help="Your own code for the supplier; the key.",
            example="S00001",
        ),
        Column("Supplier name", example="Brightwork Construction Ltd"),
        Column(
            "Company number",
            required=False,
            help="Companies House number (blank when there is none).",
            example="01234567",
        ),
        Column("Active", required=False, help="Yes or no (blank: yes).", example="Yes"),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        existing = lookup(
            Supplier.objects.all(),
            "reference",
            (r.cell("Supplier reference").value for r in table.rows),
        )
        numbers_in_file: dict[str, tuple[int, str]] = {}
        upsert = Upsert(Supplier, "Suppliers", ["name", "company_number", "is_active"])
        seen = FirstSeen("supplier reference")
        rows = []
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Supplier reference", max_length=40)
            values = {"name": check(cells.text, "Supplier name", max_length=200)}
            if check.present("Company number"):
                number = normalise_company_number(
                    check(cells.text, "Company number", required=False) or ""
                )
                if number and not re.fullmatch(r"[A-Z0-9]{8}", number):
                    check.fail(COMPANY_NUMBER, "Company number")
                elif number:
                    if number in numbers_in_file:
                        check.fail(
                            COMPANY_NUMBER_TWICE.format(row=numbers_in_file[number][0]),
                            "Company number",
                        )
                    numbers_in_file[number] = (row.number, reference)
                values["company_number"] = number or None
            if check.present("Active"):
                values["is_active"] = check(cells.yes_no, "Active", default=True)
            if reference and not seen.check(check, reference, "Supplier reference"):
                continue
            rows.append((check, reference, values))
        holders = lookup(Supplier.objects.all(), "company_number", numbers_in_file)
        for check, reference, values in rows:
            number = values.get("company_number")
            holder = holders.get(number) if number else None
            if holder is not None and holder.reference != reference:
                check.fail(
                    COMPANY_NUMBER_TAKEN.format(
                        supplier=f"{holder.reference} {holder.name}"
                    ),
                    "Company number",
                )
            if check.failed:
                continue
            upsert.add(existing.get(reference), values, {"reference": reference})
        upsert.counted(report)
        return Plan([upsert])

    def apply(self, plan: Plan, report: Report, *, acting_user) -> None:
        for upsert in plan.upserts:
            upsert.write(
                acting_user=acting_user, reason=f"Imported from {report.file_name}"
            )
