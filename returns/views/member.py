from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import members_for_user
from returns import selectors

from .access import member_required


@member_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "returns/member/home.html",
        {
            "members": members_for_user(user=request.user),
            "lines": selectors.member_lines_for_user(user=request.user)[:200],
        },
    )
