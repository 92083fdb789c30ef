from django.urls import path

from returns.views import evidence, history, shortfall, team, team_lines

app_name = "team"

urlpatterns = [
    path("", team.home, name="home"),
    path(
        "history/<str:kind>/<int:pk>/",
        history.history,
        name="history",
    ),
    path("shortfall/", shortfall.shortfall, name="shortfall"),
    path("shortfall/at-risk/", shortfall.at_risk, name="shortfall_at_risk"),
    path("shortfall/ended-short/", shortfall.ended_short, name="shortfall_ended_short"),
    path(
        "lines/<int:pk>/attachments/",
        team_lines.line_attachments,
        name="line_attachments",
    ),
    path(
        "evidence/<int:evidence_id>/",
        evidence.team_evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<int:evidence_id>/erase/",
        evidence.evidence_erase_view,
        name="evidence_erase",
    ),
]
