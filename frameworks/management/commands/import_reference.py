"""Check (and with --commit, apply) one import file from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.imports.runs import import_run_command


class Command(BaseCommand):
    help = (
        "Import an xlsx or CSV of one kind (members, suppliers, frameworks and lots, "
        "contracts, valuations, delivery plans, supplier contacts, past returns), "
        "recognised from its header row. Without --commit only checks it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Apply the file when it has no problems (default: check only).",
        )

    def handle(self, *args, file: Path, commit: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        with file.open("rb") as handle:
            run, report = import_run_command(file=handle, name=file.name, commit=commit)
        self.stdout.write(
            f"{file.name}: {report.label or 'not recognised'}, {report.rows} rows"
        )
        for label, counts in report.counts.items():
            self.stdout.write(
                f"  {label}: {counts['created']} to create, {counts['updated']} to update, "
                f"{counts['unchanged']} unchanged"
                if not report.applied
                else f"  {label}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        for title, items in report.lists.items():
            self.stdout.write(f"{title}: {len(items)}")
            for item in items[:50]:
                self.stdout.write(f"  {item}")
        for warning in report.warnings:
            self.stdout.write(f"Warning: {warning}")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"Problem: {error}")
            if report.error_count > len(report.errors):
                self.stderr.write(
                    f"… and {report.error_count - len(report.errors)} more"
                )
            raise CommandError(f"Nothing imported: {report.error_count} problem(s).")
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported (run {run.pk})."))
        else:
            self.stdout.write(
                "Checked; nothing written. Run again with --commit to import."
            )
