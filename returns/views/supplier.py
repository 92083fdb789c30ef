from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from returns import selectors

from .access import supplier_required


@supplier_required
def home(request: HttpRequest) -> HttpResponse:
    returns = selectors.supplier_returns_for_user(user=request.user)
    return render(request, "returns/supplier/home.html", {"returns": returns})


@supplier_required
def return_detail(request: HttpRequest, reference: str) -> HttpResponse:
    annual_return = selectors.supplier_return_get(
        user=request.user, reference=reference
    )
    lines = selectors.return_lines(annual_return=annual_return)
    return render(
        request,
        "returns/supplier/return_detail.html",
        {"annual_return": annual_return, "lines": lines},
    )
