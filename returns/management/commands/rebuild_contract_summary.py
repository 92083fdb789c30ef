from django.core.management.base import BaseCommand, CommandError

from returns.services.summary import summary_drift, summary_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the per-contract summary of figures from the lines, and its sums "
        "per supplier and member (or, with --check, only report where either "
        "differs from a rebuild)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail if the summary differs from a rebuild.",
        )

    def handle(self, *args, check: bool, **options):
        if check:
            drift = summary_drift()
            for first, second, member_id, kept, rebuilt in drift[:50]:
                if isinstance(first, str):  # a group row: (kind, group id, None, …)
                    where = f"{first} {second} to date"
                else:
                    where = (
                        f"contract {first} year {second or 'to date'} "
                        f"member {member_id or '-'}"
                    )
                self.stdout.write(f"{where}: kept {kept}, lines give {rebuilt}")
            if drift:
                raise CommandError(f"{len(drift)} summary row(s) drifted.")
            self.stdout.write("The summary matches the lines.")
            return
        written = summary_rebuild()
        self.stdout.write(f"Contract summary rebuilt: {written} row(s).")
