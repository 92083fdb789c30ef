from django.urls import path

from returns.views import case_studies, member

app_name = "member"

urlpatterns = [
    path("", member.home, name="home"),
    path("case-studies/", case_studies.member_case_studies, name="case_studies"),
]
