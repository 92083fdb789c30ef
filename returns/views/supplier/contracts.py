"""Your contracts: each of the supplier's contracts over its whole life."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import current_supplier
from returns.selectors.contract_life import contracts_life, supplier_contracts

from ..access import supplier_required


@supplier_required
def contracts(request: HttpRequest) -> HttpResponse:
    supplier = current_supplier(request=request)
    today = timezone.localdate()
    lives = contracts_life(contracts=supplier_contracts(supplier=supplier), today=today)
    return render(
        request,
        "returns/supplier/contracts.html",
        {
            "supplier": supplier,
            "lives": lives,
            "today": today,
            "still_needed": sum(
                (life.still_needed for life in lives if not life.has_ended), 0
            ),
        },
    )
