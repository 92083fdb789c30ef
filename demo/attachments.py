"""Demo step: evidence, case studies and line queries on the demo supplier's latest
return, so the pages of issue 7 have something to show.

Runs after whatever step issues returns; with no return for the demo supplier it does
nothing. Idempotent: each item is recognised by its line and fixed text, and made
only if missing. Goes through the services' models directly (no events for the demo's
history) except the query answer, which is written as the team would.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from accounts.models import User
from demo.consortium import DemoBuild
from returns.models import AnnualReturn, CaseStudy, Evidence, LineQuery, ReturnLine

SUPPLIER_EMAIL = "supplier@example.org"
TEAM_EMAIL = "team@example.org"
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
OPEN_QUERY = (
    "The spend is wrong: our final account for the year was £142,300, not the figure "
    "shown."
)
ANSWERED_QUERY = (
    "This is not our contract: it was novated to another contractor in the autumn."
)
ANSWER = (
    "Thank you. We have checked with the member: the contract moved to you in "
    "October, so it stays on your return for the part of the year you delivered."
)
SHARED_TITLE = "Apprentice joiner completes Level 2"
SHARED_STORY = (
    "A young person from the estate joined the kitchen replacement programme as an "
    "apprentice joiner. Over the year they completed a Level 2 qualification and have "
    "been offered a permanent role with our subcontractor."
)
REQUESTED_TITLE = "Careers week at the local secondary school"
REQUESTED_STORY = (
    "Site managers ran five careers sessions for Year 10 pupils, including a site "
    "visit in full protective equipment. Twelve pupils asked about apprenticeships."
)


def build_attachments(build: DemoBuild) -> None:
    supplier_user = User.objects.filter(email=SUPPLIER_EMAIL).first()
    team_user = User.objects.filter(email=TEAM_EMAIL).first()
    if supplier_user is None or team_user is None:
        return
    annual_return = (
        AnnualReturn.objects.filter(
            supplier__contacts__user=supplier_user, supplier__contacts__is_primary=True
        )
        .order_by("-year__starts_on")
        .first()
    )
    if annual_return is None:
        build.log("attachments: no return for the demo supplier yet, skipped")
        return
    lines = list(
        ReturnLine.objects.filter(annual_return=annual_return).order_by(
            "contract__reference"
        )[:3]
    )
    if not lines:
        return
    first, second, third = (lines + lines + lines)[:3]

    if not Evidence.objects.filter(
        line=first, original_name="apprentice-register.pdf"
    ).exists():
        evidence = Evidence(
            line=first,
            original_name="apprentice-register.pdf",
            content_type="application/pdf",
            size=len(DEMO_PDF),
            uploaded_by=supplier_user,
            uploaded_at=build.at(10),
        )
        evidence.file.save("upload", ContentFile(DEMO_PDF), save=False)
        evidence.save()

    CaseStudy.objects.get_or_create(
        line=first,
        title=SHARED_TITLE,
        defaults=dict(
            story=SHARED_STORY,
            people_benefited=1,
            consent=CaseStudy.Consent.NONE_IDENTIFIABLE,
            share_with_member=True,
            created_by=supplier_user,
            created_at=build.at(9),
        ),
    )
    CaseStudy.objects.get_or_create(
        line=second,
        title=REQUESTED_TITLE,
        defaults=dict(
            story=REQUESTED_STORY,
            people_benefited=12,
            consent=CaseStudy.Consent.NONE_IDENTIFIABLE,
            share_with_member=True,
            publication=CaseStudy.Publication.REQUESTED,
            created_by=supplier_user,
            created_at=build.at(8),
        ),
    )
    LineQuery.objects.get_or_create(
        line=third,
        text=OPEN_QUERY,
        defaults=dict(raised_by=supplier_user, raised_at=build.at(5)),
    )
    LineQuery.objects.get_or_create(
        line=second,
        text=ANSWERED_QUERY,
        defaults=dict(
            raised_by=supplier_user,
            raised_at=build.at(20),
            answer=ANSWER,
            answered_by=team_user,
            answered_at=build.at(18),
        ),
    )
