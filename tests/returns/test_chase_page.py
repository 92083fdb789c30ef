"""The supplier's chasing page, reached from the completion page: which contracts
are still to do, a link to the return, and the next supplier in the same filter."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from returns.models import AnnualReturn
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


@pytest.fixture(autouse=True)
def _after_the_deadline():
    with time_machine.travel(datetime.datetime(2025, 7, 5, 10, 0, tzinfo=LONDON)):
        yield


def _return(year, name, status):
    supplier = factories.SupplierFactory(name=name)
    annual_return = factories.issued_return(year=year, supplier=supplier, status=status)
    factories.ReturnLineFactory(annual_return=annual_return)
    return annual_return


def test_next_supplier_follows_the_completion_pages_filter_and_order(team_client):
    year = factories.ReportingYearFactory()
    alpha = _return(year, "Alpha", S.NOT_STARTED)
    _return(year, "Beta", S.APPROVED)  # not in the "open" filter
    gamma = _return(year, "Gamma", S.IN_PROGRESS)
    completion = reverse("team:completion", kwargs={"slug": year.slug})
    page = team_client.get(completion, {"status": "open"}).content.decode()
    first = reverse("team:chase_history", args=[alpha.reference]) + "?status=open"
    assert first in page
    response = team_client.get(first)
    assert response.context["next_url"] == (
        reverse("team:chase_history", args=[gamma.reference]) + "?status=open"
    )
    assert response.context["completion_url"].endswith("?status=open#suppliers")
    last = team_client.get(response.context["next_url"])
    assert last.context["next_url"] is None


def test_the_chasing_page_lists_the_contracts_still_to_do(team_client):
    year = factories.ReportingYearFactory()
    annual_return = factories.issued_return(year=year, status=S.IN_PROGRESS)
    empty = factories.ReturnLineFactory(annual_return=annual_return)
    done = factories.ReturnLineFactory(annual_return=annual_return, target_credits=0)
    factories.ReturnEntryFactory(line=done, quantity=5)
    response = team_client.get(
        reverse("team:chase_history", args=[annual_return.reference])
    )
    incomplete = [line for line, _ in response.context["incomplete"]]
    assert incomplete == [empty]
    page = response.content.decode()
    assert reverse("supplier:line", args=[annual_return.reference, empty.pk]) in page
    assert reverse("supplier:return_detail", args=[annual_return.reference]) in page


def test_a_bad_filter_on_the_chasing_page_falls_back_to_the_whole_list(team_client):
    year = factories.ReportingYearFactory()
    annual_return = _return(year, "Alpha", S.NOT_STARTED)
    url = reverse("team:chase_history", args=[annual_return.reference])
    for query in ("?status=%00", "?overdue_days=99999999999999999999999", "?sort=zz"):
        assert team_client.get(url + query).status_code == 200
