"""Last years' returns, as the consortium holds them in Excel, imported as approved.

One row per contract per year: spend, target, one column per measure code, reasons
and the date submitted. Creates the year if it is missing, one approved return per
supplier and year (`source=imported`), a line per row and an entry per figure, with
delivered credits computed by the credits service from that year's credit values.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.xlsx import Table, cells
from core.xlsx.reading import normalise_header
from returns.models import (
    REASON_MAX_LENGTH,
    AnnualReturn,
    Measure,
    ReportingYear,
    ReturnEntry,
    ReturnLine,
    YearMeasure,
)
from returns.services.credits import line_credits
from returns.services.line_rules import text_too_long
from returns.services.summary import summary_refresh
from returns.services.years import year_dates, year_open

from ..models import Contract, Supplier
from .base import Column, FirstSeen, Kind, Report, RowChecker, Upsert, chunks, lookup

YEAR = "Expected a financial year like 2023/24"
UNKNOWN_SUPPLIER = (
    "Expected the reference of a supplier already in the portal: import suppliers first"
)
UNKNOWN_CONTRACT = (
    "Expected the reference of a contract already in the portal: import contracts first"
)
NOT_SUPPLIERS_CONTRACT = (
    "Expected a contract of supplier {supplier}: {contract} is {owner}'s"
)
ISSUED_HERE = (
    "Expected a year the portal has not issued to this supplier: its return {reference} "
    "for {year} was issued through the portal"
)
BLANKED = "Expected a figure: the return imported earlier has {quantity} here. Enter 0 to clear it"
SPEND = "Spend (£, excl. VAT)"


def return_reference(year_label: str, supplier_id: int) -> str:
    return f"SV-{year_label.replace('/', '-')}-{supplier_id:05d}"


def submitted_at(day: datetime.date) -> datetime.datetime:
    """Midday London on the day submitted: the file holds dates, not times."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@dataclass
class Plan:
    new_years: list[str] = field(default_factory=list)
    returns: Upsert | None = None
    lines: Upsert | None = None
    entries: Upsert | None = None
    rates_by_label: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    quantities: dict[int, list] = field(default_factory=dict)  # id(line) → pairs


def _year_label(check: RowChecker) -> str | None:
    raw = check(cells.text, "Year")
    if not raw:
        return None
    label = raw.replace("-", "/").replace(" ", "")
    try:
        year_dates(label)
    except ValidationError:
        check.fail(YEAR, "Year")
        return None
    return label


class PastReturns(Kind):
    key = "past_returns"
    label = "Past returns"
    description = (
        "A year of returns as you hold them today: one row per contract, one column per "
        "measure code. Each supplier's rows become an approved return marked as imported."
    )
    columns = [
        Column("Year", help="The financial year, like 2023/24.", example="2023/24"),
        Column("Supplier reference", example="S00001"),
        Column("Contract reference", example="C-000123"),
        Column(SPEND, help="Spend in that year, pounds excluding VAT.", example=250000),
        Column("Target credits", help="As set that year.", example=25),
        Column(
            "Reasons",
            required=False,
            help="Why delivery fell short, or why nothing was delivered.",
            example="",
        ),
        Column(
            "Submitted on",
            required=False,
            help="The date the supplier sent it (blank: 30 June after the year).",
            example=datetime.date(2024, 6, 12),
        ),
    ]

    def measures(self) -> dict[str, Measure]:
        return {normalise_header(m.code): m for m in Measure.objects.all()}

    def extra_heading_allowed(self, heading: str, context: dict) -> bool:
        return normalise_header(heading) in context["measures"]

    def template_columns(self) -> list[str]:
        codes = list(
            Measure.objects.filter(is_active=True).values_list("code", flat=True)
        )
        names = [c.name for c in self.columns]
        return names[:5] + codes + names[5:]

    def template_rows(self) -> list[list[object]]:
        examples = [c.example for c in self.columns]
        codes = Measure.objects.filter(is_active=True).values_list("code", flat=True)
        figures = [{"EMP-FT": 2, "APP-NEW": 1, "TRN": 12}.get(code) for code in codes]
        return [examples[:5] + figures + examples[5:]]

    def check(self, table: Table, report: Report) -> Plan:
        measures = self.measures()
        measure_columns = [
            (table.header[index], measures[key])
            for key, index in table.index.items()
            if key in measures
        ]

        def column(header):
            return [r.cell(header).value for r in table.rows]

        suppliers = lookup(
            Supplier.objects.all(), "reference", column("Supplier reference")
        )
        contracts = lookup(
            Contract.objects.select_related("supplier"),
            "reference",
            column("Contract reference"),
        )
        years = {y.label: y for y in ReportingYear.objects.all()}
        returns: dict[tuple[str, int], AnnualReturn] = {}
        lines: dict[tuple[int, int], ReturnLine] = {}
        entries: dict[tuple[int, int], ReturnEntry] = {}
        supplier_ids = [s.pk for s in suppliers.values()]
        for chunk in chunks(supplier_ids):
            for annual_return in AnnualReturn.objects.filter(
                supplier_id__in=chunk
            ).select_related("year"):
                returns[(annual_return.year.label, annual_return.supplier_id)] = (
                    annual_return
                )
        imported_ids = [
            r.pk for r in returns.values() if r.source == AnnualReturn.Source.IMPORTED
        ]
        for chunk in chunks(imported_ids):
            for line in ReturnLine.objects.filter(annual_return_id__in=chunk):
                lines[(line.annual_return_id, line.contract_id)] = line
        for chunk in chunks([line.pk for line in lines.values()]):
            for entry in ReturnEntry.objects.filter(line_id__in=chunk):
                entries[(entry.line_id, entry.measure_id)] = entry

        plan = Plan()
        return_upsert = Upsert(
            AnnualReturn,
            "Returns",
            ["status", "submitted_at", "first_submitted_at", "approved_at"],
        )
        line_upsert = Upsert(
            ReturnLine,
            "Return lines",
            [
                "spend",
                "target_credits",
                "delivered_credits",
                "member_id",
                "lot_id",
                "local_authority_id",
                "shortfall_reason",
                "nothing_delivered_reason",
            ],
        )
        entry_upsert = Upsert(ReturnEntry, "Entries", ["quantity"])
        seen = FirstSeen("year and contract")
        accepted = []
        for row in table.rows:
            check = RowChecker(row, report)
            label = _year_label(check)
            supplier_reference = check(cells.text, "Supplier reference")
            contract_reference = check(cells.text, "Contract reference")
            spend = check(cells.money, SPEND)
            target = check(cells.quantity, "Target credits", places=2)
            reasons = check(cells.text, "Reasons", required=False)
            day = check(cells.date, "Submitted on", required=False)
            figures = {}
            for header, measure in measure_columns:
                quantity = check(
                    cells.quantity,
                    header,
                    places=measure.decimal_places,
                    required=False,
                )
                if quantity is not None:
                    figures[measure.pk] = quantity
            if reasons and len(reasons) > REASON_MAX_LENGTH:
                # The same words as the line form and the return upload: the Reasons
                # column is the shortfall reason, or why nothing was delivered.
                check.fail(
                    text_too_long(
                        "shortfall_reason" if figures else "nothing_delivered_reason"
                    ),
                    "Reasons",
                )
            supplier = suppliers.get(supplier_reference)
            contract = contracts.get(contract_reference)
            if supplier_reference and supplier is None:
                check.fail(UNKNOWN_SUPPLIER, "Supplier reference")
            if contract_reference and contract is None:
                check.fail(UNKNOWN_CONTRACT, "Contract reference")
            if supplier and contract and contract.supplier_id != supplier.pk:
                check.fail(
                    NOT_SUPPLIERS_CONTRACT.format(
                        supplier=supplier.reference,
                        contract=contract.reference,
                        owner=contract.supplier.reference,
                    ),
                    "Contract reference",
                )
            existing_return = (
                returns.get((label, supplier.pk)) if label and supplier else None
            )
            if (
                existing_return
                and existing_return.source != AnnualReturn.Source.IMPORTED
            ):
                check.fail(
                    ISSUED_HERE.format(reference=existing_return.reference, year=label),
                    "Year",
                )
            if (
                label
                and contract
                and not seen.check(check, (label, contract.pk), "Contract reference")
            ):
                continue
            if check.failed:
                continue
            existing_line = (
                lines.get((existing_return.pk, contract.pk))
                if existing_return
                else None
            )
            if existing_line is not None:
                for header, measure in measure_columns:
                    entry = entries.get((existing_line.pk, measure.pk))
                    if entry is not None and measure.pk not in figures:
                        check.fail(BLANKED.format(quantity=entry.quantity), header)
                for (line_id, measure_id), entry in entries.items():
                    if line_id == existing_line.pk and measure_id not in {
                        m.pk for _h, m in measure_columns
                    }:
                        check.fail(
                            BLANKED.format(quantity=entry.quantity)
                            + f" (measure {entry.measure_id} has no column)",
                        )
                if check.failed:
                    continue
            accepted.append(
                (
                    row,
                    label,
                    supplier,
                    contract,
                    spend,
                    target,
                    reasons,
                    day,
                    figures,
                    existing_return,
                    existing_line,
                )
            )

        # Rates the credits are computed with: the year's own, or for a year this import
        # opens, what opening it will copy (the year before's, else each default).
        stored = ReportingYear.objects.order_by("starts_on")
        rates_of: dict[int, dict[int, Decimal]] = {}
        for year_id, measure_id, rate in YearMeasure.objects.values_list(
            "year_id", "measure_id", "credits_per_unit"
        ):
            rates_of.setdefault(year_id, {})[measure_id] = rate
        defaults = dict(
            Measure.objects.filter(is_active=True).values_list(
                "pk", "default_credits_per_unit"
            )
        )
        for label in sorted({a[1] for a in accepted}):
            if label in years:
                plan.rates_by_label[label] = rates_of.get(years[label].pk, {})
                continue
            plan.new_years.append(label)
            starts_on, _ends_on = year_dates(label)
            previous = [y for y in stored if y.starts_on < starts_on]
            copied = rates_of.get(previous[-1].pk, {}) if previous else {}
            plan.rates_by_label[label] = {
                measure_id: copied.get(measure_id, default)
                for measure_id, default in defaults.items()
            }

        by_return: dict[tuple[str, int], list] = {}
        for item in accepted:
            by_return.setdefault((item[1], item[2].pk), []).append(item)
        for (label, supplier_id), items in by_return.items():
            _starts, ends_on = year_dates(label)
            days = [item[7] for item in items if item[7]]
            when = submitted_at(
                max(days) if days else datetime.date(ends_on.year, 6, 30)
            )
            values = {
                "status": AnnualReturn.Status.APPROVED,
                "submitted_at": when,
                "first_submitted_at": when,
                "approved_at": when,
            }
            existing_return = items[0][9]
            annual_return = return_upsert.add(
                existing_return,
                values,
                {
                    "reference": return_reference(label, supplier_id),
                    "supplier_id": supplier_id,
                    "source": AnnualReturn.Source.IMPORTED,
                    "declared_by_name": "Imported from a past spreadsheet",
                },
            )
            if existing_return is None:
                annual_return._year_label = label
            rates = plan.rates_by_label[label]
            for (
                _row,
                _label,
                _supplier,
                contract,
                spend,
                target,
                reasons,
                _day,
                figures,
                _r,
                existing_line,
            ) in items:
                delivered = line_credits(figures.items(), rates)
                line_values = {
                    "spend": spend,
                    "target_credits": target,
                    "delivered_credits": delivered,
                    "member_id": contract.member_id,
                    "lot_id": contract.lot_id,
                    "local_authority_id": contract.local_authority_id,
                    "shortfall_reason": reasons if figures else "",
                    "nothing_delivered_reason": ""
                    if figures
                    else (reasons or "Nothing delivered (imported)"),
                }
                line = line_upsert.add(
                    existing_line,
                    line_values,
                    {"annual_return": annual_return, "contract_id": contract.pk},
                )
                for measure_id, quantity in figures.items():
                    entry = entries.get((line.pk, measure_id)) if line.pk else None
                    entry_upsert.add(
                        entry,
                        {"quantity": quantity},
                        {"line": line, "measure_id": measure_id},
                    )
        plan.returns, plan.lines, plan.entries = (
            return_upsert,
            line_upsert,
            entry_upsert,
        )
        if plan.new_years:
            report.count("Reporting years", created=len(plan.new_years))
        return_upsert.counted(report)
        line_upsert.counted(report)
        entry_upsert.counted(report)
        return plan

    def apply(self, plan: Plan, report: Report, *, acting_user) -> None:
        reason = f"Imported from {report.file_name}"
        for label in plan.new_years:
            _starts, ends_on = year_dates(label)
            year = year_open(
                label=label,
                issue_on=ends_on + datetime.timedelta(days=1),
                deadline=datetime.date(ends_on.year, 6, 30),
                acting_user=acting_user,
            )
            # Issued by the consortium's old process: the daily job must never issue it.
            ReportingYear.objects.filter(pk=year.pk).update(issued_at=timezone.now())
        years = {
            y.label: y
            for y in ReportingYear.objects.filter(label__in=list(plan.rates_by_label))
        }
        for annual_return in plan.returns.create:
            annual_return.year = years[annual_return._year_label]
        plan.returns.write(acting_user=acting_user, reason=reason)
        plan.lines.write(acting_user=acting_user, reason=reason)
        plan.entries.write(acting_user=acting_user, reason=reason)
        summary_refresh(
            contract_ids=[
                line.contract_id for line in plan.lines.create + plan.lines.update
            ]
        )
