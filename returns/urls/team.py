from django.urls import path

from returns.views import team

app_name = "team"

urlpatterns = [
    path("", team.home, name="home"),
]
