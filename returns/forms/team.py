"""Forms of the team's review and shortfall pages (shape only; rules live in services)."""

from django import forms

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


class ShortfallFilterForm(forms.Form):
    """The shortfall pages' filters, read from the query string. Every field is
    optional; a bad value is dropped (the page shows everything) rather than refused."""

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
    q = forms.CharField(
        label="Contract, supplier or member", required=False, max_length=100
    )
    short = forms.BooleanField(label="Only those below target", required=False)
    sort = forms.ChoiceField(
        label="Order", choices=SHORTFALL_SORT_CHOICES, required=False
    )
    supplier = forms.IntegerField(required=False, widget=forms.HiddenInput)
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (TO_DATE, "To date, over each contract's life")
        ] + [(year.slug, year.label) for year in years]

    def filters(self) -> dict:
        """The valid filters, with defaults for what is missing or wrong."""
        self.is_valid()  # cleaned_data then holds the fields that were valid
        data = self.cleaned_data
        return {
            "period": data.get("period") or "",
            "by": data.get("by") or "supplier",
            "framework": data.get("framework"),
            "q": (data.get("q") or "").strip(),
            "short": bool(data.get("short")),
            "sort": data.get("sort") or "shortfall",
            "supplier": data.get("supplier"),
            "member": data.get("member"),
        }


class SendBackForm(forms.Form):
    """Send back (or reopen) with a reason, and an optional comment on each line."""

    reason = forms.CharField(
        label="Why are you sending it back?",
        help_text="The supplier sees this at the top of their return and in the email.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter the reason the supplier will see"},
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
                max_length=2000,
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
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LineReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason"},
    )
