"""Frameworks and their lots, contracts, quarterly valuations and delivery plans."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from core.xlsx import Table, cells
from returns.services.summary import summary_contracts_moved

from ..models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    Lot,
    Member,
    Supplier,
    Valuation,
)
from .base import Column, FirstSeen, Kind, Report, RowChecker, Upsert, lookup
from .organisations import local_authority_codes, read_local_authority

ENDS_BEFORE_START = (
    "Expected an end date on or after the start date ({starts:%d/%m/%Y})"
)
FRAMEWORK_DIFFERS = "Expected the same {what} on every row of framework {reference}: row {row} has a different one"
UNKNOWN_MEMBER = (
    "Expected the reference of a member already in the portal: import members first"
)
UNKNOWN_SUPPLIER = (
    "Expected the reference of a supplier already in the portal: import suppliers first"
)
UNKNOWN_FRAMEWORK = "Expected the reference of a framework already in the portal: import frameworks and lots first"
UNKNOWN_LOT = "Expected a lot of framework {framework}: it has no lot {number}"
UNKNOWN_CONTRACT = (
    "Expected the reference of a contract already in the portal: import contracts first"
)
CANCELLED_CONTRACT = (
    "Expected a contract that went ahead: {reference} is cancelled, so it has no spend"
)
OUTSIDE_CONTRACT = (
    "The quarter ending {period_end:%d/%m/%Y} lies outside the contract's dates "
    "({starts:%d/%m/%Y} to {ends:%d/%m/%Y}); accepted, as final accounts are often "
    "certified after completion"
)
UNKNOWN_MEASURE = "Expected a measure code of the catalogue, like EMP-FT"
CONTRACT_STATUSES = {
    "active": Contract.Status.ACTIVE,
    "completed": Contract.Status.COMPLETED,
    "cancelled": Contract.Status.CANCELLED,
}
SPEND_IN_QUARTER = "Spend in quarter (£, excl. VAT)"


@dataclass
class Plan:
    upserts: list[Upsert] = field(default_factory=list)


class _Simple(Kind):
    def apply(self, plan: Plan, report: Report, *, acting_user) -> None:
        for upsert in plan.upserts:
            upsert.write(
                acting_user=acting_user, reason=f"Imported from {report.file_name}"
            )


@dataclass
class ContractUpsert(Upsert):
    """Contracts' upsert that also keeps the summary's group rows: a contract given
    another supplier or member moves its to-date figures from the old groups to the
    new (the contracts' own summary rows do not change)."""

    moved: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, existing, values: dict, defaults: dict | None = None):
        if existing is not None and existing.pk not in self.moved:
            was = (existing.supplier_id, existing.member_id)
            if was != (values["supplier_id"], values["member_id"]):
                self.moved[existing.pk] = was
        return super().add(existing, values, defaults)

    def write(self, *, acting_user, reason: str) -> None:
        super().write(acting_user=acting_user, reason=reason)
        if self.moved:
            summary_contracts_moved(
                contract_ids=list(self.moved),
                old_supplier_ids=[supplier for supplier, _ in self.moved.values()],
                old_member_ids=[member for _, member in self.moved.values()],
            )


class FrameworksAndLots(_Simple):
    key = "frameworks"
    label = "Frameworks and lots"
    description = "One row per lot; the framework's columns repeat on each of its lots."
    columns = [
        Column(
            "Framework reference",
            help="Your own code for the framework; the key.",
            example="FW-NHC-2020",
        ),
        Column("Framework name", example="New homes and conversions"),
        Column(
            "Framework starts",
            help="A date, like 01/04/2020.",
            example=datetime.date(2020, 4, 1),
        ),
        Column("Framework ends", example=datetime.date(2030, 3, 31)),
        Column("Lot number", help='As the framework names it: "1a".', example="1a"),
        Column("Lot name", example="Low-rise new build"),
        Column(
            "Consultancy lot",
            required=False,
            help="Yes if contracts on it qualify whatever their spend (blank: no).",
            example="No",
        ),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        references = {r.cell("Framework reference").value for r in table.rows}
        frameworks = lookup(Framework.objects.all(), "reference", references)
        lots = {
            (lot.framework_id, lot.number): lot
            for lot in Lot.objects.filter(framework__in=list(frameworks.values()))
        }
        framework_upsert = Upsert(
            Framework, "Frameworks", ["name", "starts_on", "ends_on"]
        )
        lot_upsert = Upsert(Lot, "Lots", ["name", "is_consultancy"])
        wanted: dict[str, tuple[int, dict]] = {}
        planned: dict[str, Framework] = {}
        seen = FirstSeen("lot of a framework")
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Framework reference", max_length=40)
            values = {
                "name": check(cells.text, "Framework name", max_length=200),
                "starts_on": check(cells.date, "Framework starts"),
                "ends_on": check(cells.date, "Framework ends"),
            }
            number = check(cells.text, "Lot number", max_length=10)
            lot_values = {"name": check(cells.text, "Lot name", max_length=200)}
            if check.present("Consultancy lot"):
                lot_values["is_consultancy"] = check(
                    cells.yes_no, "Consultancy lot", default=False
                )
            if (
                values["starts_on"]
                and values["ends_on"]
                and values["ends_on"] < values["starts_on"]
            ):
                check.fail(
                    ENDS_BEFORE_START.format(starts=values["starts_on"]),
                    "Framework ends",
                )
            if (
                reference
                and number
                and not seen.check(check, (reference, number.casefold()), "Lot number")
            ):
                continue
            if check.failed or not reference:
                continue
            if reference in wanted:
                first_row, first_values = wanted[reference]
                for name, header in (
                    ("name", "Framework name"),
                    ("starts_on", "Framework starts"),
                    ("ends_on", "Framework ends"),
                ):
                    if values[name] != first_values[name]:
                        check.fail(
                            FRAMEWORK_DIFFERS.format(
                                what=header.lower(), reference=reference, row=first_row
                            ),
                            header,
                        )
                if check.failed:
                    continue
            else:
                wanted[reference] = (row.number, values)
                planned[reference] = framework_upsert.add(
                    frameworks.get(reference), values, {"reference": reference}
                )
            framework = planned[reference]
            existing_lot = lots.get((framework.pk, number)) if framework.pk else None
            if existing_lot is None:
                lot_upsert.add(
                    None, lot_values, {"framework": framework, "number": number}
                )
            else:
                lot_upsert.add(existing_lot, lot_values)
        framework_upsert.counted(report)
        lot_upsert.counted(report)
        return Plan([framework_upsert, lot_upsert])


class Contracts(_Simple):
    key = "contracts"
    label = "Contracts"
    description = (
        "Each contract called off a framework, with its member, supplier and lot."
    )
    columns = [
        Column(
            "Contract reference",
            help="Your own code for the contract; the key.",
            example="C-000123",
        ),
        Column("Title", example="Kitchen and bathroom replacements, north area"),
        Column("Member reference", example="M0001"),
        Column("Supplier reference", example="S00001"),
        Column("Framework reference", example="FW-NHC-2020"),
        Column("Lot number", example="1a"),
        Column(
            "Starts", help="A date, like 01/04/2023.", example=datetime.date(2023, 4, 1)
        ),
        Column(
            "Ends", help="On or after the start.", example=datetime.date(2027, 3, 31)
        ),
        Column(
            "Value (£, excl. VAT)",
            required=False,
            help="Pounds excluding VAT (blank: 0).",
            example=1250000,
        ),
        Column(
            "Status",
            required=False,
            help="Active, completed (including ended early) or cancelled (never went ahead). Blank: active.",
            example="Active",
        ),
        Column(
            "Local authority code",
            required=False,
            help="Where the work happens (blank: the member's area).",
            example="E08000003",
        ),
        Column("Postcode", required=False, example="M1 1AA"),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        def column(header):
            return [r.cell(header).value for r in table.rows]

        existing = lookup(
            Contract.objects.all(), "reference", column("Contract reference")
        )
        members = lookup(Member.objects.all(), "reference", column("Member reference"))
        suppliers = lookup(
            Supplier.objects.all(), "reference", column("Supplier reference")
        )
        frameworks = lookup(
            Framework.objects.all(), "reference", column("Framework reference")
        )
        lots = {
            (lot.framework_id, lot.number.casefold()): lot
            for lot in Lot.objects.filter(framework__in=list(frameworks.values()))
        }
        codes = local_authority_codes()
        upsert = ContractUpsert(
            Contract,
            "Contracts",
            [
                "title",
                "member_id",
                "supplier_id",
                "lot_id",
                "starts_on",
                "ends_on",
                "value",
                "status",
                "local_authority_id",
                "postcode",
            ],
        )
        seen = FirstSeen("contract reference")
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Contract reference", max_length=40)
            values = {"title": check(cells.text, "Title", max_length=300)}
            member_reference = check(cells.text, "Member reference")
            member = members.get(member_reference)
            if member_reference and member is None:
                check.fail(UNKNOWN_MEMBER, "Member reference")
            supplier_reference = check(cells.text, "Supplier reference")
            supplier = suppliers.get(supplier_reference)
            if supplier_reference and supplier is None:
                check.fail(UNKNOWN_SUPPLIER, "Supplier reference")
            framework_reference = check(cells.text, "Framework reference")
            framework = frameworks.get(framework_reference)
            number = check(cells.text, "Lot number") or ""
            lot = None
            if framework_reference and framework is None:
                check.fail(UNKNOWN_FRAMEWORK, "Framework reference")
            elif framework is not None and number:
                lot = lots.get((framework.pk, number.casefold()))
                if lot is None:
                    check.fail(
                        UNKNOWN_LOT.format(
                            framework=framework.reference, number=number
                        ),
                        "Lot number",
                    )
            starts = check(cells.date, "Starts")
            ends = check(cells.date, "Ends")
            if starts and ends and ends < starts:
                check.fail(ENDS_BEFORE_START.format(starts=starts), "Ends")
            values.update(starts_on=starts, ends_on=ends)
            if check.present("Value (£, excl. VAT)"):
                value = check(cells.money, "Value (£, excl. VAT)", required=False)
                values["value"] = value if value is not None else 0
            if check.present("Status"):
                values["status"] = check(
                    cells.choice,
                    "Status",
                    options=CONTRACT_STATUSES,
                    default=Contract.Status.ACTIVE,
                )
            if check.present("Local authority code"):
                place = read_local_authority(check, "Local authority code", codes)
                values["local_authority_id"] = place or (
                    member.local_authority_id if member else None
                )
            if check.present("Postcode"):
                values["postcode"] = (
                    check(cells.text, "Postcode", required=False, max_length=10) or ""
                ).upper()
            if reference and not seen.check(check, reference, "Contract reference"):
                continue
            if check.failed:
                continue
            values.update(member_id=member.pk, supplier_id=supplier.pk, lot_id=lot.pk)
            upsert.add(
                existing.get(reference),
                values,
                {
                    "reference": reference,
                    "local_authority_id": member.local_authority_id,
                },
            )
        upsert.counted(report)
        return Plan([upsert])


def quarter_start(period_end: datetime.date) -> datetime.date:
    month = period_end.month - 2
    year = period_end.year
    if month < 1:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


class Valuations(_Simple):
    key = "valuations"
    label = "Quarterly valuations"
    description = (
        "Spend certified in each quarter alone (not to date). Importing a quarter again "
        "replaces its amount; the history keeps the old one."
    )
    columns = [
        Column("Contract reference", example="C-000123"),
        Column(
            "Quarter ending",
            help="A calendar quarter end: 30/06, 30/09, 31/12 or 31/03.",
            example=datetime.date(2024, 6, 30),
        ),
        Column(
            SPEND_IN_QUARTER,
            help="Pounds excluding VAT, 0 or more, in that quarter alone.",
            example=125000.5,
        ),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        contracts = lookup(
            Contract.objects.only("pk", "reference", "status", "starts_on", "ends_on"),
            "reference",
            (r.cell("Contract reference").value for r in table.rows),
        )
        existing: dict[tuple[int, datetime.date], Valuation] = {}
        from .base import chunks

        for chunk in chunks([c.pk for c in contracts.values()]):
            for valuation in Valuation.objects.filter(contract_id__in=chunk).only(
                "pk", "contract_id", "period_end", "amount"
            ):
                existing[(valuation.contract_id, valuation.period_end)] = valuation
        upsert = Upsert(Valuation, "Valuations", ["amount"])
        seen = FirstSeen("contract and quarter")
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Contract reference")
            period_end = check(cells.quarter_end, "Quarter ending")
            amount = check(cells.money, SPEND_IN_QUARTER)
            contract = contracts.get(reference)
            if reference and contract is None:
                check.fail(UNKNOWN_CONTRACT, "Contract reference")
            elif contract is not None and contract.status == Contract.Status.CANCELLED:
                check.fail(
                    CANCELLED_CONTRACT.format(reference=reference), "Contract reference"
                )
            if (
                reference
                and period_end
                and not seen.check(check, (reference, period_end), "Quarter ending")
            ):
                continue
            if check.failed:
                continue
            if (
                quarter_start(period_end) > contract.ends_on
                or period_end < contract.starts_on
            ):
                check.warn(
                    OUTSIDE_CONTRACT.format(
                        period_end=period_end,
                        starts=contract.starts_on,
                        ends=contract.ends_on,
                    ),
                    "Quarter ending",
                )
            upsert.add(
                existing.get((contract.pk, period_end)),
                {"amount": amount},
                {"contract_id": contract.pk, "period_end": period_end},
            )
        upsert.counted(report)
        return Plan([upsert])


class DeliveryPlans(_Simple):
    key = "delivery_plans"
    label = "Delivery plans"
    description = "What each supplier committed to deliver over the whole contract, one row per measure."
    columns = [
        Column("Contract reference", example="C-000123"),
        Column(
            "Measure code",
            help="A code of the measure catalogue, like EMP-FT.",
            example="EMP-FT",
        ),
        Column(
            "Committed quantity",
            help="Over the whole contract; whole numbers for people, placements and projects.",
            example=4,
        ),
    ]

    def check(self, table: Table, report: Report) -> Plan:
        from returns.models import Measure

        contracts = lookup(
            Contract.objects.only("pk", "reference"),
            "reference",
            (r.cell("Contract reference").value for r in table.rows),
        )
        measures = {
            m.code.casefold(): m for m in Measure.objects.filter(is_active=True)
        }
        existing = {
            (item.contract_id, item.measure_id): item
            for item in DeliveryPlanItem.objects.filter(
                contract__in=list(contracts.values())
            )
        }
        upsert = Upsert(DeliveryPlanItem, "Delivery plan items", ["committed_quantity"])
        seen = FirstSeen("contract and measure")
        for row in table.rows:
            check = RowChecker(row, report)
            reference = check(cells.text, "Contract reference")
            code = check(cells.text, "Measure code") or ""
            contract = contracts.get(reference)
            measure = measures.get(code.casefold())
            if reference and contract is None:
                check.fail(UNKNOWN_CONTRACT, "Contract reference")
            if code and measure is None:
                check.fail(UNKNOWN_MEASURE, "Measure code")
            quantity = check(
                cells.quantity,
                "Committed quantity",
                places=measure.decimal_places if measure else 2,
            )
            if (
                reference
                and measure
                and not seen.check(check, (reference, measure.pk), "Measure code")
            ):
                continue
            if check.failed:
                continue
            upsert.add(
                existing.get((contract.pk, measure.pk)),
                {"committed_quantity": quantity},
                {"contract_id": contract.pk, "measure_id": measure.pk},
            )
        upsert.counted(report)
        return Plan([upsert])
