"""The member's home leads with what needs their attention (issue 22): contracts at
risk, returns not in after their deadline, contracts ended short; then the year's
figures with every outcome the report shows, and running totals since the first
reporting year."""

import datetime
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from returns.models import AnnualReturn
from returns.selectors.member_home import member_attention
from returns.selectors.reports import OUTCOMES
from tests import factories
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
S = AnnualReturn.Status
TODAY = datetime.date(2025, 9, 1)  # 2024/25's deadline (30 June 2025) has passed


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2025, 9, 1, 9, 0, tzinfo=LONDON)):
        yield


def _contract(member, reference, ends_on):
    return factories.ContractFactory(
        member=member,
        reference=reference,
        title=f"Works {reference}",
        starts_on=datetime.date(2023, 4, 1),
        ends_on=ends_on,
    )


def _line(contract, year, status, target, delivered, member=None):
    return factories.ReturnLineFactory(
        annual_return=factories.AnnualReturnFactory(
            supplier=contract.supplier, year=year, status=status
        ),
        contract=contract,
        member=member or contract.member,
        target_credits=D(target),
        delivered_credits=D(delivered),
    )


@pytest.fixture
def world():
    member = factories.MemberFactory(name="North Homes")
    other = factories.MemberFactory(name="South Homes")
    y1 = factories.ReportingYearFactory(first_year=2023)
    y2 = factories.ReportingYearFactory(first_year=2024)
    soon = TODAY + datetime.timedelta(days=100)
    risk = _contract(member, "C-RISK", soon)
    _line(risk, y1, S.APPROVED, "30", "10")
    late = _contract(member, "C-LATE", datetime.date(2028, 3, 31))
    _line(late, y1, S.APPROVED, "10", "12")
    _line(late, y2, S.IN_PROGRESS, "10", "99.99")
    ended = _contract(member, "C-ENDED", datetime.date(2025, 3, 31))
    _line(ended, y1, S.APPROVED, "20", "5")
    fine = _contract(member, "C-FINE", soon)
    _line(fine, y1, S.APPROVED, "10", "10")
    # Short to date only if the submitted (unapproved) year were counted: not at risk.
    waiting = _contract(member, "C-WAIT", soon)
    _line(waiting, y1, S.APPROVED, "10", "10")
    _line(waiting, y2, S.SUBMITTED, "10", "1")
    theirs = _contract(other, "C-THEIRS", soon)
    _line(theirs, y1, S.APPROVED, "30", "1")
    entry_line = risk.return_lines.get()
    factories.ReturnEntryFactory(
        line=entry_line, measure=factories.measure("ENV-CO2"), quantity=D("4.5")
    )
    factories.ReturnEntryFactory(
        line=_line(fine, y2, S.APPROVED, "10", "10"),
        measure=factories.measure("ENV-CO2"),
        quantity=D("2"),
    )
    return {"member": member, "other": other, "y1": y1, "y2": y2}


def _home(member) -> str:
    user = factories.MemberViewerFactory(member=member).user
    response = signed_in(Client(), user).get(reverse("member:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_attention_lists_at_risk_overdue_and_ended_short(world):
    attention = member_attention(member=world["member"], today=TODAY)
    assert [row.reference for row, _ in attention.at_risk.rows] == ["C-RISK"]
    assert attention.at_risk.rows[0][1] == 100
    assert [line.contract.reference for line in attention.overdue.rows] == ["C-LATE"]
    assert attention.overdue.count == 1
    assert [row.reference for row in attention.ended_short.rows] == ["C-ENDED"]
    risk = attention.at_risk.rows[0][0]
    assert (risk.target, risk.delivered, risk.shortfall) == (
        D("30.00"),
        D("10.00"),
        D("20.00"),
    )


def test_the_home_page_leads_with_the_at_risk_contract(world):
    content = _home(world["member"])
    attention = content.index('id="attention"')
    assert attention < content.index("What suppliers delivered on your contracts")
    assert content.index('id="at-risk"') < content.index('id="overdue"')
    assert content.index('id="overdue"') < content.index('id="ended-short"')
    at_risk = content[content.index('id="at-risk"') : content.index('id="overdue"')]
    assert "C-RISK" in at_risk and "C-THEIRS" not in at_risk
    assert "C-WAIT" not in at_risk and "C-FINE" not in at_risk
    assert reverse("member:contract", args=[world["member"].contracts.get(
        reference="C-RISK").pk]) in at_risk  # fmt: skip
    assert "in 100 days" in at_risk
    assert "99.99" not in content  # an unapproved figure, nowhere


def test_every_outcome_the_report_shows_is_on_the_page(world):
    content = _home(world["member"])
    for label, *_ in OUTCOMES:
        assert f'data-outcome="{escape(label)}"' in content, label
    for theme in ("Carbon emissions saved", "Staff given mental health",
                  "Spend with suppliers in the member", "People trained"):  # fmt: skip
        assert theme in content


def test_running_totals_since_the_first_year_beside_the_year(world):
    content = _home(world["member"])  # the latest year: 2024/25
    assert "Since 2023/24" in content
    carbon = content[content.index('data-outcome="Carbon emissions saved"') :]
    carbon = carbon[: carbon.index("</tr>")]
    assert ">2 tonnes CO2e<" in carbon or ">2<" in carbon
    assert 'data-to-date="6.50"' in carbon  # 4.5 in 2023/24 + 2 in 2024/25


def test_nothing_needs_attention_says_so():
    member = factories.MemberFactory()
    year = factories.ReportingYearFactory(first_year=2023)
    _line(_contract(member, "C-OK", datetime.date(2030, 1, 1)), year, S.APPROVED,
          "1", "1")  # fmt: skip
    assert 'id="attention-none"' in _home(member)


def test_home_queries_do_not_grow_with_the_members_contracts(world):
    def count(member):
        user = factories.MemberViewerFactory(member=member).user
        client = signed_in(Client(), user)
        client.get(reverse("member:home"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("member:home")).status_code == 200
        return len(queries)

    small = count(world["member"])
    for index in range(6):
        for status, ends in ((S.APPROVED, TODAY + datetime.timedelta(days=50)),
                             (S.IN_PROGRESS, datetime.date(2029, 1, 1))):  # fmt: skip
            contract = _contract(world["member"], f"C-MORE-{index}-{status}", ends)
            _line(contract, world["y1"], S.APPROVED, "10", "1")
            _line(contract, world["y2"], status, "10", "1")
    assert count(world["member"]) == small
    # The member's members read once (the switcher's list gives the current one),
    # and an empty attention list asks nothing more than its page.
    assert small == 20
