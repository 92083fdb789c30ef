"""The invitation link (mounted under /accounts/invitation/, beside allauth's pages)."""

from django.urls import path

from .views import invitations

urlpatterns = [
    path("<key:token>/", invitations.accept, name="invitation_accept"),
    path(
        "<key:token>/sign-out/",
        invitations.sign_out_then_accept,
        name="invitation_sign_out",
    ),
]
