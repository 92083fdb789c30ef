from django.core.management.base import BaseCommand, CommandError

from returns.services import lines_recompute_credits


class Command(BaseCommand):
    help = "Check (or, with --fix, correct) every line's delivered credits against its entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if any line drifted."
        )
        parser.add_argument(
            "--fix", action="store_true", help="Write the computed credits."
        )

    def handle(self, *args, check: bool, fix: bool, **options):
        drift = lines_recompute_credits(fix=fix)
        for line_id, stored, computed in drift[:50]:
            self.stdout.write(
                f"line {line_id}: stored {stored}, entries give {computed}"
            )
        verb = "corrected" if fix else "drifted"
        self.stdout.write(f"{len(drift)} line(s) {verb}.")
        if check and drift and not fix:
            raise CommandError(
                f"{len(drift)} line(s) have delivered credits that drifted."
            )
