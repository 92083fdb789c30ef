from django.urls import path

from returns.views import impact

app_name = "impact"

urlpatterns = [
    path("", impact.index, name="index"),
    path("<key:year_slug>/", impact.report, name="report"),
    path("<key:year_slug>/report.xlsx", impact.export, name="export"),
]
