"""Every email the portal sends reads right when names hold `&`, `<` and `'`.

Subject templates are auto-escaped like HTML: reminders and invitations to a supplier
with `&` in its name went out as "Smith &amp; Sons". Every template in
`templates/emails/` is rendered here through the service that sends it, and each
subject and plain-text body is checked for entities and for numbers that read wrong
(the crawl's rules, `tests.crawl.number_problems`). A new email template fails
`test_every_email_template_is_checked` until it is sent here too.
"""

import datetime
import pathlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test.signals import template_rendered

from accounts.services.invitations import invitation_create
from returns.models import Notification
from returns.services.notifications import notifications_send
from returns.services.notifications.ledger import notification_queue_to_address
from support.models import SupportRequest
from support.services import help_request_raise
from tests import factories
from tests.crawl import number_problems

pytestmark = pytest.mark.django_db

HOSTILE = "O'Neil & <Sons>"
EMAIL_TEMPLATES = pathlib.Path(settings.BASE_DIR) / "templates" / "emails"


@pytest.fixture
def world():
    supplier = factories.SupplierFactory(name=f"Smith {HOSTILE} Ltd")
    member = factories.MemberFactory(name="St Anne's & <All> Homes")
    person = factories.SupplierContactFactory(
        supplier=supplier,
        is_primary=True,
        user=factories.UserFactory(full_name=f"Zoë {HOSTILE}"),
    ).user
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier,
        submitted_at=datetime.datetime(2025, 6, 2, 9, 30, tzinfo=datetime.UTC),
        declared_by_name=f"Zoë {HOSTILE}",
    )
    line = factories.ReturnLineFactory(
        annual_return=annual_return,
        member=member,
        contract=factories.ContractFactory(
            supplier=supplier, member=member, title=f"Roofs {HOSTILE}"
        ),
        spend=Decimal("1234567.89"),
        target_credits=Decimal("123.46"),
    )
    query = factories.LineQueryFactory(
        line=line, raised_by=person, text=f"Is it {HOSTILE}?", answer="Yes & no"
    )
    # A supplier's request, answered by the team (support app)
    support_request = SupportRequest.objects.create(
        kind=SupportRequest.Kind.MISSING_CONTRACT,
        annual_return=annual_return,
        raised_by=person,
        member=member,
        contract_reference="C-9",
        contract_title=f"Doors {HOSTILE}",
        spend=Decimal("1234567.89"),
        message=f"Missing {HOSTILE}",
        status=SupportRequest.Status.GRANTED,
        answer=f"Added {HOSTILE}",
        added_line=line,
    )
    return {
        "supplier": supplier,
        "member": member,
        "person": person,
        "annual_return": annual_return,
        "query": query,
        "line": line,
        "support_request": support_request,
    }


def _send_every_email(world, django_capture_on_commit_callbacks) -> set[str]:
    rendered: set[str] = set()

    def record(sender, template, context, **kwargs):
        if template.name and template.name.startswith("emails/"):
            rendered.add(template.name.removeprefix("emails/"))

    template_rendered.connect(record)
    try:
        rows = [
            Notification.objects.create(
                recipient=world["person"],
                annual_return=world["annual_return"],
                kind=kind,
                key={
                    "query_answered": f"query:{world['query'].pk}",
                    "support_decided": f"support:{world['support_request'].pk}",
                }.get(kind, ""),
            )
            for kind in Notification.Kind.values
            if kind
            not in (
                Notification.Kind.INVITATION,
                Notification.Kind.CONTACTS_CHANGED,
                Notification.Kind.SUPPORT_RAISED,
            )
        ]
        # A supplier's request goes to the team's address, with what was asked
        # (support.services), here a call back about the contract with the names.
        with django_capture_on_commit_callbacks(execute=True):
            help_request_raise(
                annual_return=world["annual_return"],
                line=world["line"],
                acting_user=world["person"],
                message=f"Help {HOSTILE}",
                call_me=True,
                phone="01632 960 001",
            )
        # The team's email when a supplier changes its contacts goes to the team's
        # address, with what changed (accounts.services.colleagues._tell_team).
        team_email = notification_queue_to_address(
            address="team@example.org",
            kind=Notification.Kind.CONTACTS_CHANGED,
            key="hostile",
            payload={
                "supplier_name": world["supplier"].name,
                "supplier_reference": world["supplier"].reference,
                "actor_name": world["person"].full_name,
                "actor_email": world["person"].email,
                "what": f"invited Newt {HOSTILE} as a colleague",
            },
            send=False,
        )
        notifications_send(notification_ids=[row.pk for row in rows] + [team_email])
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(
                email="new.colleague@example.com",
                full_name=f"Newt {HOSTILE}",
                supplier=world["supplier"],
                invited_by=factories.TeamUserFactory(full_name=f"Tam {HOSTILE}"),
            )
            invitation_create(
                email="viewer@example.com",
                member=world["member"],
                invited_by=None,
            )
    finally:
        template_rendered.disconnect(record)
    return rendered


def test_names_with_ampersands_and_brackets_read_as_written(
    world, django_capture_on_commit_callbacks
):
    _send_every_email(world, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == len(Notification.Kind.values) + 1
    problems = []
    for message in mail.outbox:
        for part, text in (("subject", message.subject), ("body", message.body)):
            for what in number_problems(text):
                problems.append(f"{message.subject!r} {part}: {what}")
    assert problems == []
    subjects = " | ".join(message.subject for message in mail.outbox)
    assert f"Smith {HOSTILE} Ltd" in subjects  # the reminder names the supplier
    bodies = "\n".join(message.body for message in mail.outbox)
    assert f"Roofs {HOSTILE}" in bodies
    assert "£1,234,567.89" in bodies  # the issued email's spend
    assert "St Anne's & <All> Homes" in bodies  # the member's invitation
    assert f"Added {HOSTILE}" in bodies  # the team's decision on a request
    assert f"Help {HOSTILE}" in bodies  # the request, to the team
    assert "£1,234,567.89, target 123.46 credits" in bodies  # the line it added


def test_every_email_template_is_checked(world, django_capture_on_commit_callbacks):
    rendered = _send_every_email(world, django_capture_on_commit_callbacks)
    templates = {path.name for path in EMAIL_TEMPLATES.iterdir()}
    assert templates - rendered == set()
