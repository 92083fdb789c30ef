"""Every value a visitor puts in a URL goes through one parsing layer: the query
string through a `core.querystring.QueryForm`, the path through the `id` and `key`
converters (issue 18). The URL walk's hostile-value test proves no page answers 500;
these keep the rule itself from eroding."""

import re
from pathlib import Path

import pytest
from django import forms
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, StringConverter

from core.querystring import IdField, PageField, QueryForm, SearchField

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = (
    "accounts",
    "frameworks",
    "returns",
    "support",
    "api",
    "portal",
    "core",
    "demo",
)


def _patterns(resolver):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_the_projects_urls_take_ids_and_keys_through_bounded_converters():
    loose = []
    for pattern in _patterns(get_resolver()):
        module = getattr(pattern.callback, "__module__", "") or ""
        if not module.startswith(PROJECT_APPS):
            continue  # the admin's and allauth's own URLs (the admin is guarded)
        for name, converter in pattern.pattern.converters.items():
            if type(converter) in (IntConverter, StringConverter):
                loose.append(f"{pattern.pattern} ({name})")
    assert not loose, f"use <id:…> or <key:…>, not int or str: {loose}"


def test_no_view_reads_the_query_string_by_hand():
    by_hand = re.compile(r"request\.GET(\.get\(|\[|\.getlist\()")
    found = []
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            for number, line in enumerate(text.splitlines(), start=1):
                if by_hand.search(line) and "admin_site.py" not in path.name:
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, f"read query values through a QueryForm: {found}"


class Sample(QueryForm):
    defaults = {"sort": "name"}
    supplier = IdField()
    page = PageField()
    q = SearchField()
    sort = forms.ChoiceField(
        required=False, choices=[("name", "Name"), ("size", "Size")]
    )


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, {"supplier": None, "page": None, "q": "", "sort": "name"}),
        (
            {"supplier": "12", "page": "3", "q": " acme ", "sort": "size"},
            {"supplier": 12, "page": 3, "q": "acme", "sort": "size"},
        ),
        (
            {"supplier": "9" * 40, "page": "9" * 40, "q": "x" * 10_000, "sort": "x"},
            {"supplier": None, "page": None, "q": "", "sort": "name"},
        ),
        (
            {"supplier": "-1", "page": "0", "q": "a\x00b", "sort": "\x00"},
            {"supplier": None, "page": None, "q": "", "sort": "name"},
        ),
        (
            {"supplier": "1' OR '1'='1", "page": "1;--", "q": "1' OR '1'='1"},
            {"supplier": None, "page": None, "q": "1' OR '1'='1", "sort": "name"},
        ),
    ],
)
def test_a_bad_query_value_is_the_default_and_never_an_error(data, expected):
    assert Sample(data).values == expected


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["password", "1" * 40, "-1"])
def test_a_word_or_a_huge_number_as_a_history_version_in_the_admin_is_not_found(
    client, version
):
    from tests import factories
    from tests.sessions import signed_in

    signed_in(client, factories.AdministratorFactory())
    user = factories.UserFactory()
    response = client.get(f"/admin/accounts/user/{user.pk}/history/{version}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_password_link_on_a_persons_history_page_in_the_admin_answers(client):
    """Django's "../password/" resolved to /user/1/history/password/ (404) from a
    history version's page; the link is the person's password page itself."""
    import re

    from accounts.models import User
    from tests import factories
    from tests.sessions import signed_in

    signed_in(client, factories.AdministratorFactory(is_superuser=True))
    user = factories.UserFactory()
    user.full_name = "Changed Name"
    user.save()
    version = User.history.filter(id=user.pk).latest("history_id").history_id
    page = client.get(f"/admin/accounts/user/{user.pk}/history/{version}/")
    assert page.status_code == 200
    links = re.findall(r'href="([^"]*password/)"', page.content.decode())
    assert links == [f"/admin/accounts/user/{user.pk}/password/"]
    assert client.get(links[0]).status_code == 200
