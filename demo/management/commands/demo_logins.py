"""`manage.py demo_logins`: the demo sign-ins, for `make run` to show."""

from django.core.management.base import BaseCommand

from accounts.models import User
from demo.load import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo sign-ins (email, role, password)."

    def handle(self, *args, **options):
        loaded = set(
            User.objects.filter(
                email__in=[login.email for login in DEMO_LOGINS], is_active=True
            ).values_list("email", flat=True)
        )
        rows = [("Email", "Role", "Password")] + [
            (
                login.email,
                login.role,
                DEMO_PASSWORD if login.email in loaded else "(not loaded: load_demo)",
            )
            for login in DEMO_LOGINS
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write("Demo sign-ins:")
        for position, row in enumerate(rows):
            line = "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
            self.stdout.write("  " + line.rstrip())
            if position == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
