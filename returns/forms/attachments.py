"""Forms for evidence, case studies and line queries. They check the shape of input;
the services check everything that needs the database."""

from decimal import Decimal, InvalidOperation

from django import forms

from core import limits
from core.uploads import EMPTY
from core.uploads import UploadForm as RefusableUpload
from returns.models import CaseStudy
from returns.services.spend_corrections import parse_amount

CASE_STUDY_STORY_HINT = (
    "Say what you did and what changed for people. Do not include names, photos or "
    "details that could identify someone unless you hold their written consent, and "
    "never include anyone's health, criminal record or care history."
)


class EvidenceForm(RefusableUpload, forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            "PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx), smaller than 20 MB. "
            "Files with macros are not accepted."
        ),
        error_messages={
            "required": "Select a file to upload",
            "empty": EMPTY,
            "invalid": "Select a file to upload",
        },
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being erased?",
        help_text="For example, the request reference. This is kept in the history.",
        max_length=limits.ERASURE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why it is being erased",
            "max_length": limits.too_long("The reason", limits.ERASURE),
        },
    )


class LineQueryForm(forms.Form):
    REASONS = [
        ("not_our_contract", "This is not our contract"),
        ("spend_wrong", "The spend is wrong"),
        ("other", "Something else"),
    ]
    reason = forms.ChoiceField(
        label="What is wrong with this contract?",
        choices=REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what is wrong with this contract"},
    )
    text = forms.CharField(
        label="Tell us more",
        help_text="For example, who the contract is with, or what the spend should be.",
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter what is wrong with this contract",
            "max_length": limits.too_long("The query", limits.MESSAGE),
        },
    )


class QueryAnswerForm(forms.Form):
    """The answer, and optionally excluding the line or correcting the contract's
    valuations for the year: one text field per quarter (`quarters`, from
    `spend_corrections.line_quarter_valuations`), shown with the stored amount.
    `valuations_seen` carries what the page showed, so the service corrects only the
    quarters the team changed and refuses if someone else changed them meanwhile."""

    VALUATION_PREFIX = "valuation_"
    SEEN_CHANGED = (
        "The valuations on this page were out of date: check the amounts shown now "
        "and try again"
    )

    answer = forms.CharField(
        label="Answer",
        help_text="The supplier sees this answer on the contract's page.",
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter an answer",
            "max_length": limits.too_long("The answer", limits.MESSAGE),
        },
    )
    exclude_line = forms.BooleanField(
        label="Exclude this contract from the return",
        required=False,
        help_text="The answer is recorded as the reason. Excluded contracts count nowhere.",
    )
    valuations_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, quarters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = list(quarters)
        self.fields["valuations_seen"].initial = ";".join(
            f"{q.key}={'' if q.amount is None else q.amount}" for q in self.quarters
        )
        for quarter in self.quarters:
            self.fields[self.VALUATION_PREFIX + quarter.key] = forms.CharField(
                label=f"Spend in the quarter ending {quarter.period_end:%-d %B %Y} (£)",
                help_text="" if quarter.amount is not None else "No valuation yet",
                required=False,
                max_length=30,
                initial="" if quarter.amount is None else f"{quarter.amount}",
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def valuation_fields(self) -> list:
        return [self[self.VALUATION_PREFIX + q.key] for q in self.quarters]

    def clean(self):
        cleaned = super().clean()
        for quarter in self.quarters:
            name = self.VALUATION_PREFIX + quarter.key
            try:
                parse_amount(cleaned.get(name), period_end=quarter.period_end)
            except forms.ValidationError as error:
                self.add_error(name, error.messages)
        return cleaned

    def valuations(self) -> dict:
        """Quarter end → what was typed, for `query_answer` (quarters whose field
        was not posted at all are left out: nothing to correct there)."""
        return {
            q.period_end: self.cleaned_data.get(self.VALUATION_PREFIX + q.key, "")
            for q in self.quarters
            if self.add_prefix(self.VALUATION_PREFIX + q.key) in self.data
        }

    def valuations_were(self) -> dict:
        """Quarter end → the amount the page showed (None: no valuation then)."""
        if not self.valuations():
            return {}
        shown = {}
        by_key = {q.key: q.period_end for q in self.quarters}
        for part in (self.cleaned_data.get("valuations_seen") or "").split(";"):
            key, _, amount = part.partition("=")
            if key not in by_key:
                continue
            try:
                shown[by_key[key]] = Decimal(amount) if amount else None
            except InvalidOperation:
                continue
        if set(shown) != set(by_key.values()):
            raise forms.ValidationError(self.SEEN_CHANGED)
        return shown

    def service_field(self, key: str) -> str | None:
        """The form field a service error's key (a quarter end) belongs to."""
        name = self.VALUATION_PREFIX + key
        return name if name in self.fields else None


class CaseStudyForm(forms.ModelForm):
    request_publication = forms.BooleanField(
        label="Ask the social value team to publish an anonymised version",
        required=False,
        help_text=(
            "The team writes the public version themselves and removes anything that "
            "could identify someone. Only their version is ever published."
        ),
    )

    class Meta:
        model = CaseStudy
        fields = ["title", "story", "people_benefited", "consent", "share_with_member"]
        labels = {
            "title": "Title",
            "story": "The story",
            "people_benefited": "How many people benefited?",
            "consent": "Can anyone be identified from it?",
            "share_with_member": "Share this case study with the member",
        }
        help_texts = {
            "title": "A short title, without anyone's name.",
            "story": CASE_STUDY_STORY_HINT,
            "people_benefited": "A whole number. Enter 0 if you do not know.",
            "share_with_member": (
                "The member organisation that let the contract can read it. If you "
                "leave this unticked, only the social value team can."
            ),
        }
        widgets = {
            "story": forms.Textarea(attrs={"rows": 10}),
            "consent": forms.RadioSelect,
        }
        error_messages = {
            "title": {
                "required": "Enter a title",
                "max_length": limits.too_long("The title", limits.TITLE),
            },
            "story": {
                "required": "Enter the story",
                "max_length": limits.too_long("The story", limits.STORY),
            },
            "people_benefited": {
                "required": "Enter how many people benefited",
                "invalid": "How many people benefited must be a whole number",
                "min_value": "How many people benefited must be 0 or more",
            },
            "consent": {"required": "Select whether anyone can be identified from it"},
        }


class CaseStudyApproveForm(forms.Form):
    public_title = forms.CharField(
        label="Public title",
        max_length=limits.TITLE,
        help_text="Anonymised: no names of people.",
        error_messages={
            "required": "Enter the public title",
            "max_length": limits.too_long("The public title", limits.TITLE),
        },
    )
    public_story = forms.CharField(
        label="Public story",
        help_text=(
            "Rewrite the story so that nobody can be identified: no names, photos, "
            "places or dates that point to a person, and never health, criminal record "
            "or care history. Only this text is ever published."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=limits.STORY,
        error_messages={
            "required": "Enter the public story",
            "max_length": limits.too_long("The public story", limits.STORY),
        },
    )
