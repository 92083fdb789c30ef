from django.core.management.base import BaseCommand

from returns.services.upgrade import flags_refresh


class Command(BaseCommand):
    help = (
        "Work out again the soft checks, the double-counting flags and the "
        "big-change counts of every return still in play (not started, in "
        "progress, returned, awaiting review), keeping the explanations of flags "
        "that still apply: after a credit value or a year's threshold is corrected."
    )

    def handle(self, *args, **options):
        count = flags_refresh()
        self.stdout.write(f"Flags worked out again on {count:,} return(s).")
