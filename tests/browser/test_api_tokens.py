"""A member viewer creates an API token on the settings page, a program reads the
member's contracts with it, the viewer revokes it and the next read is refused; the
API's documentation renders under the portal's CSP."""

import json
import urllib.error
import urllib.request

import pytest

from tests import factories
from tests.browser.conftest import assert_accessible, sign_in
from tests.returns.impact_world import build_impact_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _read(url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_member_viewer_creates_uses_and_revokes_a_token(
    page, live_server, csp_violations
):
    world = build_impact_world()
    viewer = factories.MemberViewerFactory(member=world["member_a"])
    sign_in(page, live_server, viewer.user.email, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/member/")
    page.get_by_role("link", name="API tokens").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API tokens"
    assert_accessible(page, "api-tokens")

    page.get_by_label("Name").fill("Board report")
    page.get_by_label("Hollins Homes (member)").check()
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("svr_")
    assert_accessible(page, "api-token-created")

    status, body = _read(f"{live_server.url}/api/v1/contracts/", secret)
    assert status == 200
    assert [row["reference"] for row in body["results"]] == ["C-1", "C-2", "C-4"]

    page.goto(f"{live_server.url}/api-tokens/")  # shown once: not on the page again
    assert secret not in page.content()
    assert "Board report" in page.locator("#tokens").inner_text()
    page.get_by_role("button", name="Revoke Board report").click()
    assert "is revoked" in page.locator("main").inner_text()

    status, body = _read(f"{live_server.url}/api/v1/contracts/", secret)
    assert status == 401
    assert body["status"] == 401


def test_the_api_documentation_renders_with_no_csp_violation(
    page, live_server, csp_violations
):
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Social value returns API" in page.locator(".swagger-ui .info").inner_text()
    page.locator(".opblock-summary-path").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/contracts/" in [p.replace("\u200b", "") for p in paths]
