"""Forms of the completion page and the chase history page: the shape of the input
only; the rules are the chasing services'."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms

from core import limits
from core.querystring import PageField, QueryForm
from frameworks.models import Framework
from returns.figures import COMPLETION_ROWS
from returns.models import AnnualReturn, Reminder
from returns.selectors.chasing import EVERY, NEEDS, OPEN, SORT_LABELS


class CompletionFilterForm(QueryForm):
    """The completion page's and chasing list's filters, read from the query string:
    a bad value is the default."""

    defaults = {"sort": "supplier", "status": NEEDS}

    status = forms.ChoiceField(
        required=False,
        choices=[
            (NEEDS, "Still needs something (not approved or not required)"),
            (EVERY, "All"),
            (OPEN, "Not started or in progress"),
        ]
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
    # one figure of the completion table: its count links to the returns it counts
    figure = forms.ChoiceField(
        required=False, choices=[(key, label) for key, label, _ in COMPLETION_ROWS]
    )
    page = PageField()
    format = forms.ChoiceField(
        required=False, choices=[("xlsx", "xlsx"), ("csv", "CSV")]
    )

    def cleaned(self) -> dict:
        """The filters to apply: the valid ones, defaults for the rest."""
        values = self.values
        framework = values["framework"]
        return {
            "status": values["status"],
            "framework_id": framework.pk if framework else None,
            "overdue": values["overdue"],
            "overdue_days": values["overdue_days"],
            "due_within": values["due_within"],
            "figure": values["figure"],
            "sort": values["sort"],
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
        error_messages={
            "required": "Say what was said or agreed",
            "max_length": limits.too_long("The note", limits.NOTE),
        },
        max_length=limits.NOTE,
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
        error_messages={
            "required": "Enter the reason",
            "max_length": limits.too_long("The reason", limits.NOTE),
        },
        max_length=limits.NOTE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = (
            "The end of this day, London time. Enter the day, month and year as "
            "numbers."
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Grant the extension"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the reason",
            "max_length": limits.too_long("The reason", limits.NOTE),
        },
        max_length=limits.NOTE,
    )

    def __init__(self, *args, submit_label: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))
