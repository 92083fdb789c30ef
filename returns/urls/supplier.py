from django.urls import path

from accounts.views import colleagues
from returns.views import case_studies, evidence, queries, spreadsheets, supplier

app_name = "supplier"

urlpatterns = [
    path("", supplier.home, name="home"),
    # Colleagues and switching supplier (accounts.views.colleagues): before the
    # <key:reference>/ catch-all.
    path("switch/", colleagues.switch, name="switch"),
    path("colleagues/", colleagues.colleagues, name="colleagues"),
    path("colleagues/invite/", colleagues.invite, name="colleague_invite"),
    path(
        "colleagues/<id:contact_id>/remove/",
        colleagues.remove,
        name="colleague_remove",
    ),
    path(
        "colleagues/<id:contact_id>/primary/",
        colleagues.make_primary,
        name="colleague_primary",
    ),
    path(
        "colleagues/invitations/<id:invitation_id>/withdraw/",
        colleagues.withdraw_invitation,
        name="colleague_invitation_withdraw",
    ),
    # Every contract of the supplier over its whole life: before the catch-all.
    path("contracts/", supplier.contracts, name="contracts"),
    path("<key:reference>/", supplier.return_detail, name="return_detail"),
    path(
        "<key:reference>/contracts/<id:line_id>/",
        supplier.line,
        name="line",
    ),
    path(
        "<key:reference>/contracts/<id:line_id>/checks/",
        supplier.line_checks,
        name="line_checks",
    ),
    path("<key:reference>/check/", supplier.check_answers, name="check"),
    path("<key:reference>/submitted/", supplier.submitted, name="submitted"),
    path(
        "<key:reference>/submitted/copy.pdf",
        supplier.submitted_copy,
        name="submitted_copy",
    ),
    path(
        "<key:reference>/lines/<id:pk>/evidence/",
        evidence.line_evidence,
        name="line_evidence",
    ),
    path(
        "<key:reference>/lines/<id:pk>/evidence/<id:evidence_id>/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "<key:reference>/lines/<id:pk>/queries/",
        queries.line_queries,
        name="line_queries",
    ),
    path(
        "<key:reference>/lines/<id:pk>/case-studies/",
        case_studies.line_case_studies,
        name="line_case_studies",
    ),
    path(
        "<key:reference>/lines/<id:pk>/case-studies/new/",
        case_studies.case_study_edit,
        name="case_study_create",
    ),
    path(
        "<key:reference>/lines/<id:pk>/case-studies/<id:case_study_id>/",
        case_studies.case_study_edit,
        name="case_study_edit",
    ),
]


urlpatterns += [
    path(
        "<key:reference>/spreadsheet/",
        spreadsheets.supplier_download,
        name="spreadsheet_download",
    ),
    path(
        "<key:reference>/spreadsheet/upload/",
        spreadsheets.supplier_upload,
        name="spreadsheet_upload",
    ),
    path(
        "<key:reference>/spreadsheet/confirm/",
        spreadsheets.supplier_confirm,
        name="spreadsheet_confirm",
    ),
]
