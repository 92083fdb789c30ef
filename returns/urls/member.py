from django.urls import path

from returns.views import case_studies, member
from returns.views.member import checks

app_name = "member"

urlpatterns = [
    path("", member.home, name="home"),
    path("case-studies/", case_studies.member_case_studies, name="case_studies"),
    path("switch/", member.switch, name="switch"),
    path("case-studies/<id:case_study_id>/", member.case_study, name="case_study"),
    path("contracts/<id:contract_id>/", member.contract, name="contract"),
    path("email-settings/", checks.email_settings, name="email_settings"),
    path("lines/<id:line_id>/confirm/", checks.line_confirm, name="line_confirm"),
    path("lines/<id:line_id>/dispute/", checks.line_dispute, name="line_dispute"),
    path("<key:year_slug>/", member.year, name="year"),
    path("<key:year_slug>/contracts.xlsx", member.export, name="export"),
]
