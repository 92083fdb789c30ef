"""The team's shortfall pages: target against delivery, in a year and to date over
each contract's life, by contract, supplier, framework and member; contracts at risk
and contracts that ended short. Every figure comes from `returns.figures`."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.exports import xlsx_bytes
from returns import figures
from returns.forms.team import TO_DATE, ShortfallFilterForm
from returns.models import ReportingYear
from returns.selectors.years import current_reporting_year

from .access import team_required

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_LABELS = {
    "contract": "Contract",
    "supplier": "Supplier",
    "framework": "Framework",
    "member": "Member",
}


def _filters(request: HttpRequest, *, default_period: str) -> tuple:
    years = list(ReportingYear.objects.order_by("-starts_on"))
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = default_period
    form = ShortfallFilterForm(data, years=years)
    filters = form.filters()
    year = next((y for y in years if y.slug == filters["period"]), None)
    if year is None:
        filters["period"] = TO_DATE
    return form, filters, year


def _lines(filters: dict, *, year):
    """The year's counted lines; to date, each contract's row of the summary (the
    same figures, one row per contract instead of every line of every year)."""
    if year is None:
        return figures.to_date_summary(
            supplier_id=filters["supplier"],
            framework_id=filters["framework"].pk if filters["framework"] else None,
            member_id=filters["member"],
            search=filters["q"],
        )
    return figures.shortfall_lines(
        year=year,
        supplier_id=filters["supplier"],
        framework_id=filters["framework"].pk if filters["framework"] else None,
        member_id=filters["member"],
        search=filters["q"],
    )


def _xlsx_response(filename: str, header: list[str], rows, *, title: str):
    response = HttpResponse(xlsx_bytes(header, rows, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@team_required
def shortfall(request: HttpRequest) -> HttpResponse:
    current = current_reporting_year()
    form, filters, year = _filters(
        request, default_period=current.slug if current else TO_DATE
    )
    group = filters["by"]
    rows = figures.ShortfallTable(
        group,
        lines=_lines(filters, year=year),
        short_only=filters["short"],
        sort=filters["sort"],
        to_date=year is None,
    )
    period_label = year.label if year else "to date"
    if filters["format"] == "xlsx":
        return _shortfall_xlsx(
            rows, rows.total(), group=group, period_label=period_label
        )
    page, total = rows.page(filters["page"], PAGE_SIZE)
    return render(
        request,
        "returns/team/shortfall/overview.html",
        {
            "form": form,
            "filters": filters,
            "year": year,
            "period_label": period_label,
            "group": group,
            "group_label": GROUP_LABELS[group],
            "page_obj": page,
            "total": total,
            "drill_param": {"supplier": "supplier", "member": "member"}.get(group),
        },
    )


def _shortfall_xlsx(rows, total, *, group: str, period_label: str):
    header = [GROUP_LABELS[group]]
    if group == "contract":
        header += ["Title", "Supplier", "Member", "Framework", "Ends on", "Years"]
    header += [
        "Target",
        "Delivered (approved)",
        "Awaiting review",
        "Shortfall",
        "Contracts",
        "Contracts below target",
    ]

    def cells(row):
        out = [row.name]
        if group == "contract":
            out += [
                row.title,
                row.supplier,
                row.member,
                row.framework,
                row.ends_on,
                row.years,
            ]
        return out + [
            row.target,
            row.delivered,
            row.awaiting_review,
            row.shortfall,
            row.contracts,
            row.contracts_short,
        ]

    body = [cells(row) for row in rows]
    blank = [""] * (6 if group == "contract" else 0)
    body.append(["Total", *blank, *cells(total)[1 + len(blank) :]])
    slug = period_label.replace("/", "-").replace(" ", "-")
    return _xlsx_response(
        f"shortfall-{slug}-by-{group}.xlsx",
        header,
        body,
        title=f"Shortfall {period_label}",
    )


def _contract_list(request: HttpRequest, *, kind: str) -> HttpResponse:
    form, filters, _ = _filters(request, default_period=TO_DATE)
    lines = _lines(filters, year=None)  # to date: every year
    today = timezone.localdate()
    if kind == "at_risk":
        rows = figures.at_risk_list(today=today, lines=lines)
        title = "Contracts at risk"
    else:
        rows = figures.ended_short_list(today=today, lines=lines)
        title = "Contracts that ended short"
    if filters["format"] == "xlsx":
        return _xlsx_response(
            f"{kind.replace('_', '-')}-{today:%Y-%m-%d}.xlsx",
            [
                "Contract",
                "Title",
                "Supplier",
                "Member",
                "Ends on",
                "Days left" if kind == "at_risk" else "Days since it ended",
                "Target to date",
                "Delivered to date (approved)",
                "Awaiting review",
                "Shortfall",
                "Years with a line",
            ],
            (
                [
                    row.reference,
                    row.title,
                    row.supplier,
                    row.member,
                    row.ends_on,
                    abs(row.days_left(today)),
                    row.target,
                    row.delivered,
                    row.awaiting_review,
                    row.shortfall,
                    row.years,
                ]
                for row in rows
            ),
            title=title,
        )
    page, total = rows.page(filters["page"], PAGE_SIZE)
    return render(
        request,
        "returns/team/shortfall/contracts.html",
        {
            "form": form,
            "filters": filters,
            "kind": kind,
            "title": title,
            "today": today,
            "page_obj": page,
            "rows": [(row, abs(row.days_left(today))) for row in page.object_list],
            "total": total,
        },
    )


@team_required
def at_risk(request: HttpRequest) -> HttpResponse:
    return _contract_list(request, kind="at_risk")


@team_required
def ended_short(request: HttpRequest) -> HttpResponse:
    return _contract_list(request, kind="ended_short")
