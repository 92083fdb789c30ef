"""The team's search, and its pages of one supplier and of one contract."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from returns.models import AnnualReturn, Notification, Reminder
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, 0, tzinfo=LONDON)):
        yield


def search(client, text):
    response = client.get(reverse("team:search"), {"q": text})
    assert response.status_code == 200
    return response


def found(response, key):
    groups = {group.key: group for group in response.context["results"].groups}
    return groups[key].items if key in groups else []


def test_search_finds_each_kind_and_links_to_its_page(team_client):
    supplier = factories.SupplierFactory(
        name="Brightwater Civils Ltd", reference="S-77"
    )
    contract = factories.ContractFactory(
        supplier=supplier, reference="CON-4410", title="Estate roofing programme"
    )
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier, reference="SV-2024-25-04410"
    )
    person = factories.SupplierContactFactory(
        supplier=supplier, user__email="jo.bloggs@brightwater.example"
    )
    assert found(search(team_client, "brightwater civils"), "suppliers") == [supplier]
    assert found(search(team_client, "S-77"), "suppliers") == [supplier]
    assert found(search(team_client, "roofing"), "contracts") == [contract]
    assert found(search(team_client, "con-4410"), "contracts") == [contract]
    assert found(search(team_client, "04410"), "returns") == [annual_return]
    people = found(search(team_client, "jo.bloggs@"), "people")
    assert people == [person.user]
    page = search(team_client, "brightwater").content.decode()
    assert reverse("team:supplier", args=[supplier.pk]) in page


@pytest.mark.parametrize(
    "text", ["", "   ", "\x00", "zzzz-nothing", "'; DROP TABLE", "x" * 5000]
)
def test_search_refuses_nothing_and_says_nothing_was_found(team_client, text):
    factories.SupplierFactory(name="Acme")
    response = search(team_client, text)
    page = response.content.decode()
    assert response.context["results"].groups == []
    assert "Nothing found" in page or "Type what you are looking for" in page


@pytest.mark.postgres
def test_search_on_postgresql_finds_a_name_with_a_typo(team_client):
    supplier = factories.SupplierFactory(name="Northgate Construction Services")
    assert found(search(team_client, "Northgate Constrution"), "suppliers") == [
        supplier
    ]


def test_only_the_team_may_search_or_read_the_records(
    supplier_client, member_client, client
):
    contract = factories.ContractFactory()
    for url in (
        reverse("team:search") + "?q=a",
        reverse("team:supplier", args=[contract.supplier_id]),
        reverse("team:contract", args=[contract.pk]),
    ):
        assert supplier_client.get(url).status_code == 403
        assert member_client.get(url).status_code == 403
        assert client.get(url).status_code == 302


def test_a_missing_supplier_or_contract_is_not_found(team_client):
    assert team_client.get(reverse("team:supplier", args=[999999])).status_code == 404
    assert team_client.get(reverse("team:contract", args=[999999])).status_code == 404


def test_every_team_page_has_the_search_box(team_client):
    page = team_client.get(reverse("team:home")).content.decode()
    assert 'id="team-search-q"' in page
    assert reverse("team:search") in page


def test_the_supplier_page_shows_contacts_returns_chasing_and_queries(team_client):
    supplier = factories.SupplierFactory(name="Harbour & Sons")
    signed_in = factories.SupplierContactFactory(supplier=supplier, is_primary=True)
    signed_in.user.last_login = datetime.datetime(2025, 12, 1, 9, tzinfo=LONDON)
    signed_in.user.save(update_fields=["last_login"])
    bouncing = factories.SupplierContactFactory(supplier=supplier)
    Notification.objects.create(
        recipient=bouncing.user,
        kind=Notification.Kind.INVITATION,
        key="x",
        status=Notification.Status.FAILED,
    )
    year = factories.ReportingYearFactory()
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier, year=year, status=S.SUBMITTED
    )
    line = factories.ReturnLineFactory(
        annual_return=annual_return,
        target_credits=Decimal("20.00"),
        delivered_credits=Decimal("12.35"),
    )
    factories.ReturnLineFactory(
        annual_return=annual_return,
        target_credits=Decimal("1.10"),
        delivered_credits=Decimal("0.00"),
    )
    Reminder.objects.create(
        annual_return=annual_return, channel="phone", note="Promised by Friday"
    )
    factories.LineQueryFactory(line=line, text="Spend looks too high")
    response = team_client.get(reverse("team:supplier", args=[supplier.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbour &amp; Sons" in page
    assert "1 December 2025" in page and "Never" in page
    assert "An email failed" in page
    assert annual_return.reference in page
    assert "21.10" in page and "12.35" in page  # target and entered of the return
    assert "Promised by Friday" in page
    assert "Spend looks too high" in page
    assert reverse("team:contract", args=[line.contract_id]) in page


def test_the_supplier_page_queries_do_not_grow_with_its_returns(team_client):
    supplier = factories.SupplierFactory()
    factories.SupplierContactFactory(supplier=supplier)
    url = reverse("team:supplier", args=[supplier.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert team_client.get(url).status_code == 200
        return len(queries.captured_queries)

    def add(first_year):
        year = factories.ReportingYearFactory(first_year=first_year)
        annual_return = factories.AnnualReturnFactory(supplier=supplier, year=year)
        line = factories.ReturnLineFactory(annual_return=annual_return)
        Reminder.objects.create(annual_return=annual_return, channel="note", note="n")
        factories.LineQueryFactory(line=line)

    add(2022)
    small = count()
    for first_year in (2023, 2024, 2025):
        add(first_year)
    assert count() == small


def test_the_contract_page_shows_its_life_year_by_year_and_to_date(team_client):
    """A contract on three returns: 2022/23 approved for member A, 2023/24 approved
    after a move to member B, 2024/25 submitted (awaiting review); an excluded line
    on another return counts nowhere."""
    member_a = factories.MemberFactory(name="Riverside Homes")
    member_b = factories.MemberFactory(name="Hillside Council")
    contract = factories.ContractFactory(
        member=member_b,
        reference="CON-LIFE",
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2026, 3, 31),  # at risk: ends within 183 days
    )
    factories.ValuationFactory(
        contract=contract, period_end=datetime.date(2024, 6, 30), amount="125000.50"
    )
    factories.DeliveryPlanItemFactory(
        contract=contract,
        measure=factories.measure("EMP-FT"),
        committed_quantity=Decimal("6"),
    )
    rows = [
        (
            2022,
            member_a,
            S.APPROVED,
            "20.00",
            "15.50",
            "Subcontractor failed",
            "2025-01-31",
        ),
        (2023, member_b, S.APPROVED, "30.00", "31.25", "", None),
        (2024, member_b, S.SUBMITTED, "25.00", "10.00", "", None),
    ]
    for first_year, member, status, target, delivered, reason, by in rows:
        annual_return = factories.AnnualReturnFactory(
            supplier=contract.supplier,
            year=factories.ReportingYearFactory(first_year=first_year),
            status=status,
        )
        line = factories.ReturnLineFactory(
            annual_return=annual_return,
            contract=contract,
            member=member,
            target_credits=Decimal(target),
            delivered_credits=Decimal(delivered),
            shortfall_reason=reason,
            recovery_plan="Two more apprentices in spring" if reason else "",
            recovery_by=datetime.date.fromisoformat(by) if by else None,
        )
        if status == S.APPROVED:
            factories.ReturnEntryFactory(line=line, quantity=Decimal("2"))
    excluded = factories.ReturnLineFactory(
        annual_return=factories.AnnualReturnFactory(
            year=factories.ReportingYearFactory(first_year=2021), status=S.APPROVED
        ),
        contract=contract,
        target_credits=Decimal("99.00"),
        delivered_credits=Decimal("0.00"),
        excluded_reason="Novated to another supplier",
        excluded_at=timezone.now(),
    )
    response = team_client.get(reverse("team:contract", args=[contract.pk]))
    assert response.status_code == 200
    life = response.context["life"]
    assert life.target == Decimal(
        "75.00"
    )  # 20 + 30 + 25; the excluded 99 counts nowhere
    assert life.delivered == Decimal("46.75")  # approved only: 15.50 + 31.25
    assert life.awaiting_review == Decimal("10.00")
    assert life.shortfall == Decimal("28.25")
    assert life.at_risk and not life.ended_short
    by_year = {row.year.label: row for row in life.years}
    assert by_year["2022/23"].shortfall == Decimal("4.50")
    assert by_year["2023/24"].shortfall == Decimal("0.00")
    assert by_year["2022/23"].line.member == member_a
    assert not by_year["2021/22"].counted
    assert life.plan[0].delivered == Decimal("4.00")
    page = response.content.decode()
    for text in (
        "Riverside Homes",
        "Hillside Council",
        "75.00",
        "46.75",
        "28.25",
        "At risk",
        "Subcontractor failed",
        "31 January 2025",
        "Date passed",
        "Novated to another supplier",
        "£125,000.50",
        excluded.annual_return.reference,
    ):
        assert text in page, text


def test_the_contract_page_of_a_contract_never_on_a_return(team_client):
    contract = factories.ContractFactory()
    response = team_client.get(reverse("team:contract", args=[contract.pk]))
    assert response.status_code == 200
    assert "has not been on a return yet" in response.content.decode()
