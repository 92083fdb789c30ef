"""The portal's URL table: sign-in, the three roles' pages, the public report, the
admin, health."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from api import pages as api_pages
from returns.views import case_studies

from . import health, views

# The admin's own login skips allauth's rate limits and two-factor step.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Social value returns: administration"
admin.site.site_title = "Social value returns"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", health.health, name="health"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        "case-studies/",
        case_studies.public_case_studies,
        name="case_studies_public",
    ),
    # People do not manage their own addresses: the email is how the team links them
    # to their organisation, so only the team changes it.
    path("accounts/email/", views.not_found),
    path("accounts/invitation/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("returns/", include("returns.urls.supplier")),
    path("team/", include("returns.urls.team")),
    path("member/", include("returns.urls.member")),
    path("impact/", include("returns.urls.impact")),
    # help pages, suppliers' requests of the team and the team's list of them
    path("", include("support.urls")),
    path("api/v1/docs/", api_pages.docs, name="api_docs"),
    path("api/v1/", include("api.urls")),
    path("open-data/", include("api.urls_opendata")),
    path("", include("api.urls_pages")),
]
