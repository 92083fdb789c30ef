from django.urls import path

from returns.views import case_studies, member

app_name = "member"

urlpatterns = [
    path("", member.home, name="home"),
    path("case-studies/", case_studies.member_case_studies, name="case_studies"),
    path("switch/", member.switch, name="switch"),
    path("case-studies/<id:case_study_id>/", member.case_study, name="case_study"),
    path("contracts/<id:contract_id>/", member.contract, name="contract"),
    path("<key:year_slug>/", member.year, name="year"),
    path("<key:year_slug>/contracts.xlsx", member.export, name="export"),
]
