"""API tokens, their uses, and members' scheduled extracts.

A token is a person's, for one of their organisations (the team, a member they view,
a supplier they report for): it reads what that person reads on that organisation's
pages, and stops working when the person loses that link. Only a SHA-256 hash of the
secret is stored; the secret itself is shown once, when it is created.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        TEAM = "team", "Social value team"
        MEMBER = "member", "Member"
        SUPPLIER = "supplier", "Supplier"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    member = models.ForeignKey(
        "frameworks.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    supplier = models.ForeignKey(
        "frameworks.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
    )
    name = models.CharField(max_length=100)  # api.services.NAME_MAX_LENGTH
    # The first characters of the secret, so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="api_token_scope_organisation",
                condition=(
                    Q(scope="team", member__isnull=True, supplier__isnull=True)
                    | Q(scope="member", member__isnull=False, supplier__isnull=True)
                    | Q(scope="supplier", member__isnull=True, supplier__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="api_token_expires_after_created",
                condition=Q(expires_at__gt=models.F("created_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def organisation_name(self) -> str:
        if self.scope == self.Scope.MEMBER:
            return self.member.name
        if self.scope == self.Scope.SUPPLIER:
            return self.supplier.name
        return "Social value team"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ApiTokenUse(models.Model):
    """One request made with a token: when, what, and how it was answered."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["token", "-at"], name="api_use_token_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} at {self.at:%Y-%m-%d %H:%M}"


class ScheduledExtract(models.Model):
    """The team's decision that a member gets a monthly CSV of its contract figures
    in the file storage."""

    member = models.OneToOneField(
        "frameworks.Member", on_delete=models.PROTECT, related_name="extract"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # Who turned it on or off, and when (the team's history page reads it).
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Monthly extract for {self.member}"


class ExtractFile(models.Model):
    """One month's extract of one member: unique, so a second run of the month's job
    writes nothing."""

    extract = models.ForeignKey(
        ScheduledExtract, on_delete=models.PROTECT, related_name="files"
    )
    month = models.DateField(help_text="The first day of the month it was made for.")
    file = models.FileField(upload_to="extracts/", max_length=300)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["extract", "month"], name="extract_file_one_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.extract.member} {self.month:%Y-%m}"
