"""A copy to keep: the PDF of exactly what a supplier submitted (issue 21, part 7).

The figures come from the snapshot the submission wrote into its `submitted` event
(`services.submission.return_snapshot`), not from the lines as they are now: after a
send-back and changes not yet resubmitted, the copy still says what was submitted.
Contract titles, members and measure names are looked up by reference and code.

Built with fpdf2 (pure Python, no system packages) and its core Helvetica font,
which covers Latin-1: other characters are replaced by their nearest Latin-1 form.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from fpdf import FPDF

from returns import events
from returns.models import AnnualReturn, Measure, ReturnEvent, ReturnLine
from returns.templatetags.figures_format import day, figure, in_unit, moment

# Characters people type that Helvetica (Latin-1) lacks, and what stands for them.
REPLACEMENTS = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass
class CopyLine:
    reference: str
    title: str
    member: str
    excluded: bool
    target: Decimal
    delivered: Decimal
    figures: list[tuple[str, str]] = field(default_factory=list)  # measure, shown
    reasons: list[tuple[str, str]] = field(default_factory=list)  # label, text


@dataclass
class SubmittedCopy:
    reference: str
    supplier: str
    year: str
    submitted_at: datetime.datetime
    submission: int
    declared_by: str
    entered_by: str
    target: Decimal
    delivered: Decimal
    lines: list[CopyLine]


def latest_submission(annual_return: AnnualReturn) -> ReturnEvent | None:
    return (
        ReturnEvent.objects.filter(annual_return=annual_return, kind=events.SUBMITTED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )


def submitted_copy(annual_return: AnnualReturn) -> SubmittedCopy | None:
    """What the latest submission held; None if the return was never submitted.
    Four queries whatever the number of lines."""
    event = latest_submission(annual_return)
    if event is None or not event.snapshot:
        return None
    snapshot = event.snapshot
    contracts = {
        line.contract.reference: line
        for line in ReturnLine.objects.filter(annual_return=annual_return)
        .select_related("contract", "member")
        .order_by()
    }
    measures = {m.code: m for m in Measure.objects.order_by("position", "code")}
    order = list(measures)
    lines = []
    for figures in snapshot.get("lines", []):
        reference = figures.get("contract", "")
        line = contracts.get(reference)
        quantities = figures.get("quantities") or {}
        copy_line = CopyLine(
            reference=reference,
            title=line.contract.title if line else "",
            member=line.member.name if line else "",
            excluded=bool(figures.get("excluded")),
            target=Decimal(figures.get("target_credits") or 0),
            delivered=Decimal(figures.get("delivered_credits") or 0),
        )
        rank = {code: index for index, code in enumerate(order)}
        for code in sorted(quantities, key=lambda c: (rank.get(c, len(rank)), c)):
            measure = measures.get(code)
            name = measure.name if measure else code
            unit = measure.unit if measure else ""
            copy_line.figures.append((name, in_unit(Decimal(quantities[code]), unit)))
        for key, label in (
            ("nothing_delivered_reason", "Why nothing was delivered"),
            ("shortfall_reason", "Why below the target"),
            ("recovery_plan", "How the shortfall will be made up"),
        ):
            if figures.get(key):
                copy_line.reasons.append((label, figures[key]))
        if figures.get("recovery_by"):
            copy_line.reasons.append(
                ("Shortfall made up by", day(figures["recovery_by"]))
            )
        lines.append(copy_line)
    entered_by = ""
    if snapshot.get("entered_by"):
        entered_by = "the social value team, for the supplier"
    return SubmittedCopy(
        reference=annual_return.reference,
        supplier=annual_return.supplier.name,
        year=annual_return.year.label,
        submitted_at=event.at,
        submission=int(snapshot.get("submission") or 1),
        declared_by=snapshot.get("declared_by_name", ""),
        entered_by=entered_by,
        target=Decimal(snapshot.get("target_credits") or 0),
        delivered=Decimal(snapshot.get("delivered_credits") or 0),
        lines=lines,
    )


def latin1(text: str) -> str:
    text = "".join(REPLACEMENTS.get(char, char) for char in str(text))
    text = unicodedata.normalize("NFKC", text)
    return text.encode("latin-1", "replace").decode("latin-1")


class _Copy(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def submitted_copy_pdf(copy: SubmittedCopy) -> bytes:
    """The copy as a PDF (A4), every line's figures and reasons."""
    pdf = _Copy(format="A4")
    pdf.set_title(latin1(f"Social value return {copy.reference}"))
    pdf.set_author("Social value returns")
    pdf.set_creation_date(copy.submitted_at)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()

    def text(value: str, *, size=10, bold=False, height=5.5):
        pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        pdf.multi_cell(0, height, latin1(value), new_x="LMARGIN", new_y="NEXT")

    def pair(label: str, value: str):
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(55, 6, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")

    text(f"Social value return {copy.year}", size=18, bold=True, height=9)
    text("A copy of what was submitted", size=12, height=7)
    pdf.ln(3)
    pair("Reference", copy.reference)
    pair("Supplier", copy.supplier)
    pair("Reporting year", copy.year)
    pair("Submitted", moment(copy.submitted_at))
    pair("Declared by", copy.declared_by)
    if copy.entered_by:
        pair("Entered by", copy.entered_by)
    if copy.submission > 1:
        pair("Submission", f"{copy.submission} (a resubmission)")
    pair(
        "Credits",
        f"{figure(copy.delivered, 'credits')} credits delivered against a target "
        f"of {figure(copy.target, 'credits')}",
    )
    pdf.ln(4)
    for line in copy.lines:
        heading = f"{line.reference}: {line.title}" if line.title else line.reference
        text(heading, size=12, bold=True, height=6.5)
        if line.member:
            text(line.member, size=9)
        if line.excluded:
            text("Excluded from the return: counts nowhere.")
            pdf.ln(3)
            continue
        text(
            f"{figure(line.delivered, 'credits')} credits delivered against a "
            f"target of {figure(line.target, 'credits')}"
        )
        if line.figures:
            for name, shown in line.figures:
                pdf.set_font("Helvetica", size=10)
                pdf.multi_cell(
                    0, 5.5, latin1(f"- {name}: {shown}"), new_x="LMARGIN", new_y="NEXT"
                )
        elif not line.reasons:
            text("No figures.")
        for label, value in line.reasons:
            text(f"{label}:", bold=True)
            text(value)
        pdf.ln(3)
    text(
        "Delivered credits count towards the totals once the social value team "
        "approves the return.",
        size=8,
    )
    return bytes(pdf.output())
