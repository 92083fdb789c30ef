"""Demo step: publish the impact report of the latest past year with approved returns,
so `/impact/<year>/` shows real figures. Does nothing until the demo has approved
returns (the issuing and review steps add them); idempotent: a published year stays
as it is."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from accounts.models import User
from demo.consortium import DemoBuild
from returns import events
from returns.models import AnnualReturn, ReportingYear, YearEvent

LONDON = ZoneInfo("Europe/London")


def build_published_report(build: DemoBuild) -> None:
    year = (
        ReportingYear.objects.filter(
            ends_on__lt=build.today, returns__status=AnnualReturn.Status.APPROVED
        )
        .order_by("-starts_on")
        .first()
    )
    if year is None or year.report_published_at is not None:
        return
    published_at = datetime.datetime.combine(
        min(build.today, year.deadline + datetime.timedelta(days=60)),
        datetime.time(10, 0),
        tzinfo=LONDON,
    )
    ReportingYear.objects.filter(pk=year.pk).update(report_published_at=published_at)
    YearEvent.objects.create(
        year=year,
        kind=events.REPORT_PUBLISHED,
        actor=User.objects.filter(email="team@example.org").first(),
        at=published_at,
    )
    build.log(f"published the {year.label} impact report")
