"""The team's side of the demo season: a second supplier's return for last year filled
in, submitted and approved, so that the shortfall pages and member pages have
delivered (approved) figures beside the demo supplier's return waiting for review.

Runs after `build_supplier_season`, and does nothing until the years are issued.
Goes through the services the pages use (`line_save`, `return_submit`,
`return_approve`). Deterministic and idempotent: a return already submitted or
approved is left alone.
"""

from __future__ import annotations

import math

from accounts.models import User
from demo.consortium import DemoBuild
from demo.flags import explain_demo_flags
from returns.models import AnnualReturn, ReturnLine
from returns.services import line_save, return_submit
from returns.services.review import return_approve

SECOND_SUPPLIER_EMAIL = "supplier2@example.org"
TEAM_EMAIL = "team@example.org"
DECLARED_BY = "Jo Supplier"


def build_review_season(build: DemoBuild) -> None:
    contact_user = User.objects.filter(email=SECOND_SUPPLIER_EMAIL).first()
    team = User.objects.filter(email=TEAM_EMAIL).first()
    if contact_user is None or team is None:
        return
    contact = contact_user.supplier_contacts.order_by("supplier__name").first()
    if contact is None:
        return
    returns = list(
        AnnualReturn.objects.filter(supplier_id=contact.supplier_id)
        .select_related("year")
        .order_by("-year__starts_on")[:2]
    )
    if len(returns) < 2:
        build.log("review season: last year's returns are not issued yet")
        return
    last = returns[1]
    if last.is_editable:
        lines = ReturnLine.objects.filter(
            annual_return=last, excluded_at__isnull=True
        ).select_related("contract", "annual_return")
        for index, line in enumerate(lines.order_by("contract__reference")):
            # Jobs for about the target (10 credits a job), one contract in three short
            jobs = math.ceil(float(line.target_credits) / 10) or 1
            below = index % 3 == 1
            line_save(
                line=line,
                user=contact_user,
                expected_version=None,
                quantities={"EMP-FT": str(max(0, jobs - 2) if below else jobs)},
                shortfall_reason="The start on site slipped by a season."
                if below
                else "",
                recovery_plan="Two extra apprentices next year." if below else "",
                recovery_by=line.contract.ends_on
                if below and line.contract.ends_on >= build.today
                else None,
                today=build.today,
            )
        explain_demo_flags(last, contact_user)
        return_submit(
            annual_return=last,
            user=contact_user,
            declared_by_name=DECLARED_BY,
            declared_own_figures=True,
            today=build.today,
        )
        last.refresh_from_db()
    if last.status == AnnualReturn.Status.SUBMITTED:
        return_approve(annual_return=last, user=team)
