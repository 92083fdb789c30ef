"""The team's "Emails that failed": every email no retry will send, with the person,
the return and the error, and "Send again"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.querystring import PageField, QueryForm
from returns.models import Notification
from returns.selectors.emails import emails_awaiting_retry_count, failed_emails
from returns.services import notification_send_again

from .access import team_required

PAGE_SIZE = 50


class PageQuery(QueryForm):
    page = PageField()


QUEUED_AGAIN = "The {kind} email to {address} is being sent again."


@team_required
def failed(request: HttpRequest) -> HttpResponse:
    page = PageQuery(request.GET).values["page"]
    page_obj = Paginator(failed_emails(), PAGE_SIZE).get_page(page)
    return render(
        request,
        "returns/team/emails_failed.html",
        {
            "page_obj": page_obj,
            "emails": page_obj.object_list,
            "awaiting_retry": emails_awaiting_retry_count(),
        },
    )


@team_required
@require_POST
def send_again(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.select_related("recipient", "annual_return"), pk=pk
    )
    try:
        notification_send_again(notification=notification, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            QUEUED_AGAIN.format(
                kind=notification.get_kind_display().lower(),
                address=notification.to_address,
            ),
        )
    return redirect("team:emails_failed")
