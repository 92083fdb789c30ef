"""Publishing the year's impact report: the public page exists only while published."""

from django.db import transaction
from django.utils import timezone

from .. import events
from ..models import ReportingYear, YearEvent
from ..selectors.guard_rails import publish_consequence
from .confirmation import require_confirmation

NOT_ISSUED = "This year's returns have not been issued, so there is nothing to publish."


class ReportProblem(ValueError):
    pass


@transaction.atomic
def report_publish(
    *, year: ReportingYear, acting_user, confirmed: bool = False
) -> ReportingYear:
    """Publishes the year's impact report at /impact/<year>/ and records who did it.
    While returns are not all approved it refuses (ConfirmationNeeded) until the team
    confirms what the public page will show; the confirmation is recorded with the
    event. Publishing again changes nothing. Called by the team's report page."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if year.issued_at is None and not year.returns.exists():
        raise ReportProblem(NOT_ISSUED)
    if year.report_published_at is not None:
        return year
    note = require_confirmation(publish_consequence(year=year), confirmed=confirmed)
    year.report_published_at = timezone.now()
    year.save(update_fields=["report_published_at"])
    YearEvent.objects.create(
        year=year,
        kind=events.REPORT_PUBLISHED,
        actor=acting_user,
        at=timezone.now(),
        comment=note,
    )
    return year


@transaction.atomic
def report_unpublish(
    *, year: ReportingYear, acting_user, reason: str = ""
) -> ReportingYear:
    """Takes the public report down (its address answers 404 again) and records who
    did it and why. Called by the team's report page."""
    year = ReportingYear.objects.select_for_update().get(pk=year.pk)
    if year.report_published_at is None:
        return year
    year.report_published_at = None
    year.save(update_fields=["report_published_at"])
    YearEvent.objects.create(
        year=year,
        kind=events.REPORT_UNPUBLISHED,
        actor=acting_user,
        at=timezone.now(),
        comment=reason,
    )
    return year
