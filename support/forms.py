"""Forms of the help pages: the shape of the input only; the rules (and their
words) are the services'."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size, Submit
from django import forms
from django.core.validators import MaxLengthValidator

from core.limits import too_long
from core.querystring import PageField, QueryForm
from frameworks.models import Member

from . import services
from .models import MESSAGE_MAX_LENGTH, PHONE_MAX_LENGTH


def _text(label: str, required_message: str, hint: str = "", required=True, said_as=""):
    """A free text of the kind the service limits, refused over the limit in the
    service's words (`said_as`: how the refusal names it, `services.LABELS`)."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": required_message,
            "max_length": too_long(said_as or label, MESSAGE_MAX_LENGTH),
        },
    )


class _Form(forms.Form):
    button = "Send"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.button))

    def service_field(self, key: str) -> str | None:
        return key if key in self.fields else None


class HelpForm(_Form):
    button = "Ask the team"
    message = _text(
        "What do you need help with?",
        services.MESSAGE_NEEDED,
        hint="The social value team will answer here and by email.",
        said_as=services.LABELS["message"],
    )
    call_me = forms.BooleanField(label="Please call me", required=False)
    phone = forms.CharField(
        label="Phone number to call",
        help_text="Only if you ticked “Please call me”.",
        required=False,
        max_length=PHONE_MAX_LENGTH,
        error_messages={"max_length": services.PHONE_WRONG},
    )


class ExtensionRequestForm(_Form):
    button = "Ask for more time"
    deadline = DateInputField(label="The date you need")
    reason = _text(
        "Why do you need more time?",
        services.REASON_NEEDED,
        said_as=services.LABELS["reason"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].help_text = (
            "The return is then due by the end of that day, London time. Enter the "
            "day, month and year as numbers."
        )


class ReopenRequestForm(_Form):
    button = "Ask to reopen the return"
    reason = _text(
        "What needs correcting?",
        services.REASON_NEEDED,
        hint="Which contracts and figures are wrong, and why.",
        said_as=services.LABELS["reason"],
    )


class MissingContractForm(_Form):
    button = "Tell the team"
    member = forms.ModelChoiceField(
        label="Member the contract is with",
        queryset=Member.objects.none(),
        empty_label="Select a member",
        error_messages={"required": services.MEMBER_NEEDED},
    )
    contract_reference = forms.CharField(
        label="Contract reference",
        max_length=100,
        error_messages={
            "required": services.CONTRACT_REFERENCE_NEEDED,
            "max_length": too_long("The contract's reference", 100),
        },
    )
    contract_title = forms.CharField(
        label="Contract title",
        max_length=300,
        error_messages={
            "required": services.CONTRACT_TITLE_NEEDED,
            "max_length": too_long("The contract's title", 300),
        },
    )
    spend = forms.DecimalField(
        label="Spend in the year, in pounds excluding VAT",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": services.SPEND_NEEDED,
            "invalid": services.SPEND_NEEDED,
            "min_value": services.SPEND_NEGATIVE,
        },
    )
    message = _text(
        "Anything else the team should know",
        "",
        required=False,
        said_as=services.LABELS["message"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(is_active=True).order_by(
            "name"
        )


class AnswerForm(_Form):
    button = "Send the answer"
    answer = _text(
        "Your answer",
        services.ANSWER_NEEDED,
        hint="The supplier sees it.",
        said_as=services.LABELS["answer"],
    )


class DecisionForm(_Form):
    button = "Send the decision"
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("grant", "Grant"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": services.DECISION_UNKNOWN},
    )
    reason = _text(
        "Reason",
        services.REASON_NEEDED,
        hint="The supplier sees it.",
        said_as=services.LABELS["reason"],
    )

    def __init__(self, *args, kind: str, requested=None, reference="", **kwargs):
        super().__init__(*args, **kwargs)
        limit = services.decision_limit(kind)
        self.fields["reason"].max_length = limit
        self.fields["reason"].validators[:] = [MaxLengthValidator(limit)]
        self.fields["reason"].widget.attrs.pop("maxlength", None)
        self.fields["reason"].error_messages["max_length"] = too_long(
            services.LABELS["reason"], limit
        )
        if kind == "extension":
            self.fields["deadline"] = DateInputField(
                label="Date granted", required=False
            )
            self.fields["deadline"].help_text = (
                "Leave blank to grant the date asked for"
                + (f", {requested.day} {requested:%B %Y}" if requested else "")
                + ". The end of that day, London time."
            )
        if kind == "missing_contract":
            self.fields["contract_reference"] = forms.CharField(
                label="Contract in the reference data",
                required=False,
                max_length=100,
                initial=reference,
                help_text="The contract's reference as imported; blank for the one "
                "the supplier gave.",
            )
        # the submit button last
        self.helper = FormHelper()
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.add_input(Submit("submit", self.button))


class RequestListForm(QueryForm):
    """The team's list: open requests, or the decided ones."""

    defaults = {"show": "open", "page": 1}
    show = forms.ChoiceField(
        choices=[("open", "Open"), ("decided", "Decided")], required=False
    )
    page = PageField()
