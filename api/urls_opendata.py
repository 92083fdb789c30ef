"""`/open-data/<year>/`: a published year's tables and its OCDS release package."""

from django.urls import path

from . import opendata_views

app_name = "open_data"

urlpatterns = [
    path("<key:year_slug>/tables.json", opendata_views.tables_json, name="tables"),
    path(
        "<key:year_slug>/ocds-release-package.json",
        opendata_views.ocds_package,
        name="ocds",
    ),
    path("<key:year_slug>/<key:table>.csv", opendata_views.table_csv, name="table"),
]
