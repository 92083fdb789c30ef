from django.urls import path

from accounts.views import team as people
from returns.views import (
    case_studies,
    emails,
    evidence,
    history,
    imports,
    queries,
    reports,
    review,
    search,
    shortfall,
    spreadsheets,
    team,
    team_lines,
    team_records,
    years,
)
from returns.views.member import checks as member_checks

app_name = "team"

urlpatterns = [
    path("", team.home, name="home"),
    path("search/", search.search, name="search"),
    path("suppliers/<id:supplier_id>/", team_records.supplier, name="supplier"),
    path("contracts/<id:contract_id>/", team_records.contract, name="contract"),
    path(
        "contacts/never-signed-in/",
        team.never_signed_in,
        name="contacts_never_signed_in",
    ),
    path(
        "history/<key:kind>/<id:pk>/",
        history.history,
        name="history",
    ),
    path("shortfall/", shortfall.shortfall, name="shortfall"),
    path("reports/", reports.index, name="reports"),
    path("reports/<key:year_slug>/", reports.report, name="report"),
    path("reports/<key:year_slug>/report.xlsx", reports.export, name="report_export"),
    path("reports/<key:year_slug>/publish/", reports.publish, name="report_publish"),
    path("shortfall/at-risk/", shortfall.at_risk, name="shortfall_at_risk"),
    path("shortfall/ended-short/", shortfall.ended_short, name="shortfall_ended_short"),
    path(
        "lines/<id:pk>/attachments/",
        team_lines.line_attachments,
        name="line_attachments",
    ),
    path(
        "evidence/<id:evidence_id>/",
        evidence.team_evidence_download,
        name="evidence_download",
    ),
    path(
        "evidence/<id:evidence_id>/member/",
        evidence.evidence_member_share_view,
        name="evidence_member_share",
    ),
    path(
        "evidence/<id:evidence_id>/erase/",
        evidence.evidence_erase_view,
        name="evidence_erase",
    ),
    path("emails/failed/", emails.failed, name="emails_failed"),
    path("emails/<id:pk>/send-again/", emails.send_again, name="email_send_again"),
    path("queries/", queries.open_queries, name="queries"),
    path("member-disputes/", member_checks.disputes, name="member_disputes"),
    path(
        "member-disputes/<id:dispute_id>/",
        member_checks.dispute_answer,
        name="member_dispute_answer",
    ),
    path("queries/<id:query_id>/", queries.answer, name="query_answer"),
    path(
        "case-studies/",
        case_studies.team_requested,
        name="case_studies",
    ),
    path(
        "case-studies/<id:case_study_id>/approve/",
        case_studies.team_approve,
        name="case_study_approve",
    ),
    path(
        "case-studies/<id:case_study_id>/erase/",
        case_studies.case_study_erase_view,
        name="case_study_erase",
    ),
    path("imports/", imports.imports, name="imports"),
    path("imports/<id:import_id>/", imports.import_detail, name="import_detail"),
    path(
        "imports/<id:import_id>/confirm/",
        imports.import_confirm,
        name="import_confirm",
    ),
    path(
        "imports/templates/<slug:import_kind>.xlsx",
        imports.import_template,
        name="import_template",
    ),
    path("years/", years.years, name="years"),
    path("years/open/", years.year_open_view, name="year_open"),
    path("years/<slug:slug>/", years.year_detail, name="year_detail"),
    path("years/<slug:slug>/change/", years.year_edit, name="year_edit"),
    path("years/<slug:slug>/credits/", years.year_measures, name="year_measures"),
    path("years/<slug:slug>/ready/", years.year_ready, name="year_ready"),
    path("years/<slug:slug>/run/", years.year_run, name="year_run"),
    path("years/<slug:slug>/runs/<id:run_id>/", years.issue_run, name="issue_run"),
    # People and invitations (accounts.views.team)
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="people_invite"),
    path("people/bulk/", people.bulk, name="people_bulk"),
    path(
        "people/invitations/<id:invitation_id>/resend/",
        people.resend,
        name="invitation_resend",
    ),
    path(
        "people/invitations/<id:invitation_id>/withdraw/",
        people.withdraw,
        name="invitation_withdraw",
    ),
]

from returns.views import completion  # noqa: E402

urlpatterns += [
    path("years/<slug:slug>/completion/", completion.completion, name="completion"),
    path(
        "years/<slug:slug>/completion/chasing-list/",
        completion.chasing_list,
        name="chasing_list",
    ),
    path(
        "returns/<key:reference>/chasing/",
        completion.chase_history,
        name="chase_history",
    ),
    path(
        "returns/<key:reference>/extend/",
        completion.return_extend,
        name="return_extend",
    ),
    path(
        "returns/<key:reference>/not-required/",
        completion.return_not_required,
        name="return_not_required",
    ),
    path("review/", review.review_list, name="review_list"),
    path("review/after-reissue/", review.reissue, name="review_reissue"),
    path(
        "review/approve-selected/",
        review.review_bulk_approve,
        name="review_bulk_approve",
    ),
    path("review/<key:reference>/", review.review_detail, name="review_detail"),
    path(
        "review/<key:reference>/approve/",
        review.review_approve,
        name="review_approve",
    ),
    path(
        "review/<key:reference>/send-back/",
        review.review_send_back,
        name="review_send_back",
    ),
    path("review/<key:reference>/reopen/", review.review_reopen, name="review_reopen"),
    path(
        "review/<key:reference>/lines/<id:pk>/exclude/",
        review.line_exclude,
        name="review_line_exclude",
    ),
    path(
        "review/<key:reference>/lines/<id:pk>/include/",
        review.line_include,
        name="review_line_include",
    ),
    path(
        "review/<key:reference>/flags/<id:flag_id>/check/",
        review.review_flag_check,
        name="review_flag_check",
    ),
]


urlpatterns += [
    path(
        "returns/<key:reference>/spreadsheet/",
        spreadsheets.team_download,
        name="spreadsheet_download",
    ),
    path(
        "returns/<key:reference>/spreadsheet/upload/",
        spreadsheets.team_upload,
        name="spreadsheet_upload",
    ),
    path(
        "returns/<key:reference>/spreadsheet/confirm/",
        spreadsheets.team_confirm,
        name="spreadsheet_confirm",
    ),
    path("exports/<key:slug>/", spreadsheets.team_year_exports, name="year_exports"),
    path(
        "exports/download/<id:pk>/",
        spreadsheets.team_year_export_download,
        name="year_export_download",
    ),
]
