"""History an auditor can read: every version with who made it, before → after."""

from decimal import Decimal

import pytest

from frameworks.models import Valuation
from returns.models import ReturnEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _edit(instance, user, **changes):
    for name, value in changes.items():
        setattr(instance, name, value)
    instance._history_user = user
    instance.save()


def test_a_line_edited_twice_shows_both_versions_and_their_editors(team_client):
    first, second = factories.UserFactory(), factories.UserFactory()
    line = factories.ReturnLineFactory()
    entry = ReturnEntry(line=line, measure=factories.measure("EMP-FT"), quantity=1)
    _edit(entry, first)
    _edit(line, first, shortfall_reason="Site closed for a month", version=2)
    _edit(entry, second, quantity=Decimal("3"))
    _edit(line, second, shortfall_reason="Site closed for two months", version=3)

    page = team_client.get(f"/team/history/line/{line.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert first.email in html and second.email in html
    assert "Site closed for a month → Site closed for two months" in html
    assert "Figure EMP-FT" in html
    assert "1.00 → 3.00" in html


def test_a_corrected_valuation_keeps_the_old_amount_in_the_contract_history(
    team_client,
):
    valuation = factories.ValuationFactory(amount=Decimal("50000.00"))
    _edit(valuation, factories.UserFactory(), amount=Decimal("52500.00"))
    page = team_client.get(f"/team/history/contract/{valuation.contract_id}/")
    assert "50000.00 → 52500.00" in page.content.decode()
    page = team_client.get(f"/team/history/valuation/{valuation.pk}/")
    assert "50000.00 → 52500.00" in page.content.decode()
    assert Valuation.history.filter(id=valuation.pk).count() == 2


def test_history_exports_as_csv_with_text_neutralised(team_client):
    line = factories.ReturnLineFactory()
    _edit(line, factories.UserFactory(), shortfall_reason='=HYPERLINK("http://x","y")')
    response = team_client.get(f"/team/history/line/{line.pk}/?format=csv")
    assert response["Content-Disposition"].startswith("attachment")
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body


@pytest.mark.parametrize("kind", ["return", "line", "contract", "valuation", "other"])
def test_history_of_nothing_is_not_found(team_client, kind):
    assert team_client.get(f"/team/history/{kind}/999999/").status_code == 404


def test_suppliers_cannot_read_history(supplier_client):
    line = factories.ReturnLineFactory()
    assert supplier_client.get(f"/team/history/line/{line.pk}/").status_code == 403
