"""Demo step (issue 23, the team's side): double counting and the review queue.

- The demo supplier's return in progress: one attendance register attached to two
  contracts' lines, so the supplier sees "The file … is also attached to contract …"
  on both line pages and must explain it before submitting.
- The demo supplier's submitted return (awaiting review): the same file on two
  lines, flagged and explained by the supplier, so the team's queue ranks it with
  "flags to check" and "explanations to read" and the review page shows each flag
  beside its figure with the explanation and a "Mark as checked" link; one of its
  contracts excluded with a reason, shown to the team wherever the return is.
- The big-change count of the submitted returns the demo made without the
  submission service (at most a few hundred: the bench's large builds skip most).

Runs after the review season. Idempotent: files are recognised by line and name,
flags by the detection itself, the exclusion by its reason.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from demo.attachments import DEMO_PDF
from demo.consortium import DemoBuild
from returns.figures import big_change_count
from returns.models import AnnualReturn, Evidence, LineFlag, ReturnLine
from returns.services.double_counting import CODES, double_counting_refresh

SUPPLIER_EMAIL = "supplier@example.org"
TEAM_EMAIL = "team@example.org"
REGISTER = "volunteering-day-register.pdf"
REGISTER_PDF = DEMO_PDF + b"% volunteering day, March\n"
EXPLANATION = (
    "The volunteering day was shared by the two estates' teams; the register lists "
    "both and each contract counts only its own staff's hours."
)
EXCLUDED_REASON = (
    "Novated to another contractor in October: their return reports it from then."
)
BIG_CHANGES_AT_MOST = 300


def _attach_register(line: ReturnLine, user: User) -> None:
    if Evidence.objects.filter(line=line, original_name=REGISTER).exists():
        return
    evidence = Evidence(
        line=line,
        original_name=REGISTER,
        content_type="application/pdf",
        size=len(REGISTER_PDF),
        sha256=hashlib.sha256(REGISTER_PDF).hexdigest(),
        uploaded_by=user,
    )
    evidence.file.save("upload", ContentFile(REGISTER_PDF), save=False)
    evidence.save()


def build_double_counting(build: DemoBuild) -> None:
    supplier_user = User.objects.filter(email=SUPPLIER_EMAIL).first()
    team_user = User.objects.filter(email=TEAM_EMAIL).first()
    if supplier_user is None or team_user is None:
        return
    returns = list(
        AnnualReturn.objects.filter(
            supplier__contacts__user=supplier_user, supplier__contacts__is_primary=True
        )
        .select_related("year")
        .order_by("-year__starts_on")[:2]
    )
    for annual_return in returns:
        lines = list(
            ReturnLine.objects.filter(
                annual_return=annual_return, excluded_at__isnull=True
            ).order_by("contract__reference")[:3]
        )
        if len(lines) < 2:
            continue
        for line in lines[:2]:
            _attach_register(line, supplier_user)
        double_counting_refresh(annual_return=annual_return, user=supplier_user)
        if annual_return.status != AnnualReturn.Status.SUBMITTED:
            continue
        # Submitted: the supplier explained every flag before submitting.
        LineFlag.objects.filter(
            line__annual_return=annual_return, explanation="", code__in=CODES
        ).update(
            explanation=EXPLANATION,
            explained_by=supplier_user,
            explained_at=timezone.now(),
        )
        if (
            len(lines) > 2
            and not ReturnLine.objects.filter(
                annual_return=annual_return, excluded_reason=EXCLUDED_REASON
            ).exists()
        ):
            ReturnLine.objects.filter(pk=lines[2].pk).update(
                excluded_reason=EXCLUDED_REASON,
                excluded_by=team_user,
                excluded_at=timezone.now(),
            )
    submitted = AnnualReturn.objects.filter(
        status=AnnualReturn.Status.SUBMITTED, big_changes=0
    ).select_related("year")
    for annual_return in submitted.order_by("pk")[:BIG_CHANGES_AT_MOST]:
        count = big_change_count(annual_return=annual_return)
        if count:
            AnnualReturn.objects.filter(pk=annual_return.pk).update(big_changes=count)
    build.log("double counting: flags on the demo supplier's returns")
