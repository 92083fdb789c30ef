"""Forms for the team's reporting-year pages: they check the shape of input; the
rules (order of dates, overlap, freezing at issue) live in the services."""

from decimal import Decimal

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Size, Submit
from django import forms

from returns.templatetags.figures_format import plain

OFFSETS_HINT = (
    "Whole days from the deadline, separated by commas: negative before it, "
    "positive after. For example, -14, -7, -1, 1, 7, 14, 28"
)
OFFSETS_FORMAT = "Enter reminder offsets as whole numbers of days, like -14, -7, 1, 7"


def _date(label: str, hint: str) -> DateInputField:
    field = DateInputField(label=label, help_text=hint)
    field.error_messages.update(
        {
            "required": f"Enter the {label.lower()}",
            "incomplete": f"Enter the {label.lower()} as a day, month and year",
        }
    )
    return field


class OffsetsField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return []
        try:
            return [
                int(part.strip().replace("\u2212", "-")) for part in text.split(",")
            ]
        except ValueError as error:
            raise forms.ValidationError(OFFSETS_FORMAT) from error

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value


def _money_field(label: str, hint: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=hint,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a number, like 100000",
            "required": f"Enter the {label.lower()}",
            "min_value": f"The {label.lower()} must be 0 or more",
            "max_decimal_places": f"Enter the {label.lower()} to at most 2 decimal places",
        },
    )


class YearSettingsForm(forms.Form):
    issue_on = _date(
        "Issue date",
        "The daily job issues the returns on this date, once the year is marked "
        "ready. It must be after the year ends on 31 March.",
    )
    deadline = _date("Deadline", "Returns are due by the end of this day, London time.")
    credits_per_100k = _money_field(
        "Credits per £100,000 of spend", "The target: 10 unless the board decides."
    )
    spend_threshold = _money_field(
        "Spend threshold",
        "A contract qualifies with this much spend in the year or more (pounds "
        "excluding VAT); consultancy lots qualify whatever their spend.",
    )
    reminder_offsets = OffsetsField(
        label="Reminders", help_text=OFFSETS_HINT, required=False
    )

    def __init__(self, *args, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen = frozen
        names = ["issue_on", "deadline", "credits_per_100k", "spend_threshold"]
        if frozen:  # issued: only the deadline and reminders stay editable
            for name in ("issue_on", "credits_per_100k", "spend_threshold"):
                del self.fields[name]
            names = ["deadline"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *self._leading_fields(),
            *[
                Field(name, field_width=Fixed.TEN)
                if name in ("credits_per_100k", "spend_threshold")
                else Field(name)
                for name in names
            ],
            Field.text("reminder_offsets", field_width=Fixed.TWENTY),
            Submit("save", self.submit_label),
        )
        self.helper.label_size = Size.SMALL

    submit_label = "Save"

    def _leading_fields(self):
        return []


class YearOpenForm(YearSettingsForm):
    label = forms.RegexField(
        label="Reporting year",
        regex=r"^\s*\d{4}/\d{2}\s*$",
        help_text='The financial year, 1 April to 31 March, as "2025/26".',
        error_messages={
            "required": 'Enter the reporting year, as "2025/26"',
            "invalid": 'Enter the year as "2025/26": the year it starts, a slash, '
            "the next year",
        },
    )
    field_order = ["label"]
    submit_label = "Open the year"

    def _leading_fields(self):
        return [Field.text("label", field_width=Fixed.FIVE)]

    def clean_label(self):
        return self.cleaned_data["label"].strip()


class YearMeasuresForm(forms.Form):
    """One credits-per-unit field per measure of the year's catalogue."""

    def __init__(self, *args, year_measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.year_measures = list(year_measures)
        for row in self.year_measures:
            measure = row.measure
            self.fields[self.field_name(row)] = forms.DecimalField(
                label=f"{measure.code}: {measure.name}",
                help_text=f"Credits per {measure.unit}",
                max_digits=12,
                decimal_places=6,
                min_value=Decimal(0),
                initial=plain(row.credits_per_unit),  # "10", never "1E+1"
                error_messages={
                    "invalid": f"Enter the credits for {measure.code} as a number",
                    "required": f"Enter the credits for {measure.code}",
                    "min_value": f"The credits for {measure.code} must be 0 or more",
                    "max_decimal_places": f"Enter the credits for {measure.code} "
                    "to at most 6 decimal places",
                },
            )
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            *[
                Field(self.field_name(row), field_width=Fixed.TEN)
                for row in self.year_measures
            ],
            Submit("save", "Save credit values"),
        )

    @staticmethod
    def field_name(row) -> str:
        return f"measure_{row.pk}"

    def credits(self) -> dict[int, Decimal]:
        return {
            row.pk: self.cleaned_data[self.field_name(row)]
            for row in self.year_measures
        }
