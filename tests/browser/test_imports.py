"""The team uploads a valuations file, reads the check's report, confirms it and sees
it imported; each page passes axe-core, and a bad file shows its problems."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from frameworks.models import Valuation
from tests import factories
from tests.browser.conftest import assert_accessible
from tests.frameworks.sheets import xlsx
from tests.sessions import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Contract reference", "Quarter ending", "Spend in quarter (£, excl. VAT)"]


def _signed_in_as_team(page, live_server):
    client = Client()
    signed_in(client, factories.TeamUserFactory())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )


def test_the_team_checks_confirms_and_imports_a_file(
    page, live_server, tmp_path, csp_violations
):
    contract = factories.ContractFactory(reference="C-1")
    good = tmp_path / "valuations.xlsx"
    good.write_bytes(xlsx(HEADER, ["C-1", datetime.date(2024, 6, 30), 1000]))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(HEADER, ["C-1", "31/06/2024", 1000]))
    _signed_in_as_team(page, live_server)

    page.goto(f"{live_server.url}/team/imports/")
    assert_accessible(page, "imports")
    page.get_by_label("Upload a file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Nothing has been imported").wait_for()
    assert "Row 2, column B (Quarter ending)" in page.content()
    assert_accessible(page, "import-refused")

    page.goto(f"{live_server.url}/team/imports/")
    page.get_by_label("Upload a file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Confirm and import").wait_for()
    assert "What importing would do" in page.content()
    assert not Valuation.objects.exists()
    assert_accessible(page, "import-checked")
    page.get_by_role("button", name="Confirm and import").click()
    page.locator(".govuk-panel__title").wait_for()
    assert "1 created" in page.locator(".govuk-panel__body").inner_text()
    assert Valuation.objects.get(contract=contract).amount == 1000
    assert_accessible(page, "import-applied")
    assert not csp_violations
