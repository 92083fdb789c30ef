from django.urls import path

from returns.views import spreadsheets, supplier

app_name = "supplier"

urlpatterns = [
    path("", supplier.home, name="home"),
    path("<str:reference>/", supplier.return_detail, name="return_detail"),
    path(
        "<str:reference>/contracts/<int:line_id>/",
        supplier.line,
        name="line",
    ),
    path("<str:reference>/check/", supplier.check_answers, name="check"),
    path("<str:reference>/submitted/", supplier.submitted, name="submitted"),
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
