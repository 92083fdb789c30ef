"""The OpenAPI schema is valid OpenAPI 3 and lists every endpoint of `/api/v1/`."""

import re

import pytest
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema

from tests.api.helpers import api_get

pytestmark = pytest.mark.django_db


def _api_paths() -> set[str]:
    resolver = get_resolver()
    api = next(
        entry
        for entry in resolver.url_patterns
        if getattr(entry, "namespace", None) == "api"
    )
    paths = set()
    for pattern in api.url_patterns:
        if pattern.name in ("schema", None):
            continue
        route = re.sub(r"<\w+:(\w+)>", r"{\1}", str(pattern.pattern))
        paths.add(f"/api/v1/{route}")
    return paths


def test_the_schema_is_valid_openapi_and_lists_every_endpoint():
    response = api_get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == _api_paths()
    assert len(schema["paths"]) == 9
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path  # read-only
    security = schema["components"]["securitySchemes"]["bearerToken"]
    assert security == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from your API tokens page.",
    }
    report = schema["paths"]["/api/v1/reports/{year_slug}/"]["get"]
    assert not report.get("security")  # no token needed
    contracts = schema["paths"]["/api/v1/contracts/"]["get"]
    assert contracts["security"] == [{"bearerToken": []}]
    assert "records each answered use" not in response.content.decode()


def test_the_docs_page_loads_its_files_from_the_portal(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert (
        'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"'
        in page
    )
    assert 'src="/static/api/docs.js"' in page
    assert "<script>" not in page  # nothing inline (CSP)
    assert "https://" not in page
