"""The token settings page's form: a name, which of the person's organisations, and
when it expires."""

from django import forms

from accounts.permissions import is_team
from accounts.selectors import members_for_user, suppliers_for_user
from core.querystring import IdField

from .models import ApiToken
from .services import EXPIRY_CHOICES_DAYS, NAME_MAX_LENGTH, NAME_MISSING, NAME_TOO_LONG

ORGANISATION_REQUIRED = "Choose which organisation's figures the token reads"


def organisation_choices(user) -> list[tuple[str, str]]:
    """ "team", "member:<id>" and "supplier:<id>": the organisations whose pages the
    person may open."""
    choices = []
    if is_team(user):
        choices.append(("team", "The social value team (every organisation)"))
    for member in members_for_user(user=user).order_by("name"):
        choices.append((f"member:{member.pk}", f"{member.name} (member)"))
    for supplier in suppliers_for_user(user=user).order_by("name"):
        choices.append((f"supplier:{supplier.pk}", f"{supplier.name} (supplier)"))
    return choices


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="So you can tell your tokens apart, for example 'Power BI board report'.",
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": NAME_MISSING, "max_length": NAME_TOO_LONG},
    )
    organisation = forms.ChoiceField(
        label="Whose figures it reads",
        widget=forms.RadioSelect,
        error_messages={"required": ORGANISATION_REQUIRED},
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in EXPIRY_CHOICES_DAYS],
        initial=90,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisation_choices(user)
        if len(self.fields["organisation"].choices) == 1:
            self.fields["organisation"].initial = self.fields["organisation"].choices[
                0
            ][0]

    def scope(self) -> dict:
        """The service's scope arguments for the chosen organisation."""
        from frameworks.models import Member, Supplier

        value = self.cleaned_data["organisation"]
        if value == "team":
            return {"scope": ApiToken.Scope.TEAM}
        kind, pk = value.split(":", 1)
        if kind == "member":
            return {"scope": ApiToken.Scope.MEMBER, "member": Member.objects.get(pk=pk)}
        return {
            "scope": ApiToken.Scope.SUPPLIER,
            "supplier": Supplier.objects.get(pk=pk),
        }


class ExtractSwitchForm(forms.Form):
    """The team's start or stop of a member's monthly extract."""

    member = IdField(required=True)
    active = forms.TypedChoiceField(
        choices=[("1", "Start"), ("0", "Stop")], coerce=lambda value: value == "1"
    )
