"""Demo step: what the member viewer's pages of issue 22 show beyond the figures:
an evidence file on an approved line of the demo member's contracts whose title the
team has shown to the member; a line the member confirmed, and one they disputed
(open on the team's desk).

Runs after the review season (the last step that approves returns). Idempotent:
the evidence is recognised by its line and name, made only if missing.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import MemberViewer, User
from demo.attachments import DEMO_PDF
from demo.consortium import DemoBuild
from returns.figures import reported_lines
from returns.models import Evidence, MemberCheck

MEMBER_EMAIL = "member@example.org"
DISPUTE_REASON = (
    "Our housing officer says only one apprentice worked on this contract last "
    "year, not the number shown."
)
TEAM_EMAIL = "team@example.org"
SHARED_EVIDENCE = "training-attendance-register.pdf"


def demo_member_lines():
    """The demo member's approved lines, the latest year first."""
    viewer = (
        MemberViewer.objects.filter(user__email=MEMBER_EMAIL)
        .select_related("member")
        .first()
    )
    if viewer is None:
        return None, []
    lines = list(
        reported_lines()
        .filter(member=viewer.member)
        .select_related("annual_return__supplier", "contract")
        .order_by("-annual_return__year__starts_on", "contract__reference")
    )
    return viewer, lines


def build_member_pages(build: DemoBuild) -> None:
    team_user = User.objects.filter(email=TEAM_EMAIL).first()
    viewer, lines = demo_member_lines()
    if viewer is None or team_user is None or not lines:
        build.log("members: no approved line for the demo member yet, skipped")
        return
    line = lines[0]
    if not Evidence.objects.filter(line=line, original_name=SHARED_EVIDENCE).exists():
        contact = line.annual_return.supplier.contacts.select_related("user").first()
        evidence = Evidence(
            line=line,
            original_name=SHARED_EVIDENCE,
            content_type="application/pdf",
            size=len(DEMO_PDF),
            uploaded_by=contact.user if contact else team_user,
            uploaded_at=build.at(40),
            member_approved_at=build.at(30),
            member_approved_by=team_user,
        )
        evidence.file.save("upload", ContentFile(DEMO_PDF), save=False)
        evidence.save()

    member_user = viewer.user
    for line, kind in zip(
        lines[1:3],
        (MemberCheck.Kind.CONFIRMED, MemberCheck.Kind.DISPUTED),
        strict=False,
    ):
        if MemberCheck.objects.filter(line=line, kind=kind).exists():
            continue
        # After the return's approval, so the check stands (and not in the future).
        approved_at = line.annual_return.approved_at or build.at(30)
        raised_at = min(approved_at + datetime.timedelta(hours=2), timezone.now())
        MemberCheck.objects.create(
            line=line,
            member=viewer.member,
            kind=kind,
            reason=DISPUTE_REASON if kind == MemberCheck.Kind.DISPUTED else "",
            raised_by=member_user,
            raised_at=raised_at,
        )
