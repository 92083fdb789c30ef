"""Help for suppliers: the team's contact details, and the requests a supplier makes
of the team (help, more time, reopening a return, a missing contract), each decided
by the team with a reason."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core import limits
from core.fields import MoneyField

USER = settings.AUTH_USER_MODEL

MESSAGE_MAX_LENGTH = limits.MESSAGE  # a question, a reason, the team's answer
PHONE_MAX_LENGTH = 40


class TeamContact(models.Model):
    """How suppliers reach the social value team: shown in every page's footer and
    on the help page. One row (`key` is always "team"), kept by an administrator in
    the admin; until it exists the pages show the team's address from settings."""

    key = models.CharField(max_length=10, default="team", editable=False)
    name = models.CharField(max_length=200, default="Social value team")
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When the phone is answered, like “Monday to Friday, 9am to 5pm”.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "team contact details"
        verbose_name_plural = "team contact details"
        constraints = [
            models.UniqueConstraint(fields=["key"], name="team_contact_one_row"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class SupportRequest(models.Model):
    """Something a supplier's contact asks of the team about one of their returns
    (and, for help, perhaps one contract on it). The team answers help, and grants
    or refuses the others, always with words the supplier sees."""

    class Kind(models.TextChoices):
        HELP = "help", "Help"
        EXTENSION = "extension", "More time"
        REOPEN = "reopen", "Reopen the return"
        MISSING_CONTRACT = "missing_contract", "A missing contract"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the team"
        ANSWERED = "answered", "Answered"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    annual_return = models.ForeignKey(
        "returns.AnnualReturn", on_delete=models.PROTECT, related_name="requests"
    )
    line = models.ForeignKey(
        "returns.ReturnLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    call_me = models.BooleanField(default=False)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    # More time:
    requested_deadline = models.DateField(null=True, blank=True)
    # A missing contract, as the supplier describes it:
    member = models.ForeignKey(
        "frameworks.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contract_reference = models.CharField(max_length=100, blank=True)
    contract_title = models.CharField(max_length=300, blank=True)
    spend = MoneyField(null=True, blank=True)
    # The team's side:
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(blank=True, max_length=MESSAGE_MAX_LENGTH)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    granted_deadline = models.DateField(null=True, blank=True)
    added_line = models.ForeignKey(
        "returns.ReturnLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["status", "raised_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spend__isnull=True) | models.Q(spend__gte=0),
                name="support_request_spend_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.annual_return_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def title(self) -> str:
        """What the request is, in the words both sides' pages use."""
        return {
            self.Kind.HELP: "Help",
            self.Kind.EXTENSION: "More time to submit",
            self.Kind.REOPEN: "Reopen the return to correct it",
            self.Kind.MISSING_CONTRACT: "A contract missing from the return",
        }[self.kind]
