"""Pages of the API app: a person's tokens, the team's extracts."""

from django.urls import path

from . import pages

app_name = "api_pages"

urlpatterns = [
    path("api-tokens/", pages.tokens, name="tokens"),
    path(
        "api-tokens/<id:token_id>/revoke/",
        pages.token_revoke_view,
        name="token_revoke",
    ),
    path("team/extracts/", pages.extracts, name="extracts"),
]
