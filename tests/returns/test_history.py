"""History an auditor can read: every version with who made it, before → after."""

from decimal import Decimal

import pytest

from frameworks.models import Valuation
from returns.models import ReturnEntry, ReturnLine
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
    assert "1 → 3" in html


def test_a_corrected_valuation_keeps_the_old_amount_in_the_contract_history(
    team_client,
):
    valuation = factories.ValuationFactory(amount=Decimal("50000.00"))
    _edit(valuation, factories.UserFactory(), amount=Decimal("52500.00"))
    page = team_client.get(f"/team/history/contract/{valuation.contract_id}/")
    assert "£50,000.00 → £52,500.00" in page.content.decode()
    page = team_client.get(f"/team/history/valuation/{valuation.pk}/")
    assert "£50,000.00 → £52,500.00" in page.content.decode()
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


def _issued_year():
    from django.utils import timezone

    year = factories.ReportingYearFactory()
    year.ready_at = timezone.now()
    year.save()
    contract = factories.ContractFactory()
    for month, day in ((6, 30), (9, 30)):
        factories.ValuationFactory(
            contract=contract,
            period_end=year.starts_on.replace(month=month, day=day),
            amount=Decimal("75000.00"),
        )
    return year, contract


def test_issued_returns_and_lines_start_with_an_issued_entry_by_the_run(team_client):
    """Issuing writes returns and lines in bulk SQL: their history links answered
    404 until issuing wrote their first history rows."""
    from returns.services.issuing import returns_issue

    year, contract = _issued_year()
    actor = factories.TeamUserFactory(full_name="Ivy Issuer")
    returns_issue(year=year, started_by=actor)
    line = ReturnLine.objects.get(contract=contract)

    for kind, pk in (("return", line.annual_return_id), ("line", line.pk)):
        page = team_client.get(f"/team/history/{kind}/{pk}/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "Created" in html and "Issued" in html
        assert actor.email in html
    line_page = team_client.get(f"/team/history/line/{line.pk}/").content.decode()
    assert f"Contract {contract.reference} on return" in line_page
    assert "£150,000.00" in line_page  # the spend, formatted
    assert ReturnLine.history.get(id=line.pk).history_user == actor


def test_a_line_added_at_a_re_issue_by_the_daily_job_says_so():
    from returns.services.issuing import returns_issue

    year, contract = _issued_year()
    returns_issue(year=year)
    newcomer = factories.ContractFactory(supplier=contract.supplier)
    factories.ValuationFactory(
        contract=newcomer,
        period_end=year.starts_on.replace(month=12, day=31),
        amount=Decimal("200000.00"),
    )
    returns_issue(year=year)
    record = ReturnLine.history.get(contract_id=newcomer.pk)
    assert record.history_change_reason == "Added at re-issue"
    assert record.history_user is None  # the daily job: "The portal (automatic)"


def test_history_names_people_and_organisations_not_their_ids(team_client):
    supplier = factories.SupplierFactory(name="Harbour & Sons Ltd")
    annual_return = factories.AnnualReturnFactory(supplier=supplier)
    approver = factories.TeamUserFactory(full_name="Abi Approver")
    _edit(annual_return, approver, approved_by=approver)

    html = team_client.get(f"/team/history/return/{annual_return.pk}/").content
    html = html.decode()
    assert "Harbour &amp; Sons Ltd" in html
    assert "Abi Approver" in html
    assert f"Approved by</strong>: {approver.pk}" not in html
    assert f"Supplier</strong>: {supplier.pk}" not in html


def test_an_object_loaded_without_history_has_a_page_not_a_404(team_client):
    from frameworks.models import Contract

    contract = factories.ContractFactory()
    Contract.history.filter(id=contract.pk).delete()  # as bulk loading leaves it
    page = team_client.get(f"/team/history/contract/{contract.pk}/")
    assert page.status_code == 200
    assert "No change has been recorded" in page.content.decode()
