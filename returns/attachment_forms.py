"""Forms for evidence, case studies and line queries. They check the shape of input;
the services check everything that needs the database."""

from django import forms

from .models import CaseStudy

CASE_STUDY_STORY_HINT = (
    "Say what you did and what changed for people. Do not include names, photos or "
    "details that could identify someone unless you hold their written consent, and "
    "never include anyone's health, criminal record or care history."
)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=(
            "PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx), smaller than 20 MB. "
            "Files with macros are not accepted."
        ),
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
            "invalid": "Select a file to upload",
        },
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being erased?",
        help_text="For example, the request reference. This is kept in the history.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why it is being erased"},
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
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what is wrong with this contract"},
    )


class QueryAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        help_text="The supplier sees this answer on the contract's page.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter an answer"},
    )
    exclude_line = forms.BooleanField(
        label="Exclude this contract from the return",
        required=False,
        help_text="The answer is recorded as the reason. Excluded contracts count nowhere.",
    )


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
            "title": {"required": "Enter a title"},
            "story": {"required": "Enter the story"},
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
        max_length=200,
        help_text="Anonymised: no names of people.",
        error_messages={"required": "Enter the public title"},
    )
    public_story = forms.CharField(
        label="Public story",
        help_text=(
            "Rewrite the story so that nobody can be identified: no names, photos, "
            "places or dates that point to a person, and never health, criminal record "
            "or care history. Only this text is ever published."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the public story"},
    )
