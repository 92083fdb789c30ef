"""`/api/v1/`: the read-only JSON API, its OpenAPI schema and documentation."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from . import api_views

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("years/", api_views.YearList.as_view(), name="years"),
    path(
        "years/<key:year_slug>/measures/",
        api_views.YearMeasures.as_view(),
        name="year_measures",
    ),
    path(
        "years/<key:year_slug>/contract-figures/",
        api_views.YearContractFigures.as_view(),
        name="year_contract_figures",
    ),
    path(
        "years/<key:year_slug>/completion/",
        api_views.YearCompletion.as_view(),
        name="year_completion",
    ),
    path("contracts/", api_views.ContractList.as_view(), name="contracts"),
    path(
        "contracts/<id:contract_id>/",
        api_views.ContractDetail.as_view(),
        name="contract",
    ),
    path(
        "contracts/<id:contract_id>/figures/",
        api_views.ContractFigures.as_view(),
        name="contract_figures",
    ),
    path("returns/", api_views.ReturnList.as_view(), name="returns"),
    path(
        "reports/<key:year_slug>/",
        api_views.ImpactReport.as_view(),
        name="impact_report",
    ),
    # Last: any other path is a problem+json 404 (unnamed: nothing links to it).
    re_path(r"^.*$", api_views.NotFound.as_view()),
]
