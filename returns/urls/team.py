from django.urls import path

from returns.views import (
    case_studies,
    evidence,
    history,
    imports,
    queries,
    review,
    shortfall,
    team,
    team_lines,
)

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
    path(
        "lines/<int:pk>/attachments/",
        team_lines.line_attachments,
        name="line_attachments",
    ),
    path(
        "evidence/<int:evidence_id>/",
        evidence.team_evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<int:evidence_id>/erase/",
        evidence.evidence_erase_view,
        name="evidence_erase",
    ),
    path("queries/", queries.open_queries, name="queries"),
    path("queries/<int:query_id>/", queries.answer, name="query_answer"),
    path(
        "case-studies/",
        case_studies.team_requested,
        name="case_studies",
    ),
    path(
        "case-studies/<int:case_study_id>/approve/",
        case_studies.team_approve,
        name="case_study_approve",
    ),
    path(
        "case-studies/<int:case_study_id>/erase/",
        case_studies.case_study_erase_view,
        name="case_study_erase",
    ),
    path("imports/", imports.imports, name="imports"),
    path("imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    path(
        "imports/<int:import_id>/confirm/",
        imports.import_confirm,
        name="import_confirm",
    ),
    path(
        "imports/templates/<slug:import_kind>.xlsx",
        imports.import_template,
        name="import_template",
    ),
    path("review/", review.review_list, name="review_list"),
    path("review/after-reissue/", review.reissue, name="review_reissue"),
    path("review/<str:reference>/", review.review_detail, name="review_detail"),
    path(
        "review/<str:reference>/approve/",
        review.review_approve,
        name="review_approve",
    ),
    path(
        "review/<str:reference>/send-back/",
        review.review_send_back,
        name="review_send_back",
    ),
    path("review/<str:reference>/reopen/", review.review_reopen, name="review_reopen"),
    path(
        "review/<str:reference>/lines/<int:pk>/exclude/",
        review.line_exclude,
        name="review_line_exclude",
    ),
    path(
        "review/<str:reference>/lines/<int:pk>/include/",
        review.line_include,
        name="review_line_include",
    ),
]
