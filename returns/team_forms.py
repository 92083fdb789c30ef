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
