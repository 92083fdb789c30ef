from django.urls import path

from returns.views import supplier

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
]
