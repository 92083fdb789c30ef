"""What every supplier page needs: the return, scoped to the person asking."""

from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.permissions import is_team
from accounts.selectors import SESSION_SUPPLIER_KEY
from returns.models import AnnualReturn, ReturnLine
from returns.selectors import attachments
from returns.selectors.access import supplier_return_get


def return_for(request, reference: str) -> AnnualReturn:
    """One of the contact's returns, or 404 (another supplier's return is not found).
    Opening a return of another of their suppliers (from a receipt email, say)
    makes that supplier the current one, as switching to it would.

    The social value team may open any return, to fill it in for a supplier who sent
    figures by phone or email: `request.acting_for` is then the supplier, the pages
    say so, and the submission records the team member as "entered by"."""
    if is_team(request.user):
        annual_return = get_object_or_404(
            AnnualReturn.objects.select_related("supplier", "year"),
            reference=reference,
        )
        request.acting_for = annual_return.supplier
        return annual_return
    annual_return = supplier_return_get(user=request.user, reference=reference)
    if request.session.get(SESSION_SUPPLIER_KEY) != annual_return.supplier_id:
        request.session[SESSION_SUPPLIER_KEY] = annual_return.supplier_id
    return annual_return


def line_for(request, reference: str, pk: int) -> ReturnLine:
    """The line an evidence, case study or query page is about: one of the contact's
    own (another supplier's is 404), or, for the team acting for the supplier, a line
    of any return (`request.acting_for` is then set, as on the return's pages)."""
    if is_team(request.user):
        annual_return = return_for(request, reference)
        return attachments.return_line_get(annual_return=annual_return, pk=pk)
    return attachments.supplier_line_get(user=request.user, reference=reference, pk=pk)


def credits_percent(delivered: Decimal, target: Decimal) -> int:
    """Delivered as a whole percentage of target, 0 to 100 (for the credits bar)."""
    if target <= 0:
        return 100
    return max(0, min(100, int(delivered * 100 / target)))


def line_urls(reference: str):
    """A function giving the line page's address of each line of return
    `reference`: the URL is reversed once, not once per line (a 300-line task list
    spent a tenth of its time in `reverse`)."""
    head, _, tail = reverse(
        "supplier:line", kwargs={"reference": reference, "line_id": 1}
    ).rpartition("/1/")
    if tail:  # a changed URL pattern: fail loudly rather than link wrongly
        raise ImproperlyConfigured("The line page's address must end with its id")
    head += "/"

    def url(line_id: int) -> str:
        return f"{head}{int(line_id)}/"

    return url
