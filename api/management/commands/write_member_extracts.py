from django.core.management.base import BaseCommand

from api.extracts import extracts_write


class Command(BaseCommand):
    help = "Writes this month's CSV extract for every member whose extract is on."

    def handle(self, *args, **options):
        written = extracts_write()
        self.stdout.write(f"Extracts written: {written}")
