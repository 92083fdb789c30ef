from django.urls import path

from returns.views import member

app_name = "member"

urlpatterns = [
    path("", member.home, name="home"),
]
