from django.urls import path

from returns.views import history, shortfall, spreadsheets, team

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
        "returns/<str:reference>/spreadsheet/",
        spreadsheets.team_download,
        name="spreadsheet_download",
    ),
    path(
        "returns/<str:reference>/spreadsheet/upload/",
        spreadsheets.team_upload,
        name="spreadsheet_upload",
    ),
    path(
        "returns/<str:reference>/spreadsheet/confirm/",
        spreadsheets.team_confirm,
        name="spreadsheet_confirm",
    ),
    path("exports/<str:slug>/", spreadsheets.team_year_exports, name="year_exports"),
    path(
        "exports/download/<int:pk>/",
        spreadsheets.team_year_export_download,
        name="year_export_download",
    ),
]
