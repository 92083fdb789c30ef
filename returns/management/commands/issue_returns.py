from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from returns.models import ReportingYear
from returns.services import returns_issue, years_issue_due


class Command(BaseCommand):
    help = (
        "Issue a reporting year's returns (a dry run unless --commit), or with --due "
        "do what the daily job does: issue every ready year whose issue date has come."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", help='The reporting year, as "2024/25".')
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Issue for real (the year must be marked ready). Without it: a dry run.",
        )
        parser.add_argument(
            "--due", action="store_true", help="Issue every year that is due today."
        )

    def handle(self, *args, year: str | None, commit: bool, due: bool, **options):
        if due:
            runs = years_issue_due()
            for run in runs:
                self._report(run)
            self.stdout.write(f"{len(runs)} year(s) issued.")
            return
        if not year:
            raise CommandError('Give --year "2024/25" (or --due).')
        reporting_year = ReportingYear.objects.filter(
            label=year.replace("-", "/")
        ).first()
        if reporting_year is None:
            raise CommandError(f"No reporting year {year} has been opened.")
        try:
            run = returns_issue(year=reporting_year, dry_run=not commit)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self._report(run)
        if not commit:
            self.stdout.write("Dry run: nothing was issued. Add --commit to issue.")

    def _report(self, run):
        s = run.summary
        kind = "Dry run" if run.dry_run else "Issued"
        self.stdout.write(
            f"{kind} {s['year']}: {s['returns']} returns, {s['lines']} lines, "
            f"spend £{s['total_spend']}, target {s['total_target']} credits; "
            f"new returns {s['new_returns']}, new lines {s['new_lines']}, "
            f"lines refreshed {s['lines_refreshed']}, "
            f"no longer qualifying {len(s['no_longer_qualifying'])}, "
            f"changes on submitted or approved returns {len(s['locked_changes'])}."
        )
        for name, count in s["warnings"].items():
            if count:
                self.stdout.write(f"Warning: {name.replace('_', ' ')}: {count}")
