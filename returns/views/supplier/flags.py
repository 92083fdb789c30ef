"""The line page's warnings (issue 23): each flag on the line, or each soft check the
figures being typed would trip, beside its figure with a box for the supplier's
explanation; and the fragment the page asks for (htmx) as the supplier types."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.permissions import is_supplier_contact, is_team
from returns.forms.lines import quantity_field_name
from returns.models import LineFlag
from returns.selectors import flags as flag_selectors
from returns.selectors import supplier as supplier_selectors
from returns.services.lines import explanation_key, year_measures

from .common import return_for

EXPLANATION_PREFIX = "explain__"


@dataclass
class Warning:
    """One warning as the line page shows it."""

    key: str  # the explanation's form field name
    code: str
    measure_code: str
    message: str
    explanation: str = ""
    explained: bool = False  # saved with an explanation
    errors: list[str] = field(default_factory=list)
    other_lines: list[int] = field(default_factory=list)


@dataclass
class Warnings:
    by_measure: dict[str, list[Warning]]
    line_wide: list[Warning]

    @property
    def all(self) -> list[Warning]:
        return [w for ws in self.by_measure.values() for w in ws] + self.line_wide

    @property
    def unexplained(self) -> int:
        return sum(1 for w in self.all if not w.explained)


def explanations_posted(data) -> dict[tuple[str, str], str]:
    """(flag code, measure code) → explanation, from the fields the page posts
    ("explain__above_last_year__EMP-FT"); anything else is ignored."""
    codes = set(LineFlag.Code.values)
    found = {}
    for name, value in data.items():
        if not name.startswith(EXPLANATION_PREFIX):
            continue
        code, _, measure_code = name.removeprefix(EXPLANATION_PREFIX).partition("__")
        if code in codes and len(measure_code) <= 20:
            found[(code, measure_code)] = value
    return found


def line_warnings(
    *,
    line,
    year,
    measure_codes: list[str],
    rows=None,
    data=None,
    errors: dict[str, list[str]] | None = None,
) -> Warnings:
    """The warnings to show: the line's saved flags, or, for figures typed and not
    saved (`data`, a bound form's data), the soft checks they trip with the
    line's other flags (double counting), each with the explanation typed or
    saved. `rows` are the line page's MeasureRows (for the year's measures)."""
    saved = {(f.code, f.measure_code): f for f in flag_selectors.line_flags(line)}
    if data is None:
        items = [
            (f.code, f.measure_code, f.message, f.other_lines) for f in saved.values()
        ]
    else:
        measures = [row.year_measure for row in rows] if rows else year_measures(year)
        typed = {
            code: data.get(quantity_field_name(code)) or "" for code in measure_codes
        }
        found = flag_selectors.typed_soft_checks(
            line, year=year, year_measures=measures, typed=typed
        )
        items = [
            (f.code, f.measure_code, f.message, list(f.other_lines)) for f in found
        ]
        items += [
            (f.code, f.measure_code, f.message, f.other_lines)
            for f in saved.values()
            if f.code not in LineFlag.SOFT_CHECKS
        ]
    by_measure: dict[str, list[Warning]] = {code: [] for code in measure_codes}
    line_wide: list[Warning] = []
    for code, measure_code, message, other_lines in items:
        key = explanation_key(code, measure_code)
        flag = saved.get((code, measure_code))
        explanation = flag.explanation if flag else ""
        if data is not None and key in data:
            explanation = data.get(key) or ""
        warning = Warning(
            key=key,
            code=code,
            measure_code=measure_code,
            message=message,
            explanation=explanation,
            explained=bool(flag and flag.is_explained),
            errors=list((errors or {}).get(key, [])),
            other_lines=list(other_lines or []),
        )
        if measure_code in by_measure:
            by_measure[measure_code].append(warning)
        else:
            line_wide.append(warning)
    return Warnings(by_measure=by_measure, line_wide=line_wide)


@require_http_methods(["GET", "POST"])
def line_checks(request: HttpRequest, reference: str, line_id: int) -> HttpResponse:
    """The line page's warnings for the figures being typed (POSTed by htmx from
    the line form), nothing saved: the line-wide block, with each measure's
    warnings swapped in beside its figure. Another supplier's line is not found.
    Signed out (the session expired while typing), htmx gets "no content" and
    leaves the page as it is: the save itself keeps the figures over a sign-in."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    if not (is_supplier_contact(request.user) or is_team(request.user)):
        raise PermissionDenied
    annual_return = return_for(request, reference)
    return_line = supplier_selectors.return_line_get(
        annual_return=annual_return, line_id=line_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    editable = annual_return.is_editable and not return_line.is_excluded
    measures = year_measures(annual_return.year_id)
    codes = [ym.measure.code for ym in measures]
    warnings = (
        line_warnings(
            line=return_line,
            year=annual_return.year,
            measure_codes=codes,
            data=request.POST,
        )
        if editable
        else Warnings(by_measure={code: [] for code in codes}, line_wide=[])
    )
    return render(
        request,
        "returns/supplier/_soft_checks_response.html",
        {"warnings": warnings, "editable": editable},
    )
