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
    # The soft checks' thresholds (issue 23); each people-measure's £ of spend per
    # person is on the credit values page.
    flag_ratio = _money_field(
        "Last-year ratio",
        "A figure more than this many times last year's on the same contract, or "
        "less than its reciprocal, needs an explanation. 3 unless the team decides.",
    )
    flag_floor = _money_field(
        "Last-year floor",
        "Last year's figure must be above this for that check to apply, so small "
        "figures (0 to 1) are never flagged.",
    )
    flag_target_ratio = _money_field(
        "Target ratio",
        "Credits delivered more than this many times the line's target need an "
        "explanation.",
    )

    flag_same_people_contracts = forms.IntegerField(
        label="Same people on several contracts",
        help_text="The same non-zero people figure of one measure on this many of a "
        "supplier's contracts in the year, or more, is flagged as possible double "
        "counting. 3 unless the team decides.",
        min_value=2,
        max_value=10_000,
        error_messages={
            "invalid": "Enter the number of contracts as a whole number, like 3",
            "min_value": "Enter 2 or more contracts",
            "max_value": "Enter 10,000 contracts or fewer",
        },
    )

    FLAG_FIELDS = (
        "flag_ratio",
        "flag_floor",
        "flag_target_ratio",
        "flag_same_people_contracts",
    )
    # Opening a year carries the thresholds on from the year before (year_open);
    # the team changes them on the year's settings page.
    with_flag_fields = True

    def __init__(self, *args, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen = frozen
        names = [
            "issue_on",
            "deadline",
            "credits_per_100k",
            "spend_threshold",
            *self.FLAG_FIELDS,
        ]
        if frozen:  # issued: only the deadline and reminders stay editable
            for name in (
                "issue_on",
                "credits_per_100k",
                "spend_threshold",
                *self.FLAG_FIELDS,
            ):
                del self.fields[name]
            names = ["deadline"]
        elif self.with_flag_fields:
            for name in self.FLAG_FIELDS:
                self.fields[name].required = False  # left empty: unchanged
        else:
            for name in self.FLAG_FIELDS:
                del self.fields[name]
                names.remove(name)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *self._leading_fields(),
            *[
                Field(name, field_width=Fixed.TEN)
                if name in ("credits_per_100k", "spend_threshold", *self.FLAG_FIELDS)
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
    with_flag_fields = False

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
            if self.counts_people(row):
                self.fields[self.spend_field_name(row)] = forms.DecimalField(
                    label=f"{measure.code}: £ of spend per person",
                    help_text="More people on a contract than its spend in the year "
                    "÷ this needs an explanation. Empty: no check.",
                    max_digits=14,
                    decimal_places=2,
                    min_value=Decimal("0.01"),
                    required=False,
                    initial=plain(row.spend_per_unit),
                    error_messages={
                        "invalid": f"Enter the £ per person for {measure.code} as a "
                        "number, like 25000",
                        "min_value": f"The £ per person for {measure.code} must be "
                        "more than 0, or empty for no check",
                        "max_decimal_places": f"Enter the £ per person for "
                        f"{measure.code} to at most 2 decimal places",
                    },
                )
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        fields = []
        for row in self.year_measures:
            fields.append(Field(self.field_name(row), field_width=Fixed.TEN))
            if self.counts_people(row):
                fields.append(Field(self.spend_field_name(row), field_width=Fixed.TEN))
        self.helper.layout = Layout(*fields, Submit("save", "Save credit values"))

    @staticmethod
    def field_name(row) -> str:
        return f"measure_{row.pk}"

    @staticmethod
    def spend_field_name(row) -> str:
        return f"spend_{row.pk}"

    @staticmethod
    def counts_people(row) -> bool:
        """A measure counting people (measures.md) has a £-per-person limit."""
        return row.measure.unit == "people" or row.spend_per_unit is not None

    def spend_per_unit(self) -> dict[int, Decimal | None]:
        return {
            row.pk: self.cleaned_data.get(self.spend_field_name(row))
            for row in self.year_measures
            if self.counts_people(row)
        }

    def credits(self) -> dict[int, Decimal]:
        return {
            row.pk: self.cleaned_data[self.field_name(row)]
            for row in self.year_measures
        }
