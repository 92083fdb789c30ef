from django.urls import path

from returns.views import history, team

app_name = "team"

urlpatterns = [
    path("", team.home, name="home"),
    path(
        "history/<str:kind>/<int:pk>/",
        history.history,
        name="history",
    ),
]
