"""Template tags of the help pages: the team's contact details (the footer of every
page), a return's requests (the task list), and the requests an email is about."""

from django import template

from .. import selectors
from ..models import SupportRequest

register = template.Library()


@register.simple_tag
def team_contact():
    return selectors.team_contact()


@register.simple_tag
def return_requests(annual_return, user):
    """The requests on a return for a contact of its supplier: newest first."""
    return selectors.supplier_requests_for_return(
        user=user, annual_return=annual_return
    )


@register.simple_tag
def team_return_requests(annual_return):
    """Every request on a return, for the team's review page: newest first."""
    return selectors.return_requests_for_team(annual_return=annual_return)


@register.simple_tag
def decided_requests(notifications):
    """The requests a `support_decided` email's ledger rows are about (their keys
    are "support:<id>"), in the order they were made."""
    ids = [
        int(row.key.split(":", 1)[1])
        for row in notifications
        if row.key.startswith("support:") and row.key.split(":", 1)[1].isdigit()
    ]
    return list(
        SupportRequest.objects.filter(pk__in=ids)
        .select_related("annual_return__year", "line__contract", "added_line__contract")
        .order_by("pk")
    )
