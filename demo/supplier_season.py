"""The demo supplier's season: last year's return submitted, this year's part-filled.

Runs after the steps that open the years and issue the returns (it does nothing for
a year whose return has not been issued). Figures go through `line_save` and
`return_submit`, the services the pages use, so credits, versions and events are
what a real supplier's would be. Deterministic (figures drawn from each contract's
reference) and idempotent: saving the same figures again changes nothing, and a
submitted return is left alone.
"""

from __future__ import annotations

import datetime
import math
import random

from accounts.models import User
from demo.consortium import DemoBuild
from demo.flags import explain_demo_flags
from returns import events
from returns.models import AnnualReturn, ReturnEvent, ReturnLine
from returns.services import line_save, return_submit

DEMO_SUPPLIER_EMAIL = "supplier@example.org"
DECLARED_BY = "Priya Supplier"


def _rng(key: str) -> random.Random:
    return random.Random(f"demo:season:{key}")


def _figures(line: ReturnLine, *, below: bool) -> dict:
    """Believable figures for a line: at or above target, or below with a reason."""
    rng = _rng(f"{line.annual_return.year_id}:{line.contract.reference}")
    target = float(line.target_credits)
    if below or target == 0:
        share = rng.uniform(0.3, 0.7) if target else 0
        trained = max(1, math.floor(target * share))
        figures = {"TRN": str(trained), "VOL": f"{rng.randint(4, 40)}.50"}
        if target == 0:
            return {"quantities": figures}
        ends_on = line.contract.ends_on
        return {
            "quantities": figures,
            "shortfall_reason": rng.choice(
                [
                    "Work on site started four months later than planned.",
                    "The member paused the programme over the winter.",
                    "Our apprentice left in the autumn and we could not replace "
                    "them before the year end.",
                ]
            ),
            "recovery_plan": rng.choice(
                [
                    "Two apprentices start on this contract next quarter, with a "
                    "careers day at the local college.",
                    "We will run a work experience week each term and add a "
                    "community project with the residents' group.",
                ]
            ),
            "recovery_by": ends_on,
        }
    jobs = max(1, math.ceil(target / 10 * rng.uniform(0.6, 0.9)))
    apprentices = max(0, math.ceil((target - jobs * 10) / 10)) + rng.randint(0, 1)
    return {
        "quantities": {
            "EMP-FT": str(jobs),
            "EMP-BAR": str(min(jobs, rng.randint(0, 2))),
            "APP-NEW": str(apprentices),
            "CAR": str(rng.randint(10, 60)),
        }
    }


def _save(line: ReturnLine, user: User, today: datetime.date, *, below: bool) -> None:
    figures = _figures(line, below=below)
    if figures.get("recovery_by") and line.contract.ends_on < today:
        figures["recovery_by"] = None  # ended: a plan without a date
    line_save(
        line=line,
        user=user,
        expected_version=None,
        quantities=figures["quantities"],
        shortfall_reason=figures.get("shortfall_reason", ""),
        recovery_plan=figures.get("recovery_plan", ""),
        recovery_by=figures.get("recovery_by"),
        today=today,
    )


def build_supplier_season(build: DemoBuild) -> None:
    user = User.objects.filter(email=DEMO_SUPPLIER_EMAIL).first()
    contact = user and user.supplier_contacts.filter(is_primary=True).first()
    if contact is None:
        return
    returns = list(
        AnnualReturn.objects.filter(supplier_id=contact.supplier_id)
        .select_related("year")
        .order_by("-year__starts_on")[:2]
    )
    if not returns:
        build.log("supplier season: no returns issued to the demo supplier yet")
        return
    current, last = returns[0], returns[1] if len(returns) > 1 else None

    if last is not None and last.is_editable:
        lines = list(_open_lines(last))
        for index, line in enumerate(lines):
            _save(line, user, build.today, below=index % 3 == 2)
        explain_demo_flags(last, user)
        return_submit(
            annual_return=last,
            user=user,
            declared_by_name=DECLARED_BY,
            declared_own_figures=True,
            today=build.today,
        )
        # Submitted in good time, as the demo's story goes: a week before its deadline.
        submitted_at = _at(build, last.effective_deadline - datetime.timedelta(days=7))
        AnnualReturn.objects.filter(pk=last.pk).update(
            submitted_at=submitted_at, first_submitted_at=submitted_at
        )
        ReturnEvent.objects.filter(
            annual_return=last, kind__in=[events.STARTED, events.SUBMITTED]
        ).update(at=submitted_at)

    if current.is_editable:
        lines = list(_open_lines(current))
        # About half the contracts filled in, one of them below target.
        for index, line in enumerate(lines[: max(1, len(lines) // 2)]):
            _save(line, user, build.today, below=index == 1)


def _open_lines(annual_return: AnnualReturn):
    return (
        ReturnLine.objects.filter(annual_return=annual_return, excluded_at__isnull=True)
        .select_related("contract", "annual_return")
        .order_by("contract__reference")
    )


def _at(build: DemoBuild, day: datetime.date) -> datetime.datetime:
    day = min(day, build.today)
    return build.at(days_before=(build.today - day).days, hour=15)
