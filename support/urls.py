"""URL tables of the support app: the public help pages, a supplier's requests on
a return (under /returns/, beside the return's own pages), and the team's list."""

from django.urls import include, path

from . import views

public = (
    [
        path("", views.help_page, name="index"),
        path("guidance/", views.guidance, name="guidance"),
        path("how-to/", views.how_to, name="how_to"),
    ],
    "help",
)

supplier = (
    [
        path("<key:reference>/help/", views.requests_page, name="requests"),
        path("<key:reference>/help/ask/", views.ask_help, name="ask"),
        path(
            "<key:reference>/contracts/<id:line_id>/help/",
            views.ask_help,
            name="ask_line",
        ),
        path("<key:reference>/help/more-time/", views.ask_extension, name="extension"),
        path("<key:reference>/help/reopen/", views.ask_reopen, name="reopen"),
        path(
            "<key:reference>/help/missing-contract/",
            views.ask_missing_contract,
            name="missing_contract",
        ),
        path(
            "<key:reference>/help/<id:request_id>/",
            views.request_detail,
            name="request",
        ),
    ],
    "support",
)

team = (
    [
        path("", views.team_list, name="list"),
        path("<id:request_id>/", views.team_detail, name="detail"),
    ],
    "support_team",
)

urlpatterns = [
    path("help/", include(public)),
    path("returns/", include(supplier)),
    path("team/requests/", include(team)),
]
