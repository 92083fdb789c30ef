"""Reporting years, the measure catalogue, returns, their lines and everything on them.

A return is `AnnualReturn`: `return` is a Python keyword, so nothing is called that.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core import limits
from core.fields import CreditsField, MoneyField, QuantityField, RateField

REASON_MAX_LENGTH = 4000  # a line's reasons and recovery plan, every way in

USER = settings.AUTH_USER_MODEL


def _default_reminder_offsets() -> list[int]:
    return [-14, -7, -1, 1, 7, 14, 28]


class ReportingYear(models.Model):
    """A financial year, 1 April to 31 March, labelled "2024/25" ("2024-25" in URLs)."""

    label = models.CharField(max_length=7, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    credits_per_100k = models.DecimalField(max_digits=8, decimal_places=2, default=10)
    spend_threshold = MoneyField(default=100000)
    issue_on = models.DateField()
    deadline = models.DateField(help_text="The end of this day, London time.")
    reminder_offsets = models.JSONField(
        default=_default_reminder_offsets,
        blank=True,
        help_text="Whole days from the deadline: negative before, positive after.",
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    report_published_at = models.DateTimeField(null=True, blank=True)
    # The soft checks' thresholds (issue 23), frozen at issue like the rate: a line's
    # figure is flagged when more than `flag_ratio` times last year's (or less than
    # its 1/flag_ratio), last year's being above `flag_floor`; its delivered credits
    # when more than `flag_target_ratio` times its target. The £ of spend per person
    # are per measure, on YearMeasure.
    flag_ratio = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=3,
        help_text="A figure more than this many times last year's, or less than "
        "its reciprocal, is flagged.",
    )
    flag_floor = QuantityField(
        default=5,
        help_text="Last year's figure must be above this for the last-year check "
        "to apply (so 0 → 1 is never flagged).",
    )
    flag_target_ratio = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=3,
        help_text="Delivered credits more than this many times the target are flagged.",
    )
    # Double counting (issue 23): the same non-zero people figure of one measure on
    # this many of a supplier's contracts in the year or more is flagged.
    flag_same_people_contracts = models.PositiveSmallIntegerField(
        default=3,
        help_text="The same non-zero people figure on this many of a supplier's "
        "contracts or more is flagged as possible double counting.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="year_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(issue_on__gt=models.F("ends_on")),
                name="year_issued_after_end",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("issue_on")),
                name="year_deadline_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(credits_per_100k__gte=0),
                name="year_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(spend_threshold__gte=0),
                name="year_threshold_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(flag_ratio__gt=1),
                name="year_flag_ratio_above_one",
            ),
            models.CheckConstraint(
                condition=models.Q(flag_floor__gte=0),
                name="year_flag_floor_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(flag_target_ratio__gt=0),
                name="year_flag_target_ratio_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(flag_same_people_contracts__gte=2),
                name="year_flag_same_people_at_least_two",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def slug(self) -> str:
        return self.label.replace("/", "-")


class Measure(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=300)
    theme = models.CharField(max_length=40)
    unit = models.CharField(max_length=40)
    decimal_places = models.PositiveSmallIntegerField(default=0)
    guidance = models.TextField(blank=True)
    default_credits_per_unit = RateField(default=0)
    default_spend_per_unit = MoneyField(
        null=True,
        blank=True,
        help_text="For a measure counting people: the £ of spend one person needs "
        "at least; more people than spend ÷ this is flagged. Empty: no check.",
    )
    part_of = models.JSONField(
        default=list,
        blank=True,
        help_text="Codes of the measures this one is a subset of (EMP-BAR: EMP-FT, EMP-PT).",
    )
    outcome = models.CharField(max_length=80, blank=True, help_text="PPN 002 outcome.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decimal_places__lte=2),
                name="measure_decimal_places_at_most_2",
            ),
            models.CheckConstraint(
                condition=models.Q(default_credits_per_unit__gte=0),
                name="measure_default_credits_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class YearMeasure(models.Model):
    """The catalogue as it stands for one year; frozen when the year is issued."""

    year = models.ForeignKey(
        ReportingYear, on_delete=models.PROTECT, related_name="year_measures"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="year_measures"
    )
    credits_per_unit = RateField()
    proxy_value = MoneyField(
        null=True,
        blank=True,
        help_text="£ of social value per unit, if the team holds a licensed proxy.",
    )
    spend_per_unit = MoneyField(
        null=True,
        blank=True,
        help_text="For a measure counting people: more people than the line's "
        "spend ÷ this is flagged as implausible. Empty: no check.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure__position", "measure__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "measure"], name="year_measure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(credits_per_unit__gte=0),
                name="year_measure_credits_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(proxy_value__gte=0)
                | models.Q(proxy_value__isnull=True),
                name="year_measure_proxy_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(spend_per_unit__gt=0)
                | models.Q(spend_per_unit__isnull=True),
                name="year_measure_spend_per_unit_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.measure.code}"


class IssueRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    year = models.ForeignKey(
        ReportingYear, on_delete=models.PROTECT, related_name="issue_runs"
    )
    started_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the daily job.",
    )
    dry_run = models.BooleanField(default=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        kind = "Dry run" if self.dry_run else "Issue"
        return f"{kind} of {self.year} at {self.started_at:%Y-%m-%d %H:%M}"


class AnnualReturn(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "With supplier for amendment"
        APPROVED = "approved", "Approved"
        NOT_REQUIRED = "not_required", "Not required"

    class Source(models.TextChoices):
        ISSUED = "issued", "Issued through the portal"
        IMPORTED = "imported", "Imported from a past spreadsheet"

    EDITABLE = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED, Status.SUBMITTED)

    reference = models.CharField(max_length=30, unique=True)
    supplier = models.ForeignKey(
        "frameworks.Supplier", on_delete=models.PROTECT, related_name="returns"
    )
    year = models.ForeignKey(
        ReportingYear, on_delete=models.PROTECT, related_name="returns"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_before_not_required = models.CharField(
        max_length=20, choices=Status.choices, blank=True
    )
    source = models.CharField(
        max_length=20, choices=Source.choices, default=Source.ISSUED
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    extended_deadline = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True, max_length=limits.NOTE)
    not_required_reason = models.TextField(blank=True, max_length=limits.NOTE)
    returned_reason = models.TextField(
        blank=True,
        max_length=limits.MESSAGE,
        help_text="Why the team sent it back; shown to the supplier.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declared_by_name = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The team member who entered it for the supplier.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Figures changed by 50% and 5 units or more against last year or the delivery
    # plan, counted at the latest submission (`figures.big_change_count`): the
    # review queue ranks by it without comparing every line of every return.
    big_changes = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "supplier__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "year"], name="return_supplier_year_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="return_year_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def effective_deadline(self):
        return self.extended_deadline or self.year.deadline

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ReturnLine(models.Model):
    """One qualifying contract on a return. Spend, target, member, lot and place are
    copied at issue, so a past year never moves when a contract is re-assigned."""

    # No index of its own: the unique (annual_return, contract) index serves it. Each
    # index is written for every line issued (44,000 lines at --scale 170).
    annual_return = models.ForeignKey(
        AnnualReturn, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    contract = models.ForeignKey(
        "frameworks.Contract", on_delete=models.PROTECT, related_name="return_lines"
    )
    member = models.ForeignKey(
        "frameworks.Member", on_delete=models.PROTECT, related_name="return_lines"
    )
    lot = models.ForeignKey(
        "frameworks.Lot", on_delete=models.PROTECT, related_name="return_lines"
    )
    local_authority = models.ForeignKey(
        "frameworks.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_lines",
    )
    spend = MoneyField(default=0)
    target_credits = CreditsField(default=0)
    delivered_credits = CreditsField(
        default=0, help_text="Written only by the service that writes entries."
    )
    # Every way in (the line page, the spreadsheet, the past-returns import) refuses
    # more than REASON_MAX_LENGTH characters, through `line_rules.line_check`.
    nothing_delivered_reason = models.TextField(
        blank=True, max_length=REASON_MAX_LENGTH
    )
    shortfall_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    recovery_plan = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    recovery_by = models.DateField(null=True, blank=True)
    excluded_reason = models.TextField(blank=True, max_length=limits.MESSAGE)
    excluded_by = models.ForeignKey(  # rarely set, never looked up by
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    excluded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(  # never looked up by
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["annual_return", "contract__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["annual_return", "contract"], name="line_return_contract_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(spend__gte=0), name="line_spend_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(target_credits__gte=0),
                name="line_target_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(delivered_credits__gte=0),
                name="line_delivered_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annual_return.reference} / {self.contract.reference}"

    @property
    def is_excluded(self) -> bool:
        return bool(self.excluded_at)


class ReturnEntry(models.Model):
    line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="entries"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="entries"
    )
    quantity = QuantityField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "measure"], name="entry_line_measure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="entry_quantity_not_negative"
            ),
        ]
        verbose_name_plural = "return entries"

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.quantity}"


class LineQuery(models.Model):
    line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="queries"
    )
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # The supplier's text (at most limits.MESSAGE) after the reason's own words.
    text = models.TextField(max_length=limits.MESSAGE + 100)
    raised_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True, max_length=limits.MESSAGE)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at"]
        verbose_name_plural = "line queries"
        indexes = [models.Index(fields=["answered_at"], name="query_open_idx")]

    def __str__(self) -> str:
        return f"Query on {self.line}"


class LineFlag(models.Model):
    """A soft check or a double-counting flag on a line (issue 23), kept while it
    applies, with the supplier's explanation and the team's check.

    Written only by `returns.services.flags` (soft checks, with every save of a
    line's figures) and the double-counting detection; a flag that no longer applies
    is deleted, one that still applies keeps its explanation and check. Every flag
    on a return needs an explanation before the return can be submitted."""

    class Code(models.TextChoices):
        ABOVE_LAST_YEAR = "above_last_year", "Far above last year"
        BELOW_LAST_YEAR = "below_last_year", "Far below last year"
        ABOVE_TARGET = "above_target", "Far above the target"
        ABOVE_PLAN = "above_plan", "Above the delivery plan"
        IMPLAUSIBLE_FOR_SPEND = "implausible_for_spend", "Implausible for the spend"
        SAME_FIGURE_EVERYWHERE = (
            "same_figure_everywhere",
            "The same figure in every measure",
        )
        SAME_FILE = "same_file", "The same file on another contract"
        SAME_STORY = "same_story", "The same case study on another line"
        SAME_PEOPLE = "same_people", "The same people counts on many contracts"

    SOFT_CHECKS = (
        Code.ABOVE_LAST_YEAR,
        Code.BELOW_LAST_YEAR,
        Code.ABOVE_TARGET,
        Code.ABOVE_PLAN,
        Code.IMPLAUSIBLE_FOR_SPEND,
        Code.SAME_FIGURE_EVERYWHERE,
    )
    DOUBLE_COUNTING = (Code.SAME_FILE, Code.SAME_STORY, Code.SAME_PEOPLE)

    line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="flags")
    code = models.CharField(max_length=30, choices=Code.choices)
    # A code, not a key to Measure: "" for line-wide flags keeps the unique key
    # simple (a NULL would never collide).
    measure_code = models.CharField(max_length=20, blank=True, default="")
    message = models.TextField(help_text="The words shown, naming the figures.")
    other_lines = models.JSONField(
        default=list, blank=True, help_text="Ids of the other lines it names."
    )
    raised_at = models.DateTimeField(default=timezone.now)
    explanation = models.TextField(
        blank=True,
        max_length=limits.NOTE,
        error_messages={"max_length": limits.too_long("The explanation", limits.NOTE)},
    )
    explained_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    check_note = models.TextField(blank=True, max_length=limits.NOTE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["line_id", "code", "measure_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "code", "measure_code"], name="line_flag_unique"
            ),
        ]

    def __str__(self) -> str:
        where = f" {self.measure_code}" if self.measure_code else ""
        return f"{self.get_code_display()}{where} on line {self.line_id}"

    @property
    def is_explained(self) -> bool:
        return bool(self.explanation.strip())

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is random: the original name is kept in a field, never trusted.
    import uuid

    return f"evidence/{instance.line.annual_return.reference}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # The SHA-256 of the file's bytes (hex), computed on upload: the same file on
    # lines of different contracts is flagged as possible double counting (issue
    # 23). Kept after erasure (it identifies no one); "" for a file never read.
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The team's decision that the member may see this file's title (never the file:
    # evidence can hold personal data the member has no need of).
    member_approved_at = models.DateTimeField(null=True, blank=True)
    member_approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


class CaseStudy(models.Model):
    class Consent(models.TextChoices):
        NONE_IDENTIFIABLE = "none_identifiable", "Nobody can be identified from it"
        WRITTEN_CONSENT_HELD = (
            "written_consent_held",
            "Someone can be identified, and we hold their written consent",
        )

    class Publication(models.TextChoices):
        PRIVATE = "private", "Not for publication"
        REQUESTED = "requested", "Publication requested"
        APPROVED = "approved", "Approved for publication"

    line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="case_studies"
    )
    title = models.CharField(
        max_length=limits.TITLE,
        error_messages={"max_length": limits.too_long("The title", limits.TITLE)},
    )
    story = models.TextField(
        max_length=limits.STORY,
        error_messages={"max_length": limits.too_long("The story", limits.STORY)},
    )
    people_benefited = models.PositiveIntegerField(default=0)
    consent = models.CharField(
        max_length=30, choices=Consent.choices, default=Consent.NONE_IDENTIFIABLE
    )
    share_with_member = models.BooleanField(default=False)
    publication = models.CharField(
        max_length=20, choices=Publication.choices, default=Publication.PRIVATE
    )
    public_title = models.CharField(max_length=200, blank=True)
    public_story = models.TextField(blank=True, max_length=limits.STORY)
    approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    # Stories can identify people and must be erasable: their text is kept out of history.
    history = HistoricalRecords(
        excluded_fields=["title", "story", "public_title", "public_story"]
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """The email ledger: one row per (person, return, kind, key) is one email that
    must arrive. A row moves `queued → sending → sent`, claimed one email at a time and
    marked `sent` only after the mail server accepted it; a row left `sending` past
    NOTIFICATION_SENDING_TIMEOUT (its worker died) is sent again, so a crash repeats
    at most the email in flight and never loses one. A failed send is `failed` with
    `next_attempt_at` set while it will be retried, and without it once it failed for
    good (shown to the team). A reminder's key is "deadline:offset", so an extension
    starts anew. Email to an address that is nobody's login (the team's) has no
    recipient and names the address instead."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Return issued"
        REMINDER = "reminder", "Reminder"
        RECEIPT = "receipt", "Receipt"
        RETURNED = "returned", "Sent back for amendment"
        APPROVED = "approved", "Approved"
        INVITATION = "invitation", "Invitation"
        QUERY_ANSWERED = "query_answered", "Query answered"
        CONTACTS_CHANGED = "contacts_changed", "A supplier changed its contacts"
        MEMBER_APPROVED = "member_approved", "Returns approved on a member's contracts"
        MEMBER_AT_RISK = "member_at_risk", "A member's contract became at risk"
        # support app: a supplier's request, to the team's address; the team's
        # answer or decision, to the supplier's contacts
        SUPPORT_RAISED = "support_raised", "A supplier asked the team"
        SUPPORT_DECIDED = "support_decided", "The team answered a request"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    annual_return = models.ForeignKey(
        AnnualReturn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, default="", blank=True)
    address = models.EmailField(
        max_length=254,
        blank=True,
        help_text="Where the email goes: the recipient's address when last tried, "
        "or, without a recipient, the address it is for.",
    )
    payload = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the email says, for kinds fixed when queued (a supplier's "
        "change of contacts).",
    )
    requested_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The team member who asked for it; empty for the portal's own.",
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    refused = models.BooleanField(
        default=False,
        help_text="The mail server refused the address for good: not retried.",
    )
    last_error = models.TextField(blank=True)
    resent_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "annual_return", "kind", "key"],
                name="notification_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=models.Q(annual_return__isnull=True),
                name="notification_once_without_return",
            ),
            models.UniqueConstraint(
                fields=["address", "kind", "key"],
                condition=models.Q(recipient__isnull=True),
                name="notification_once_to_address",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(address=""),
                name="notification_has_someone_to_go_to",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="notification_status_idx"),
            models.Index(
                fields=["status", "next_attempt_at"], name="notification_retry_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient or self.address} ({self.status})"

    @property
    def failed_for_good(self) -> bool:
        return self.status == self.Status.FAILED and self.next_attempt_at is None

    @property
    def to_address(self) -> str:
        return self.recipient.email if self.recipient_id else self.address


class Reminder(models.Model):
    """The chase history the team sees; automatic emails appear here too. An emailed
    reminder has the ledger's key: one row per return and reminder, written with each
    email's `sent` and naming every contact it went to (`emailed_to`)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone call"
        NOTE = "note", "Note"

    annual_return = models.ForeignKey(
        AnnualReturn, on_delete=models.PROTECT, related_name="reminders"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the daily job.",
    )
    note = models.TextField(blank=True, max_length=limits.NOTE)
    key = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="An emailed reminder's ledger key; empty for calls and notes.",
    )
    emailed_to = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["annual_return", "-sent_at"], name="reminder_return_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["annual_return", "key"],
                condition=~models.Q(key=""),
                name="reminder_once_per_return_and_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.sent_at:%d %b %Y}"


class ReturnEvent(models.Model):
    """Every state change and team action, with who and when."""

    annual_return = models.ForeignKey(
        AnnualReturn, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["annual_return", "kind"], name="event_return_kind_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class MemberCheck(models.Model):
    """A member viewer's word on an approved line: the figures are confirmed, or
    disputed (the whole line, or one measure) with a reason. A dispute is a request
    on the team's desk until the team answers it: it keeps the figures (with a
    reason) or sends the return back to the supplier. A later check of the same
    line replaces the earlier one as what the line shows."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed by the member"
        DISPUTED = "disputed", "Disputed"

    class Outcome(models.TextChoices):
        KEPT = "kept", "Figures kept"
        REOPENED = "reopened", "Sent back to the supplier"

    line = models.ForeignKey(
        ReturnLine, on_delete=models.PROTECT, related_name="member_checks"
    )
    member = models.ForeignKey(
        "frameworks.Member", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The measure disputed; empty for the whole line.",
    )
    reason = models.TextField(blank=True, max_length=limits.MESSAGE)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    answer = models.TextField(blank=True, max_length=limits.MESSAGE)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="disputed") | ~models.Q(reason=""),
                name="member_check_dispute_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "answered_at"], name="member_check_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.line_id}"

    @property
    def is_open_dispute(self) -> bool:
        return self.kind == self.Kind.DISPUTED and self.answered_at is None


class MemberEmailPreference(models.Model):
    """Which of the member emails a viewer wants (issue 22); without a row, both.
    The weekly job queues none of a kind turned off, and a row queued before it was
    turned off is skipped, never sent."""

    user = models.OneToOneField(
        USER, on_delete=models.PROTECT, related_name="member_email_preference"
    )
    approved_digest = models.BooleanField(
        default=True,
        help_text="A weekly email listing contracts whose returns were approved.",
    )
    at_risk = models.BooleanField(
        default=True,
        help_text="An email when a contract becomes at risk of ending short.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Member emails of {self.user_id}"


class YearEvent(models.Model):
    """Something the team did to a reporting year as a whole (publishing its impact
    report, taking it down), with who and when. Kinds are in returns/events.py."""

    year = models.ForeignKey(
        ReportingYear, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["year", "kind"], name="year_event_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.year} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        from .events import label

        return label(self.kind)


def year_export_path(instance: "YearExport", filename: str) -> str:
    import secrets

    return f"exports/{instance.year.slug}/{secrets.token_hex(16)}/{filename}"


class YearExport(models.Model):
    """Every return of a year in one workbook, built by a task and offered when ready.
    Kept in the storage API (not a local file), so any web process can serve it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    year = models.ForeignKey(
        ReportingYear, on_delete=models.PROTECT, related_name="exports"
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to=year_export_path, max_length=200, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} export {self.requested_at:%Y-%m-%d %H:%M}"


class ContractSummary(models.Model):
    """A contract's figures (`returns.figures`) kept per year and to date, so pages
    read them instead of summing every line of every year.

    A year row (`year` set) holds the contract's counted lines of that year whose
    line names `member` (the snapshot: a member's "while it has been yours" figures
    add up its own rows); the to-date row (`year` null, `member` null) holds the
    contract over all its years, grouped by what the contract is now when read.
    Derived data: written only by `services.summary.summary_refresh`, in the
    transaction of every change that moves a figure, and rebuilt from the lines by
    `manage.py rebuild_contract_summary`. A contract with no counted line has no row.
    """

    contract = models.ForeignKey(
        "frameworks.Contract",
        on_delete=models.CASCADE,
        related_name="summaries",
        db_index=False,  # the unique constraints lead with the contract
        # Derived rows, written by the tens of thousands at an issue: no foreign
        # key checks in the database (Django still cascades a deletion).
        db_constraint=False,
    )
    year = models.ForeignKey(
        ReportingYear,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    member = models.ForeignKey(
        "frameworks.Member",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    target_credits = CreditsField(default=0)
    # Target of the lines of approved returns: what members see beside delivered.
    approved_target_credits = CreditsField(default=0)
    delivered_credits = CreditsField(default=0, help_text="Approved returns only.")
    awaiting_review_credits = CreditsField(default=0, help_text="Submitted returns.")
    delivered_all_credits = CreditsField(default=0, help_text="Every counted line.")
    shortfall_credits = CreditsField(default=0, help_text="max(target - delivered, 0)")
    # Years with a counted line (1 on a year row).
    years = models.PositiveSmallIntegerField(default=1)
    # Lines of approved returns among them: a member's figures count only these.
    approved_lines = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year", "member"],
                condition=models.Q(year__isnull=False),
                name="summary_one_row_per_contract_year_member",
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(year__isnull=True),
                name="summary_one_to_date_row_per_contract",
            ),
        ]
        indexes = [
            # A member's own figures: its rows of every year.
            models.Index(
                fields=["member", "contract"],
                condition=models.Q(member__isnull=False),
                name="summary_member_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.year_id or 'to date'}"


class GroupSummary(models.Model):
    """A supplier's or member's to-date figures: the sums over its contracts (as they
    are now) of their to-date rows of `ContractSummary`, as the shortfall pages sum
    them per group (each contract's shortfall first, then added up), so the pages by
    supplier and by member, sorted by shortfall, read a row per group instead of
    grouping every contract's row.

    Derived data like `ContractSummary`: written only by
    `services.summary.summary_refresh`, for the current supplier and member of the
    contracts it refreshes (and, for a contract moved to another supplier or member,
    the old ones), and rebuilt by `manage.py rebuild_contract_summary`. A group with
    no contract with a counted line has no row. Frameworks have none: their page
    groups ~17,000 contracts each and meets its goal without.
    """

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", "Supplier"
        MEMBER = "member", "Member"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The supplier's or member's id (two kinds of group: no foreign key).
    group_id = models.BigIntegerField()
    target_credits = CreditsField(default=0)
    delivered_credits = CreditsField(default=0, help_text="Approved returns only.")
    awaiting_review_credits = CreditsField(default=0, help_text="Submitted returns.")
    shortfall_credits = CreditsField(
        default=0, help_text="Sum of the contracts' max(target - delivered, 0)."
    )
    contracts = models.PositiveIntegerField(default=0)
    contracts_short = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "group_id"], name="group_summary_one_row_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.group_id}"


class SeasonFiguresToken(models.Model):
    """A year's completion figures tokens: one renewed (a new random value) whenever a
    change that moves the year's completion figures commits (a return added,
    removed, or its status, source, first submission or extension changed; a line
    added, removed, excluded or moved to another lot or return; the year's
    deadline; a framework's name or a lot's framework). The completion page caches
    the season's figures under all the year's tokens, so a cached figure is never
    older than the last such change.

    Written only by database triggers (migration `returns 0016_season_figures_token`),
    so no write path, ORM, bulk or hand-written SQL, can move a figure without it.
    A line's ordinary save changes none of those columns and renews nothing. A
    change renews the token of its return's shard (the return's id modulo
    `SHARDS`; 0 for the year, frameworks and lots), so two suppliers submitting at
    once rarely wait on the same row. Random values rather than counters: a
    rolled-back or restored database never hands out a token a cache has seen.
    """

    SHARDS = 16

    year = models.ForeignKey(
        ReportingYear,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique constraint leads with the year
        db_constraint=False,  # written by triggers, in the year's own transaction
    )
    shard = models.PositiveSmallIntegerField()
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "shard"], name="season_token_year_shard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year_id}.{self.shard}: {self.token}"
