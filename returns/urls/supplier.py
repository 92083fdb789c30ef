from django.urls import path

from returns.views import supplier

app_name = "supplier"

urlpatterns = [
    path("", supplier.home, name="home"),
    path("<str:reference>/", supplier.return_detail, name="return_detail"),
]
