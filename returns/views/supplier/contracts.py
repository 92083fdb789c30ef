"""Your contracts: each of the supplier's contracts over its whole life."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import current_supplier
from core.querystring import IdField, PageField, QueryForm
from returns.selectors.contract_life import (
    contracts_life,
    still_needed_total,
    supplier_contracts,
)

from ..access import supplier_required

PAGE_SIZE = 50  # each contract is a table of its years: a page stays quick


class ContractsQuery(QueryForm):
    page = PageField()
    contract = IdField()  # one contract only (the line page links so)


@supplier_required
def contracts(request: HttpRequest) -> HttpResponse:
    supplier = current_supplier(request=request)
    today = timezone.localdate()
    query = ContractsQuery(request.GET).values
    every = supplier_contracts(supplier=supplier)
    shown = every.filter(pk=query["contract"]) if query["contract"] else every
    page_obj = Paginator(shown, PAGE_SIZE).get_page(query["page"])
    return render(
        request,
        "returns/supplier/contracts.html",
        {
            "supplier": supplier,
            "lives": contracts_life(contracts=page_obj.object_list, today=today),
            "page_obj": page_obj,
            "one": bool(query["contract"]),
            "still_needed": still_needed_total(contracts=every, today=today),
        },
    )
