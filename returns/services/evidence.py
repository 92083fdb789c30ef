"""Evidence files on a return's lines: upload, erase, and the retention job.

Files go through Django's storage API under a random name (see
`returns.models.evidence_path`), outside the static files and never served directly:
only `returns.views.evidence` hands them out, to people who may see the return.
Nothing here touches a line's version.
"""

import datetime
import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core import limits
from core.filetypes import FileTypeRefused, detect
from core.uploads import human_size, too_large

from .. import events
from ..models import AnnualReturn, Evidence, LineFlag, ReturnLine
from .double_counting import double_counting_refresh, double_counting_refresh_in_play
from .events import event_record

RETURN_FULL = (
    "The evidence on this return already takes {used} of {limit}: the selected file "
    "({size}) would take it over. Upload a smaller file, or ask the social value team"
)
NOT_EDITABLE = "Evidence can only be added while the return is open for editing"
EXCLUDED = "This contract has been excluded from the return: it needs no evidence"
ALREADY_ERASED = "This evidence file has already been erased"


def clean_original_name(name: str) -> str:
    """The name the person gave the file, for display and download only: the last
    path part, without control characters, at most 255 characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 250 - len(extension)] + dot + extension) if dot else name[:255]
    return name or "evidence"


def file_sha256(uploaded_file) -> str:
    """The SHA-256 of a file's bytes, read in chunks (an upload may be spooled to
    disk): the same file on lines of different contracts is double counting's
    commonest sign (`returns.services.double_counting`)."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def return_evidence_bytes(*, annual_return: AnnualReturn) -> int:
    """Bytes of evidence held on a return (erased files count nothing)."""
    total = Evidence.objects.filter(
        line__annual_return=annual_return, erased_at__isnull=True
    ).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


@transaction.atomic
def evidence_add(
    *, line: ReturnLine, uploaded_file: UploadedFile, acting_user
) -> Evidence:
    """Stores one evidence file on a line, after checking its real type, its size and
    the return's total. Raises ValidationError (nothing stored) when refused. Called by
    the supplier's evidence page."""
    # Lock the return so two uploads at once cannot both squeeze under the total.
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=line.annual_return_id
    )
    if annual_return.status not in AnnualReturn.EDITABLE:
        raise ValidationError(NOT_EDITABLE)
    if line.excluded_at:
        raise ValidationError(EXCLUDED)
    size = uploaded_file.size or 0
    limit = settings.EVIDENCE_MAX_BYTES
    if size > limit:
        raise ValidationError(too_large(size, limit))
    name = clean_original_name(uploaded_file.name)
    try:
        detected = detect(uploaded_file, name=name)
    except FileTypeRefused as error:
        raise ValidationError(str(error)) from error
    per_return = settings.EVIDENCE_MAX_BYTES_PER_RETURN
    used = return_evidence_bytes(annual_return=annual_return)
    if used + size > per_return:
        raise ValidationError(
            RETURN_FULL.format(
                used=human_size(used),
                limit=human_size(per_return),
                size=human_size(size),
            )
        )
    evidence = Evidence(
        line=line,
        original_name=name,
        content_type=detected.content_type,
        size=size,
        sha256=file_sha256(uploaded_file),
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    uploaded_file.seek(0)
    evidence.file.save("upload", uploaded_file, save=False)
    try:
        evidence.save()
        double_counting_refresh(
            annual_return=annual_return,
            user=acting_user,
            codes=[LineFlag.Code.SAME_FILE],
        )
        event_record(
            annual_return=annual_return,
            kind=events.EVIDENCE_ADDED,
            actor=acting_user,
            snapshot={
                "evidence_id": evidence.pk,
                "line_id": line.pk,
                "contract": line.contract.reference,
                "original_name": name,
                "content_type": detected.content_type,
                "size": size,
            },
        )
    except Exception:
        # Storage is outside the transaction: take the file back out.
        evidence.file.delete(save=False)
        raise
    return evidence


def _erase_file(evidence: Evidence) -> None:
    """Removes the stored file and blanks the row; the row stays as the record."""
    if evidence.file.name:
        evidence.file.storage.delete(evidence.file.name)
    evidence.file = ""
    evidence.erased_at = timezone.now()
    evidence.save(update_fields=["file", "erased_at"])


@transaction.atomic
def evidence_erase(*, evidence: Evidence, acting_user, reason: str = "") -> Evidence:
    """An administrator's erasure of one evidence file: the file leaves storage, the
    row keeps who uploaded what and when, and an event records the erasure."""
    limits.require_length(reason, label="The reason", limit=limits.ERASURE)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.erased_at:
        raise ValidationError(ALREADY_ERASED)
    _erase_file(evidence)
    line = evidence.line
    # An erased file is compared no more: a SAME_FILE flag it caused goes now, not
    # at the next change that happens to look again.
    double_counting_refresh_in_play(
        annual_return=line.annual_return,
        user=acting_user,
        codes=[LineFlag.Code.SAME_FILE],
    )
    event_record(
        annual_return=line.annual_return,
        kind=events.EVIDENCE_ERASED,
        actor=acting_user,
        comment=reason or "Erased by an administrator",
        snapshot={
            "evidence_id": evidence.pk,
            "line_id": line.pk,
            "contract": line.contract.reference,
            "original_name": evidence.original_name,
            "size": evidence.size,
        },
    )
    return evidence


@transaction.atomic
def evidence_member_share(*, evidence: Evidence, acting_user, share: bool) -> Evidence:
    """The team's decision that the member whose contract it is may see this
    evidence's title (`share=True`), or no longer may. The file itself is never
    offered to members. Recorded as an event on the return."""
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.erased_at:
        raise ValidationError(ALREADY_ERASED)
    if share == (evidence.member_approved_at is not None):
        return evidence  # already so: a second click changes nothing
    evidence.member_approved_at = timezone.now() if share else None
    evidence.member_approved_by = acting_user if share else None
    evidence.save(update_fields=["member_approved_at", "member_approved_by"])
    line = evidence.line
    event_record(
        annual_return=line.annual_return,
        kind=events.EVIDENCE_MEMBER_APPROVED
        if share
        else events.EVIDENCE_MEMBER_WITHDRAWN,
        actor=acting_user,
        snapshot={
            "evidence_id": evidence.pk,
            "line_id": line.pk,
            "contract": line.contract.reference,
            "original_name": evidence.original_name,
        },
    )
    return evidence


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def evidence_erase_expired(*, today: datetime.date | None = None) -> int:
    """Erases evidence held EVIDENCE_RETENTION_YEARS after its contract ended, with one
    event per return. Safe to run twice, or twice at once (rows are locked and erased
    ones skipped). Called by the monthly task. Returns the number of files erased."""
    today = today or timezone.localdate()
    cutoff = _years_before(today, settings.EVIDENCE_RETENTION_YEARS)
    due = (
        Evidence.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(erased_at__isnull=True, line__contract__ends_on__lt=cutoff)
        .select_related("line__annual_return", "line__contract")
        .order_by("pk")
    )
    by_return: dict[int, list[Evidence]] = {}
    for evidence in due:
        _erase_file(evidence)
        by_return.setdefault(evidence.line.annual_return_id, []).append(evidence)
    for items in by_return.values():
        event_record(
            annual_return=items[0].line.annual_return,
            kind=events.EVIDENCE_ERASED,
            actor=None,
            comment=(
                f"{len(items)} evidence file{'s' if len(items) != 1 else ''} erased "
                f"{settings.EVIDENCE_RETENTION_YEARS} years after the contract ended"
            ),
            snapshot={
                "evidence_ids": [e.pk for e in items],
                "retention_years": settings.EVIDENCE_RETENTION_YEARS,
                "today": today.isoformat(),
            },
        )
    return sum(len(items) for items in by_return.values())
