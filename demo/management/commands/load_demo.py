"""`manage.py load_demo`: build the demo consortium (see demo/__init__.py)."""

import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.load import load_demo


def _scale(text: str) -> int:
    try:
        scale = int(text)
    except ValueError as error:
        raise CommandError(f"--scale must be a whole number, not {text!r}") from error
    if scale < 1:
        raise CommandError("--scale must be 1 or more")
    return scale


def _years(text: str) -> int:
    try:
        years = int(text)
    except ValueError as error:
        raise CommandError(f"--years must be a whole number, not {text!r}") from error
    if years < 2:
        raise CommandError("--years must be 2 or more")
    return years


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--today must be a date as YYYY-MM-DD, not {text!r}"
        ) from error


class Command(BaseCommand):
    help = (
        "Load demo members, suppliers, people, frameworks, contracts, valuations and "
        "delivery plans, dated relative to --today. Safe to run again: it only adds "
        "what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="Place everything relative to this day (default: today in London).",
        )
        parser.add_argument(
            "--scale",
            type=_scale,
            default=1,
            help="Multiply members, suppliers and contracts (1: about 600 contracts).",
        )
        parser.add_argument(
            "--years",
            type=_years,
            default=3,
            help="Reporting years issued before today's (the latest in season).",
        )

    def handle(
        self, *args, today: datetime.date | None, scale: int, years: int, **options
    ):
        # Every demo login shares a published password: never in production.
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Refusing to load demo data with PORTAL_PRODUCTION=true."
            )
        today = today or timezone.localdate()
        verbose = options["verbosity"] > 1
        started = time.perf_counter()
        counts = load_demo(
            today=today,
            scale=scale,
            years=years,
            stdout=self.stdout if verbose else None,
        )
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count:,} {label}" for label, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data for {today:%d %B %Y} (scale {scale}, {years} years) in {elapsed:.1f}s: "
                f"{summary.replace('_', ' ')}."
            )
        )
