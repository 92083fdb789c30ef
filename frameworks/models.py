"""Reference data the team imports: places, members, suppliers, frameworks, contracts.

Rows here are deactivated, never deleted: returns point at them with PROTECT.
"""

from django.db import models
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from core.fields import MoneyField, QuantityField

QUARTER_END = (
    models.Q(period_end__month=6, period_end__day=30)
    | models.Q(period_end__month=9, period_end__day=30)
    | models.Q(period_end__month=12, period_end__day=31)
    | models.Q(period_end__month=3, period_end__day=31)
)


class LocalAuthority(models.Model):
    """A UK local authority with its ONS (GSS) code; abolished ones are kept."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=120)
    official_name = models.CharField(max_length=200, blank=True)
    nation = models.CharField(max_length=40, blank=True)
    region = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=60, blank=True)
    is_current = models.BooleanField(default=True)
    ended_on = models.DateField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    class Kind(models.TextChoices):
        HOUSING_ASSOCIATION = "housing_association", "Housing association"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        EDUCATION = "education", "School or college"
        HEALTH = "health", "Health trust"
        OTHER = "other", "Other public body"

    reference = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    company_number = models.CharField(
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        help_text="Companies House number, upper-case; empty when there is none.",
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(company_number=""),
                name="supplier_company_number_not_blank",
            ),
            models.CheckConstraint(
                condition=models.Q(company_number=Upper("company_number")),
                name="supplier_company_number_upper",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Normalising the key, not business logic: '' must never reach the unique index.
        self.company_number = (self.company_number or "").strip().upper() or None
        super().save(*args, **kwargs)


class Framework(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="framework_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="lots"
    )
    number = models.CharField(
        max_length=10, help_text='As the framework names it: "1a".'
    )
    name = models.CharField(max_length=200)
    is_consultancy = models.BooleanField(
        default=False,
        help_text="Contracts on a consultancy lot qualify whatever their spend.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="lot_framework_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class Contract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled (never went ahead)"

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="contracts"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="contracts")
    value = MoneyField(default=0, help_text="Pounds excluding VAT.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text="Where the work happens; defaults to the member's authority.",
    )
    postcode = models.CharField(max_length=10, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="contract_value_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status"], name="contract_supplier_idx"),
            models.Index(fields=["member"], name="contract_member_idx"),
            models.Index(fields=["starts_on", "ends_on"], name="contract_dates_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class Valuation(models.Model):
    """Spend certified in one calendar quarter alone, pounds excluding VAT."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="valuations"
    )
    period_end = models.DateField(help_text="A calendar quarter end.")
    amount = MoneyField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_end"],
                name="valuation_contract_period_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="valuation_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=QUARTER_END, name="valuation_period_end_is_quarter_end"
            ),
        ]
        indexes = [models.Index(fields=["period_end"], name="valuation_period_idx")]

    def __str__(self) -> str:
        return (
            f"{self.contract.reference} to {self.period_end:%d %b %Y}: £{self.amount}"
        )


class DeliveryPlanItem(models.Model):
    """What the supplier committed to deliver over the whole contract, per measure."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="delivery_plan"
    )
    measure = models.ForeignKey(
        "returns.Measure", on_delete=models.PROTECT, related_name="plan_items"
    )
    committed_quantity = QuantityField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "measure"], name="plan_contract_measure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(committed_quantity__gte=0),
                name="plan_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.contract.reference} {self.measure.code}: {self.committed_quantity}"
        )


def import_upload_path(instance: "ImportRun", filename: str) -> str:
    # The stored name is random: the person's file name is kept in a field, never trusted.
    import uuid

    return f"imports/{uuid.uuid4().hex}"


class ImportRun(models.Model):
    """One uploaded file of reference data: its check, the team's confirmation, and
    what applying it did. The file lives in Django's storage, so the worker that
    checks or applies it may run on another machine."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked: waiting for confirmation"
        REFUSED = "refused", "Refused: problems found"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Not confirmed within a day: the file was removed"

    kind = models.CharField(max_length=30, blank=True)
    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=import_upload_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the management command.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="import_run_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            self.Status.CHECKED,
            self.Status.REFUSED,
            self.Status.APPLIED,
            self.Status.FAILED,
            self.Status.EXPIRED,
        )
