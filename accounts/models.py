"""People and the organisations they belong to.

A person signs in with their email. What they may see comes from their links: a
`SupplierContact` for each supplier they report for, a `MemberViewer` for each member
whose delivery they follow, and the `Social value team` / `Portal administrators` groups.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords

TEAM_GROUP = "Social value team"
ADMIN_GROUP = "Portal administrators"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the Django admin."
    )
    is_active = models.BooleanField(
        default=True, help_text="Deactivate instead of deleting."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    session_stamp = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="Changed when two-factor is turned on or off: ends other sessions.",
    )

    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "session_stamp"]
    )
    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        """Django keeps this hash in each session and ends a session whose hash no
        longer matches: by default an HMAC of the password hash, so a new password
        ends every other session. The stamp adds two-factor: turning it on or off
        changes the stamp (`accounts.services.sessions`). An empty stamp gives
        Django's own hash, so sessions from before the stamp stay valid. Overrides
        the private method because both the current and the SECRET_KEY_FALLBACKS
        hashes are computed through it."""
        value = self.password
        if self.session_stamp:
            value = f"{value}:{self.session_stamp}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SupplierContact(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="supplier_contacts"
    )
    supplier = models.ForeignKey(
        "frameworks.Supplier", on_delete=models.PROTECT, related_name="contacts"
    )
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "supplier"], name="supplier_contact_unique"
            ),
            models.UniqueConstraint(
                fields=["supplier"],
                condition=models.Q(is_primary=True, is_active=True),
                name="supplier_one_primary_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.supplier}"


class MemberViewer(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="member_viewers"
    )
    member = models.ForeignKey(
        "frameworks.Member", on_delete=models.PROTECT, related_name="viewers"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "member"], name="member_viewer_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} viewing {self.member}"


class Invitation(models.Model):
    """A link to set a password once. Only the token's hash is stored.

    `user` is the person the invitation is for: an account is made for a new
    address when the invitation is created (without a usable password), so the
    email ledger has someone to record. The link to the organisation
    (`SupplierContact` or `MemberViewer`) is made when the invitation is accepted.
    Each send makes a new token (the last link sent is the only one that works) and
    a new expiry; `send_key` names the ledger row of that send.
    """

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)
    supplier = models.ForeignKey(
        "frameworks.Supplier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    member = models.ForeignKey(
        "frameworks.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    send_key = models.CharField(max_length=64, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(supplier__isnull=False, member__isnull=True)
                    | models.Q(supplier__isnull=True, member__isnull=False)
                ),
                name="invitation_one_organisation",
            ),
            # One open invitation per person and organisation: a resend refreshes it.
            models.UniqueConstraint(
                Lower("email"),
                "supplier",
                condition=models.Q(
                    accepted_at__isnull=True,
                    withdrawn_at__isnull=True,
                    supplier__isnull=False,
                ),
                name="invitation_open_per_supplier",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "member",
                condition=models.Q(
                    accepted_at__isnull=True,
                    withdrawn_at__isnull=True,
                    member__isnull=False,
                ),
                name="invitation_open_per_member",
            ),
        ]
        indexes = [models.Index(Lower("email"), name="invitation_email_idx")]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def organisation(self):
        return self.supplier or self.member

    @property
    def is_open(self) -> bool:
        """Neither accepted nor withdrawn (it may still have expired)."""
        return self.accepted_at is None and self.withdrawn_at is None

    def has_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= now

    @property
    def status(self) -> str:
        """What the team's pages show: one of the `STATUS_*` words."""
        if self.accepted_at:
            return "accepted"
        if self.withdrawn_at:
            return "withdrawn"
        if self.sent_at is None:
            return "not sent"
        if self.has_expired():
            return "expired"
        return "sent"
