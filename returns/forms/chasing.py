"""Forms of the completion page and the chase history page: the shape of the input
only; the rules are the chasing services'."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms

from frameworks.models import Framework
from returns.models import AnnualReturn, Reminder
from returns.selectors.chasing import OPEN, SORT_LABELS


class CompletionFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All"), (OPEN, "Not started or in progress")]
        + list(AnnualReturn.Status.choices),
    )
    framework = forms.ModelChoiceField(
        required=False,
        queryset=Framework.objects.order_by("name"),
        empty_label="All frameworks",
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")
    overdue_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3660,
        label="Overdue by more than (days)",
    )
    due_within = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=3660,
        label="Due within (days)",
    )
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), label="Sort by"
    )

    def cleaned(self) -> dict:
        """The filters to apply: the valid ones, defaults for the rest."""
        data = self.cleaned_data if self.is_valid() else {}
        framework = data.get("framework")
        return {
            "status": data.get("status") or "",
            "framework_id": framework.pk if framework else None,
            "overdue": bool(data.get("overdue")),
            "overdue_days": data.get("overdue_days"),
            "due_within": data.get("due_within"),
            "sort": data.get("sort") or "supplier",
        }


class ChaseRecordForm(forms.Form):
    channel = forms.ChoiceField(
        label="What happened",
        choices=[
            (Reminder.Channel.PHONE, "Phone call"),
            (Reminder.Channel.NOTE, "Note"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose phone call or note"},
    )
    note = forms.CharField(
        label="What was said or agreed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was said or agreed"},
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


class ExtensionForm(forms.Form):
    deadline = DateInputField(label="New deadline")
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "deadline"
        ].help_text = "The end of this day, London time. For example, 31 7 2025"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Grant the extension"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
        max_length=2000,
    )

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))
