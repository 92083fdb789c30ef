"""Forms about people: the shape of input only; rules that need the database are in
accounts.services."""

from allauth.account.adapter import get_adapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.forms import ActivateTOTPForm as BaseActivateTOTPForm
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms

from core.querystring import PageField, QueryForm, SearchField
from frameworks.models import Member, Supplier

PASSWORDS_DIFFER = "Enter the same password twice."
NO_SUCH_SUPPLIER = "There is no active supplier with the reference {reference}."
NO_SUCH_MEMBER = "There is no active member with the reference {reference}."


class InvitationAcceptForm(forms.Form):
    """Sets the password of someone accepting an invitation. The password rules are
    allauth's (which are the project's AUTH_PASSWORD_VALIDATORS)."""

    password1 = forms.CharField(
        label="Create a password",
        help_text="At least 12 characters. Not a common password, not only numbers, "
        "and not like your email address.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        return get_adapter().clean_password(password, user=self.user)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", PASSWORDS_DIFFER)
        return cleaned


class _PersonFields(forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )

    def __init__(self, *args, submit_label: str = "Send invitation", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = "s"
        self.helper.legend_size = "s"
        self.helper.layout = Layout(*self.fields, Submit("submit", submit_label))


class TeamInvitationForm(_PersonFields):
    """The team invites one person to a supplier or a member, by its reference."""

    SUPPLIER, MEMBER = "supplier", "member"

    organisation_kind = forms.ChoiceField(
        label="Invite them as",
        choices=[
            (SUPPLIER, "A supplier's contact (fills in returns)"),
            (MEMBER, "A member's viewer (sees delivery on its contracts)"),
        ],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label="Supplier or member reference",
        help_text="The consortium's code for the organisation, for example S-0001.",
        max_length=40,
    )
    is_primary = forms.BooleanField(
        label="Make them the supplier's primary contact", required=False
    )

    field_order = [
        "organisation_kind",
        "reference",
        "email",
        "full_name",
        "phone",
        "is_primary",
    ]

    def clean(self):
        cleaned = super().clean()
        kind, reference = cleaned.get("organisation_kind"), cleaned.get("reference")
        if not kind or not reference:
            return cleaned
        reference = reference.strip()
        if kind == self.SUPPLIER:
            cleaned["supplier"] = Supplier.objects.filter(
                reference__iexact=reference, is_active=True
            ).first()
            if cleaned["supplier"] is None:
                self.add_error(
                    "reference", NO_SUCH_SUPPLIER.format(reference=reference)
                )
        else:
            cleaned["member"] = Member.objects.filter(
                reference__iexact=reference, is_active=True
            ).first()
            if cleaned["member"] is None:
                self.add_error("reference", NO_SUCH_MEMBER.format(reference=reference))
        return cleaned


class ColleagueInvitationForm(_PersonFields):
    """A supplier's contact invites a colleague to the same supplier."""


class BulkInvitationForm(forms.Form):
    """The contacts the team ticked on the bulk send page (ids checked by the
    service against who may be invited)."""

    contacts = forms.TypedMultipleChoiceField(coerce=int, required=False)
    everyone = forms.BooleanField(required=False)

    def __init__(self, *args, contact_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].choices = [(pk, pk) for pk in contact_ids]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("everyone") and not cleaned.get("contacts"):
            raise forms.ValidationError(
                "Select at least one contact to invite.", code="none_selected"
            )
        return cleaned


class ActivateTOTPForm(BaseActivateTOTPForm):
    """allauth's set-up form, with its code made single use: allauth checks the code
    that sets up an authenticator without marking it used, so the same code was
    accepted again at a sign-in within its 30 seconds. Marking it as allauth marks a
    sign-in code (the same cache key) closes that."""

    def clean_code(self) -> str:
        code = super().clean_code()
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        if not TOTP(Authenticator(user_id=self.user.pk))._mark_code_used(code):
            raise get_mfa_adapter().validation_error("incorrect_code")
        return code


class PeopleQuery(QueryForm):
    """The people page's query string: open or all invitations, search, page."""

    defaults = {"show": "open"}

    show = forms.ChoiceField(required=False, choices=[("open", "open"), ("all", "all")])
    q = SearchField()
    page = PageField()


class BulkQuery(QueryForm):
    """The bulk invitation page's query string: search and page."""

    q = SearchField()
    page = PageField()


class NextQuery(QueryForm):
    """Where to go back to after switching supplier (checked against the host by the
    view)."""

    next = forms.CharField(required=False, max_length=2000)
