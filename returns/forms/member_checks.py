"""Forms of the members' confirm-or-dispute pages and the team's answer: the shape
of the input only; the rules are `returns.services.member_checks`'."""

from django import forms

from core import limits
from returns.models import MemberCheck

WHOLE_LINE = "whole"


class DisputeForm(forms.Form):
    measure = forms.ChoiceField(
        label="What do you think is wrong?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you think is wrong"},
    )
    reason = forms.CharField(
        label="Why do you think the figures are wrong?",
        help_text="The social value team reads this, and the supplier if the team "
        "sends the return back to them.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.MESSAGE,
        error_messages={
            "required": "Enter why you think the figures are wrong",
            "max_length": limits.too_long("The reason", limits.MESSAGE),
        },
    )

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {str(m.pk): m for m in measures}
        self.fields["measure"].choices = [
            (WHOLE_LINE, "All of this contract's figures for the year")
        ] + [(str(m.pk), m.name) for m in measures]

    def chosen_measure(self):
        return self.measures.get(self.cleaned_data["measure"])


class DisputeAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Your answer",
        widget=forms.RadioSelect,
        choices=[
            (MemberCheck.Outcome.KEPT, "Keep the figures"),
            (
                MemberCheck.Outcome.REOPENED,
                "Send the return back to the supplier to amend (an administrator)",
            ),
        ],
        error_messages={"required": "Select whether to keep the figures"},
    )
    answer = forms.CharField(
        label="What the member and the supplier will read",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.MESSAGE,
        error_messages={
            "required": "Enter the answer the member and the supplier will read",
            "max_length": limits.too_long("The answer", limits.MESSAGE),
        },
    )


class MemberEmailsForm(forms.Form):
    approved_digest = forms.BooleanField(
        required=False,
        label="Email me when returns on our contracts are approved",
        help_text="At most one email a week, listing the contracts.",
    )
    at_risk = forms.BooleanField(
        required=False,
        label="Email me when a contract of ours becomes at risk of ending short",
        help_text="Once for each contract.",
    )
