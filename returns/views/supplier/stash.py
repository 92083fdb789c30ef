"""Figures typed into a line when the session had expired are not lost.

A POST that arrives signed out is kept in the (new, anonymous) session under the
page's path; signing in keeps the session's data (Django cycles the key), and the
line page then shows the kept figures back for the person to check and save. Nothing
is saved without them seeing it first.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

STASH_KEY = "unsaved_line_form"
MAX_FIELDS = 60
MAX_VALUE = 4000


def stash_and_sign_in(request):
    data = {
        key: value[:MAX_VALUE]
        for key, value in list(request.POST.items())[:MAX_FIELDS]
        if key != "csrfmiddlewaretoken"
    }
    request.session[STASH_KEY] = {"path": request.path, "data": data}
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def pop_stash(request) -> dict | None:
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    return stash.get("data") or None
