"""What every supplier page needs: the return, scoped to the person asking."""

from decimal import Decimal

from accounts.selectors import SESSION_SUPPLIER_KEY
from returns import selectors
from returns.models import AnnualReturn


def return_for(request, reference: str) -> AnnualReturn:
    """One of the contact's returns, or 404 (another supplier's return is not found).
    Opening a return of another of their suppliers (from a receipt email, say)
    makes that supplier the current one, as switching to it would."""
    annual_return = selectors.supplier_return_get(
        user=request.user, reference=reference
    )
    if request.session.get(SESSION_SUPPLIER_KEY) != annual_return.supplier_id:
        request.session[SESSION_SUPPLIER_KEY] = annual_return.supplier_id
    return annual_return


def credits_percent(delivered: Decimal, target: Decimal) -> int:
    """Delivered as a whole percentage of target, 0 to 100 (for the credits bar)."""
    if target <= 0:
        return 100
    return max(0, min(100, int(delivered * 100 / target)))
