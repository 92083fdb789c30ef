from django.urls import path

from accounts.views import colleagues
from returns.views import case_studies, evidence, queries, spreadsheets, supplier

app_name = "supplier"

urlpatterns = [
    path("", supplier.home, name="home"),
    # Colleagues and switching supplier (accounts.views.colleagues): before the
    # <str:reference>/ catch-all.
    path("switch/", colleagues.switch, name="switch"),
    path("colleagues/", colleagues.colleagues, name="colleagues"),
    path("colleagues/invite/", colleagues.invite, name="colleague_invite"),
    path(
        "colleagues/<int:contact_id>/remove/",
        colleagues.remove,
        name="colleague_remove",
    ),
    path(
        "colleagues/<int:contact_id>/primary/",
        colleagues.make_primary,
        name="colleague_primary",
    ),
    path(
        "colleagues/invitations/<int:invitation_id>/withdraw/",
        colleagues.withdraw_invitation,
        name="colleague_invitation_withdraw",
    ),
    path("<str:reference>/", supplier.return_detail, name="return_detail"),
    path(
        "<str:reference>/contracts/<int:line_id>/",
        supplier.line,
        name="line",
    ),
    path("<str:reference>/check/", supplier.check_answers, name="check"),
    path("<str:reference>/submitted/", supplier.submitted, name="submitted"),
    path(
        "<str:reference>/lines/<int:pk>/evidence/",
        evidence.line_evidence,
        name="line_evidence",
    ),
    path(
        "<str:reference>/lines/<int:pk>/evidence/<int:evidence_id>/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "<str:reference>/lines/<int:pk>/queries/",
        queries.line_queries,
        name="line_queries",
    ),
    path(
        "<str:reference>/lines/<int:pk>/case-studies/",
        case_studies.line_case_studies,
        name="line_case_studies",
    ),
    path(
        "<str:reference>/lines/<int:pk>/case-studies/new/",
        case_studies.case_study_edit,
        name="case_study_create",
    ),
    path(
        "<str:reference>/lines/<int:pk>/case-studies/<int:case_study_id>/",
        case_studies.case_study_edit,
        name="case_study_edit",
    ),
]


urlpatterns += [
    path(
        "<str:reference>/spreadsheet/",
        spreadsheets.supplier_download,
        name="spreadsheet_download",
    ),
    path(
        "<str:reference>/spreadsheet/upload/",
        spreadsheets.supplier_upload,
        name="spreadsheet_upload",
    ),
    path(
        "<str:reference>/spreadsheet/confirm/",
        spreadsheets.supplier_confirm,
        name="spreadsheet_confirm",
    ),
]
