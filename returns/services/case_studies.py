"""Case studies on a return's lines (DESIGN "Personal data").

A supplier writes the story and says whether anyone can be identified and whether
written consent is held, whether to share it with the member, and may ask for it to be
published; the team approves publication by writing the anonymised public title and
story, and only that text is ever public. An administrator can erase the text: it is
kept out of the history (`CaseStudy.history` excludes it) and out of events, so that
erasure is complete. Nothing here touches a line's version.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import limits

from .. import events
from ..models import AnnualReturn, CaseStudy, LineFlag, ReturnLine
from .double_counting import double_counting_refresh, double_counting_refresh_in_play
from .events import event_record

NOT_EDITABLE = "Case studies can only be changed while the return is open for editing"
ERASED = "This case study has been erased"
NOT_REQUESTED = "Only a case study whose publication was requested can be approved"
PUBLIC_TEXT_NEEDED = "Enter the public title and the public story"
ALREADY_ERASED = "This case study has already been erased"


def _snapshot(case_study: CaseStudy) -> dict:
    # Ids and flags only: the title and story may identify people and must be
    # erasable, and events are kept for ever.
    return {
        "case_study_id": case_study.pk,
        "line_id": case_study.line_id,
        "consent": case_study.consent,
        "share_with_member": case_study.share_with_member,
        "publication": case_study.publication,
    }


def _check_editable(line: ReturnLine) -> AnnualReturn:
    annual_return = AnnualReturn.objects.select_for_update().get(
        pk=line.annual_return_id
    )
    if annual_return.status not in AnnualReturn.EDITABLE:
        raise ValidationError(NOT_EDITABLE)
    return annual_return


@transaction.atomic
def case_study_create(
    *,
    line: ReturnLine,
    acting_user,
    title: str,
    story: str,
    people_benefited: int,
    consent: str,
    share_with_member: bool,
    request_publication: bool = False,
) -> CaseStudy:
    """A supplier's new case study on one of their lines. Records an event."""
    annual_return = _check_editable(line)
    case_study = CaseStudy(
        line=line,
        title=title.strip(),
        story=story.strip(),
        people_benefited=people_benefited,
        consent=consent,
        share_with_member=share_with_member,
        publication=(
            CaseStudy.Publication.REQUESTED
            if request_publication
            else CaseStudy.Publication.PRIVATE
        ),
        created_by=acting_user,
        created_at=timezone.now(),
    )
    # A TextField's max_length is not a model validator: the story's limit is here.
    limits.require_length(
        case_study.story, label="The story", limit=limits.STORY, field="story"
    )
    case_study.full_clean()
    case_study.save()
    double_counting_refresh(
        annual_return=annual_return, user=acting_user, codes=[LineFlag.Code.SAME_STORY]
    )
    event_record(
        annual_return=annual_return,
        kind=events.CASE_STUDY_ADDED,
        actor=acting_user,
        snapshot=_snapshot(case_study),
    )
    if request_publication:
        event_record(
            annual_return=annual_return,
            kind=events.CASE_STUDY_REQUESTED,
            actor=acting_user,
            snapshot=_snapshot(case_study),
        )
    return case_study


@transaction.atomic
def case_study_update(
    *,
    case_study: CaseStudy,
    acting_user,
    title: str,
    story: str,
    people_benefited: int,
    consent: str,
    share_with_member: bool,
    request_publication: bool = False,
) -> CaseStudy:
    """A supplier's change to their case study. Ticking "publish" asks the team;
    unticking withdraws a request; an approved public version stays as the team
    wrote it (their text, not the supplier's, is what is published)."""
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if case_study.erased_at:
        raise ValidationError(ERASED)
    annual_return = _check_editable(case_study.line)
    was = case_study.publication
    case_study.title = title.strip()
    case_study.story = story.strip()
    case_study.people_benefited = people_benefited
    case_study.consent = consent
    case_study.share_with_member = share_with_member
    if was != CaseStudy.Publication.APPROVED:
        case_study.publication = (
            CaseStudy.Publication.REQUESTED
            if request_publication
            else CaseStudy.Publication.PRIVATE
        )
    # A TextField's max_length is not a model validator: the story's limit is here.
    limits.require_length(
        case_study.story, label="The story", limit=limits.STORY, field="story"
    )
    case_study.full_clean()
    case_study.save()
    double_counting_refresh(
        annual_return=annual_return, user=acting_user, codes=[LineFlag.Code.SAME_STORY]
    )
    event_record(
        annual_return=annual_return,
        kind=events.CASE_STUDY_CHANGED,
        actor=acting_user,
        snapshot=_snapshot(case_study),
    )
    if (
        was != CaseStudy.Publication.REQUESTED
        and case_study.publication == CaseStudy.Publication.REQUESTED
    ):
        event_record(
            annual_return=annual_return,
            kind=events.CASE_STUDY_REQUESTED,
            actor=acting_user,
            snapshot=_snapshot(case_study),
        )
    return case_study


@transaction.atomic
def case_study_approve(
    *, case_study: CaseStudy, acting_user, public_title: str, public_story: str
) -> CaseStudy:
    """The team approves publication by writing the anonymised public title and
    story. Records an event. Called by the team's approval page."""
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if case_study.erased_at:
        raise ValidationError(ERASED)
    if case_study.publication != CaseStudy.Publication.REQUESTED:
        raise ValidationError(NOT_REQUESTED)
    public_title, public_story = public_title.strip(), public_story.strip()
    if not public_title or not public_story:
        raise ValidationError(PUBLIC_TEXT_NEEDED)
    limits.require_length(
        public_title, label="The public title", limit=limits.TITLE, field="public_title"
    )
    limits.require_length(
        public_story, label="The public story", limit=limits.STORY, field="public_story"
    )
    case_study.public_title = public_title
    case_study.public_story = public_story
    case_study.publication = CaseStudy.Publication.APPROVED
    case_study.approved_by = acting_user
    case_study.approved_at = timezone.now()
    case_study.save()
    event_record(
        annual_return=case_study.line.annual_return,
        kind=events.CASE_STUDY_PUBLISHED,
        actor=acting_user,
        snapshot=_snapshot(case_study),
    )
    return case_study


@transaction.atomic
def case_study_erase(*, case_study: CaseStudy, acting_user, reason: str) -> CaseStudy:
    """An administrator's erasure of a case study's text (title, story and the public
    version): blanked in the row, and removed from any history row that holds it
    (the history excludes these fields, so normally none does). It stops being shared
    or published. An event records who erased it, when and why."""
    limits.require_length(reason, label="The reason", limit=limits.ERASURE)
    case_study = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
    if case_study.erased_at:
        raise ValidationError(ALREADY_ERASED)
    case_study.title = ""
    case_study.story = ""
    case_study.public_title = ""
    case_study.public_story = ""
    case_study.share_with_member = False
    case_study.publication = CaseStudy.Publication.PRIVATE
    case_study.erased_at = timezone.now()
    case_study.save()
    _erase_text_from_history(case_study)
    # An erased story is compared no more (its SAME_STORY flags go with it).
    double_counting_refresh_in_play(
        annual_return=case_study.line.annual_return,
        user=acting_user,
        codes=[LineFlag.Code.SAME_STORY],
    )
    event_record(
        annual_return=case_study.line.annual_return,
        kind=events.CASE_STUDY_ERASED,
        actor=acting_user,
        comment=reason,
        snapshot=_snapshot(case_study),
    )
    return case_study


_TEXT_FIELDS = ("title", "story", "public_title", "public_story")


def _erase_text_from_history(case_study: CaseStudy) -> None:
    """Blanks the text in the case study's history rows, for any text field the
    history model holds (none, as configured; this guards a later change to it)."""
    history_model = CaseStudy.history.model
    held = [f.name for f in history_model._meta.get_fields() if f.name in _TEXT_FIELDS]
    if held:
        history_model.objects.filter(id=case_study.pk).update(
            **{name: "" for name in held}
        )
