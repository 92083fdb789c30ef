from django.core.management.base import BaseCommand, CommandError

from returns.services.summary import summary_drift, summary_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the per-contract summary of figures from the lines (or, with "
        "--check, only report where it differs from a rebuild)."
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
            for contract_id, year_id, member_id, kept, rebuilt in drift[:50]:
                self.stdout.write(
                    f"contract {contract_id} year {year_id or 'to date'} "
                    f"member {member_id or '-'}: kept {kept}, lines give {rebuilt}"
                )
            if drift:
                raise CommandError(f"{len(drift)} summary row(s) drifted.")
            self.stdout.write("The summary matches the lines.")
            return
        written = summary_rebuild()
        self.stdout.write(f"Contract summary rebuilt: {written} row(s).")
