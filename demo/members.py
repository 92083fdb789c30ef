"""Demo step: what the member viewer's pages of issue 22 show beyond the figures:
an evidence file on an approved line of the demo member's contracts whose title the
team has shown to the member.

Runs after the review season (the last step that approves returns). Idempotent:
the evidence is recognised by its line and name, made only if missing.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from accounts.models import MemberViewer, User
from demo.attachments import DEMO_PDF
from demo.consortium import DemoBuild
from returns.figures import reported_lines
from returns.models import Evidence

MEMBER_EMAIL = "member@example.org"
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
