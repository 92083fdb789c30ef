"""The team's read-only pages of one supplier and of one contract, outside the
Django admin: everything about it on one page, linked from every team page that
names it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from returns.selectors.contract_life import contract_life
from returns.selectors.team_supplier import (
    supplier_page,
    team_contract_get,
    team_supplier_get,
)

from .access import team_required


@team_required
def supplier(request: HttpRequest, supplier_id: int) -> HttpResponse:
    page = supplier_page(supplier=team_supplier_get(pk=supplier_id))
    return render(request, "returns/team/supplier.html", {"page": page})


@team_required
def contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    life = contract_life(
        contract=team_contract_get(pk=contract_id), today=timezone.localdate()
    )
    return render(request, "returns/team/contract.html", {"life": life})
