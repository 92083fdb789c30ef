from django.urls import path

from returns.views import history, shortfall, team

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
]
