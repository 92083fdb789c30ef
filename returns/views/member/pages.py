from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import current_member, members_for_user
from accounts.services import member_switch
from core.exports import xlsx_bytes
from returns.models import Measure
from returns.selectors import reports
from returns.selectors.contract_life import contract_life, member_contract_get
from returns.selectors.member_home import member_attention

from ..access import member_required


def _member_or_404(request, members: list | None = None):
    member = current_member(request=request, members=members)
    if member is None:
        raise Http404
    return member


def _render_year(
    request: HttpRequest, year_slug: str | None, *, home: bool = False
) -> HttpResponse:
    # Theirs by name: the switcher lists them and the current one is among them.
    members = list(members_for_user(user=request.user).order_by("name"))
    member = _member_or_404(request, members)
    years = list(reports.member_years(member=member))
    year = reports.member_year_or_404(member=member, year_slug=year_slug, years=years)
    page = reports.member_year(member=member, year=year) if year else None
    return render(
        request,
        "returns/member/year.html",
        {
            "member": member,
            "members": members,
            "year": year,
            "years": years,
            "page": page,
            # The home page leads with what needs the member's attention.
            "attention": member_attention(member=member, today=timezone.localdate())
            if home
            else None,
        },
    )


@member_required
def home(request: HttpRequest) -> HttpResponse:
    return _render_year(request, None, home=True)


@member_required
def year(request: HttpRequest, year_slug: str) -> HttpResponse:
    return _render_year(request, year_slug)


@member_required
def export(request: HttpRequest, year_slug: str) -> HttpResponse:
    member = _member_or_404(request)
    year = reports.member_year_or_404(member=member, year_slug=year_slug)
    page = reports.member_year(member=member, year=year)
    measures = list(Measure.objects.filter(is_active=True).order_by("position", "code"))
    header = reports.MEMBER_EXPORT_HEADER + [f"{m.name} ({m.unit})" for m in measures]
    body = xlsx_bytes(
        header,
        reports.member_export_rows(page, [m.code for m in measures]),
        title=f"{year.label} contracts".replace("/", "-"),
        widths={1: 14, 2: 40, 3: 30, 4: 30, 5: 20, 6: 18},
    )
    response = HttpResponse(
        body,
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{member.reference}-{year.slug}.xlsx"'
    )
    return response


@member_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError:
        raise Http404 from None
    member_switch(request=request, member_id=member_id)
    return redirect("member:home")


@member_required
def case_study(request: HttpRequest, case_study_id: int) -> HttpResponse:
    members = members_for_user(user=request.user)
    study = get_object_or_404(
        reports.member_case_studies(members=members), pk=case_study_id
    )
    return render(request, "returns/member/case_study.html", {"study": study})


@member_required
def contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    """One contract while it has been the member's: its years with them, approved
    figures only, against its delivery plan."""
    member = _member_or_404(request)
    life = contract_life(
        contract=member_contract_get(member=member, contract_id=contract_id),
        today=timezone.localdate(),
        member=member,
    )
    return render(
        request, "returns/member/contract.html", {"life": life, "member": member}
    )
