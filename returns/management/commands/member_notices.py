from django.core.management.base import BaseCommand

from returns.services.notifications.members import member_notices_send


class Command(BaseCommand):
    help = (
        "Tell member viewers of approved returns on their contracts and contracts at "
        "risk (the weekly job does this on Mondays at 07:15 London). Safe to run "
        "again: nothing is sent twice, and nobody gets the approvals email more than "
        "once a week."
    )

    def handle(self, *args, **options):
        result = member_notices_send()
        self.stdout.write(
            f"{result['emails']} email(s) sent ({result['queued']} item(s) queued)."
        )
