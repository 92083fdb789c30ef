import datetime

from django.core.management.base import BaseCommand

from returns.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send today's automatic reminders (the daily job does this at 06:30 London). "
        "Safe to run again: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Run as if it were this day (YYYY-MM-DD).",
        )

    def handle(self, *args, today=None, **options):
        result = reminders_send(today=today)
        self.stdout.write(
            f"{result['emails']} email(s) sent, reminding {result['returns']} return(s)."
        )
