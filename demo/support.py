"""Demo step: the team's contact details, and requests the demo supplier made of the
team on its latest return (help with a call back, help answered, more time waiting
for a decision, a missing contract refused), so the footer, the help pages, the
desk's "Requests from suppliers" and both sides' request pages have something to
show.

Idempotent: the contact row is keyed, each request recognised by its return, kind
and fixed message, and made only if missing. Written to the models directly (no
events or emails for the demo's history), as the attachments step does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import User
from demo.consortium import DemoBuild
from frameworks.models import Member
from returns.models import AnnualReturn, ReturnLine
from support.models import SupportRequest, TeamContact

SUPPLIER_EMAIL = "supplier@example.org"
TEAM_EMAIL = "team@example.org"
CALL_ME = "We have a new site manager filling this in for the first time: could someone talk them through the apprenticeship measures?"
ANSWERED = "Do volunteering hours by our subcontractor's staff count on our return?"
ANSWER = (
    "Yes: count what was delivered on the contract, by you or your supply chain, "
    "as long as you can show it. Keep the subcontractor's timesheets as evidence."
)
MORE_TIME = "Our finance team closes the year late this year; we need the final figures for two contracts."
MISSING = "The community centre refurbishment started in the autumn."
MISSING_REFUSED = (
    "Its spend in the year is below £100,000 and it is not on a consultancy lot, "
    "so it does not qualify for this year's return. It will be on next year's if "
    "its spend reaches the threshold."
)


def build_support(build: DemoBuild) -> None:
    TeamContact.objects.get_or_create(
        key="team",
        defaults=dict(
            name="Social value team",
            email="social.value@example.org",
            phone="0161 496 0000",
            hours="Monday to Friday, 9am to 5pm",
        ),
    )
    supplier_user = User.objects.filter(email=SUPPLIER_EMAIL).first()
    team_user = User.objects.filter(email=TEAM_EMAIL).first()
    if supplier_user is None or team_user is None:
        return
    annual_return = (
        AnnualReturn.objects.filter(
            supplier__contacts__user=supplier_user, supplier__contacts__is_primary=True
        )
        .select_related("year")
        .order_by("-year__starts_on")
        .first()
    )
    if annual_return is None:
        build.log("support: no return for the demo supplier yet, skipped")
        return
    lines = list(
        ReturnLine.objects.filter(annual_return=annual_return).order_by(
            "contract__reference"
        )[:2]
    )
    first = lines[0] if lines else None

    def made(kind: str, message: str, **fields) -> None:
        SupportRequest.objects.get_or_create(
            annual_return=annual_return,
            kind=kind,
            message=message,
            defaults={"raised_by": supplier_user, **fields},
        )

    Kind, Status = SupportRequest.Kind, SupportRequest.Status
    made(
        Kind.HELP,
        CALL_ME,
        line=first,
        call_me=True,
        phone="01632 960 001",
        raised_at=build.at(2),
    )
    made(
        Kind.HELP,
        ANSWERED,
        raised_at=build.at(12),
        status=Status.ANSWERED,
        answer=ANSWER,
        decided_by=team_user,
        decided_at=build.at(11),
    )
    if annual_return.status in AnnualReturn.EDITABLE:
        made(
            Kind.EXTENSION,
            MORE_TIME,
            requested_deadline=annual_return.effective_deadline
            + datetime.timedelta(days=21),
            raised_at=build.at(1),
        )
    member = Member.objects.filter(is_active=True).order_by("reference").first()
    if member is not None:
        made(
            Kind.MISSING_CONTRACT,
            MISSING,
            member=member,
            contract_reference="DEMO-CC-001",
            contract_title="Community centre refurbishment",
            spend=Decimal("85000.00"),
            raised_at=build.at(15),
            status=Status.REFUSED,
            answer=MISSING_REFUSED,
            decided_by=team_user,
            decided_at=build.at(13),
        )
