"""Forms of the team's review and shortfall pages (shape only; rules live in services)."""

from django import forms

from core import limits
from core.querystring import IdField, PageField, QueryForm, SearchField
from frameworks.models import Framework

TO_DATE = "to-date"
SHORTFALL_GROUP_CHOICES = [
    ("contract", "Contract"),
    ("supplier", "Supplier"),
    ("framework", "Framework"),
    ("member", "Member"),
]
SHORTFALL_SORT_CHOICES = [
    ("shortfall", "Largest shortfall first"),
    ("name", "Name"),
]


class ShortfallFilterForm(QueryForm):
    """The shortfall pages' filters, read from the query string. Every field is
    optional; a bad value is dropped (the page shows everything) rather than refused."""

    defaults = {"by": "supplier", "sort": "shortfall"}

    period = forms.ChoiceField(label="Period", required=False)
    by = forms.ChoiceField(
        label="Show figures by", choices=SHORTFALL_GROUP_CHOICES, required=False
    )
    framework = forms.ModelChoiceField(
        label="Framework",
        queryset=Framework.objects.order_by("name"),
        required=False,
        empty_label="All frameworks",
    )
    q = SearchField(label="Contract, supplier or member")
    short = forms.BooleanField(label="Only those below target", required=False)
    sort = forms.ChoiceField(
        label="Order", choices=SHORTFALL_SORT_CHOICES, required=False
    )
    supplier = IdField()
    member = IdField()
    page = PageField()
    format = forms.ChoiceField(choices=[("xlsx", "xlsx")], required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (TO_DATE, "To date, over each contract's life")
        ] + [(year.slug, year.label) for year in years]

    def filters(self) -> dict:
        """The valid filters, with defaults for what is missing or wrong."""
        return dict(self.values)


class YearQuery(QueryForm):
    """A page showing one reporting year, chosen by `?year=<slug>` (blank: the page's
    default). `chosen_year` gives the ReportingYear or None."""

    year = forms.ChoiceField(required=False)

    def __init__(self, data=None, *, years=(), **kwargs):
        super().__init__(data, **kwargs)
        self.years = list(years)
        self.fields["year"].choices = [(year.slug, year.label) for year in self.years]

    @property
    def chosen_year(self):
        slug = self.values["year"]
        return next((year for year in self.years if year.slug == slug), None)


REVIEW_ORDERS = [
    ("rank", "What needs a look first"),
    ("waiting", "Longest waiting first"),
]


class ReviewListQuery(YearQuery):
    """The review desk's filters: a year, search text, the order and the page."""

    defaults = {"order": "rank"}

    q = SearchField()
    order = forms.ChoiceField(required=False, choices=REVIEW_ORDERS)
    page = PageField()


class SearchQuery(QueryForm):
    """The team search's text."""

    q = SearchField()


class PageQuery(QueryForm):
    """A list page's page number."""

    page = PageField()


class FormatQuery(QueryForm):
    """`?format=csv` downloads a page's table instead of showing it."""

    format = forms.ChoiceField(required=False, choices=[("csv", "CSV")])


class SendBackQuery(QueryForm):
    """`?reissue=1` from the re-issue list prefills the reason with the change."""

    reissue = forms.BooleanField(required=False)


class SendBackForm(forms.Form):
    """Send back (or reopen) with a reason, and an optional comment on each line."""

    reason = forms.CharField(
        label="Why are you sending it back?",
        help_text="The supplier sees this at the top of their return and in the email.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.MESSAGE,
        error_messages={
            "required": "Enter the reason the supplier will see",
            "max_length": limits.too_long("The reason", limits.MESSAGE),
        },
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            if line.is_excluded:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = forms.CharField(
                label=f"Comment on {line.contract.reference} (optional)",
                required=False,
                max_length=limits.NOTE,
                error_messages={
                    "max_length": limits.too_long("A comment", limits.NOTE)
                },
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.line_fields.append((line, name))

    def line_comments(self) -> dict[int, str]:
        return {
            line.pk: self.cleaned_data.get(name, "")
            for line, name in self.line_fields
            if self.cleaned_data.get(name, "").strip()
        }


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="Note for the record (optional)",
        required=False,
        max_length=limits.NOTE,
        error_messages={
            "max_length": limits.too_long("The note for the record", limits.NOTE)
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LineReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.MESSAGE,
        error_messages={
            "required": "Enter the reason",
            "max_length": limits.too_long("The reason", limits.MESSAGE),
        },
    )


class BulkApproveForm(forms.Form):
    """The returns ticked on the review queue (references; the service checks them)
    and an optional note recorded with each approval."""

    returns = forms.MultipleChoiceField(
        error_messages={"required": "Select the returns to approve"},
    )
    comment = forms.CharField(
        required=False,
        max_length=limits.NOTE,
        error_messages={
            "max_length": limits.too_long("The note for the record", limits.NOTE)
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any reference-shaped text is accepted here: which exist, and which may be
        # approved, is the service's to say (naming each refused one).
        self.fields["returns"].valid_value = lambda value: (
            isinstance(value, str) and 0 < len(value) <= 30 and "\x00" not in value
        )


class FlagCheckForm(forms.Form):
    note = forms.CharField(
        label="What did you check?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.NOTE,
        error_messages={
            "required": "Enter a note saying what you checked",
            "max_length": limits.too_long("The note", limits.NOTE),
        },
    )
