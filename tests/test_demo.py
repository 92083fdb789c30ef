"""The demo data builder: idempotent, deterministic, dated from --today, believable."""

import datetime
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q

from accounts.models import ADMIN_GROUP, TEAM_GROUP, MemberViewer, SupplierContact, User
from demo.load import DEMO_LOGINS, DEMO_PASSWORD, load_demo, quarter_end
from frameworks.models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    Lot,
    Member,
    Supplier,
    Valuation,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
LATEST_QUARTER_END = datetime.date(2025, 3, 31)  # the last one to have ended by TODAY
QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}


@pytest.fixture
def demo(db) -> dict[str, int]:
    """A scale-1 load inside the test's own transaction (about half a second)."""
    return load_demo(today=TODAY, scale=1)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


class _Discard(Exception):
    """Raised to roll a load back, so one test can see two fresh databases."""


def _contracts_in_fresh_database(today: datetime.date) -> dict[str, tuple]:
    snapshot: dict[str, tuple] = {}
    try:
        with transaction.atomic():
            load_demo(today=today, scale=1)
            snapshot = {
                row[0]: row[1:]
                for row in Contract.objects.values_list(
                    "reference",
                    "starts_on",
                    "ends_on",
                    "value",
                    "title",
                    "member__reference",
                    "supplier__reference",
                )
            }
            raise _Discard
    except _Discard:
        pass
    assert not Contract.objects.exists()
    return snapshot


def test_loading_twice_leaves_every_count_the_same():
    first = load_demo(today=TODAY, scale=1)
    counts_after_first = _row_counts()

    second = load_demo(today=TODAY, scale=1)

    assert _row_counts() == counts_after_first
    assert second == first


def test_a_larger_scale_adds_rows_and_keeps_the_ones_there():
    load_demo(today=TODAY, scale=1)
    before = set(
        Contract.objects.values_list("reference", "starts_on", "value", "supplier_id")
    )

    counts = load_demo(today=TODAY, scale=2)

    assert counts["members"] == 80
    assert counts["suppliers"] == 240
    assert counts["contracts"] == 1200
    assert before <= set(
        Contract.objects.values_list("reference", "starts_on", "value", "supplier_id")
    )


class TestScaleOne:
    """Read-only checks of one load at scale 1 on TODAY."""

    def test_counts_at_scale_one_are_in_range(self, demo):
        assert demo["members"] == 40
        assert demo["suppliers"] == 120
        assert demo["frameworks"] == 6
        assert demo["contracts"] == 600
        assert 120 <= demo["supplier_contacts"] <= 363
        assert 125 <= demo["users"] <= 365
        assert 3_000 <= demo["valuations"] <= 6_000
        assert 1_400 <= demo["delivery_plan_items"] <= 3_600
        assert demo["member_viewers"] == 1

    def test_members_are_of_every_kind_in_a_few_current_places(self, demo):
        assert set(Member.objects.values_list("kind", flat=True)) == set(
            Member.Kind.values
        )
        places = set(Member.objects.values_list("local_authority", flat=True))
        assert 2 <= len(places) <= 8
        assert not Member.objects.filter(
            Q(local_authority__isnull=True) | Q(local_authority__is_current=False)
        ).exists()
        assert Member.objects.values("name").distinct().count() == 40
        assert Member.objects.filter(name="Northdale Borough Council").exists()

    def test_suppliers_have_unique_names_and_well_formed_company_numbers(self, demo):
        assert Supplier.objects.values("name").distinct().count() == 120
        numbers = list(Supplier.objects.values_list("company_number", flat=True))
        present = [number for number in numbers if number is not None]
        assert len(present) == len(set(present))
        assert all(re.fullmatch(r"(\d{8}|SC\d{6}|OC\d{6})", n) for n in present)
        assert any(n.startswith("SC") for n in present)
        assert 0 < numbers.count(None) < 20

    def test_each_supplier_has_exactly_one_primary_contact(self, demo):
        per_supplier = Supplier.objects.annotate(
            primaries=Count(
                "contacts",
                filter=Q(contacts__is_primary=True, contacts__is_active=True),
            ),
            contact_count=Count("contacts"),
        )
        assert {supplier.primaries for supplier in per_supplier} == {1}
        # 1-3 of its own, plus supplier@ or supplier2@ on the demo suppliers.
        assert all(1 <= supplier.contact_count <= 4 for supplier in per_supplier)
        emails = SupplierContact.objects.exclude(
            user__email__endswith="@example.org"
        ).values_list("user__email", "supplier__name")
        assert all(email.endswith(".example.com") for email, _ in emails)

    def test_frameworks_have_two_to_five_lots_and_one_has_a_consultancy_lot(self, demo):
        lots = Framework.objects.annotate(
            lot_count=Count("lots"),
            consultancy=Count("lots", filter=Q(lots__is_consultancy=True)),
        )
        assert all(2 <= framework.lot_count <= 5 for framework in lots)
        assert sum(1 for framework in lots if framework.consultancy) == 1
        assert Lot.objects.filter(number__regex=r"^\d+[a-z]$").exists()

    def test_contracts_are_spread_by_size_date_and_status(self, demo):
        contracts = list(Contract.objects.select_related("member", "lot"))
        assert all(re.fullmatch(r"C-\d{6}", c.reference) for c in contracts)
        values = [c.value for c in contracts]
        assert sum(v < 100_000 for v in values) >= 40
        assert sum(150_000 <= v <= 3_000_000 for v in values) >= 300
        consultancy = [c.value for c in contracts if c.lot.is_consultancy]
        assert consultancy and sorted(consultancy)[len(consultancy) // 2] < 100_000

        status = Counter(c.status for c in contracts)
        assert 3 <= status[Contract.Status.CANCELLED] <= 30
        for contract in contracts:
            assert contract.local_authority_id == contract.member.local_authority_id
            if contract.status != Contract.Status.CANCELLED:
                ended = contract.ends_on < TODAY
                assert (contract.status == Contract.Status.COMPLETED) == ended
        four_years_ago = TODAY - datetime.timedelta(days=4 * 365)
        assert any(c.starts_on < four_years_ago for c in contracts)  # started before
        assert any(c.starts_on > TODAY for c in contracts)  # not started yet
        ending_soon = [
            c
            for c in contracts
            if c.status == Contract.Status.ACTIVE
            and c.ends_on <= TODAY + datetime.timedelta(days=183)
        ]
        assert len(ending_soon) >= 20

    def test_every_valuation_is_on_a_quarter_end_that_has_passed(self, demo):
        period_ends = set(Valuation.objects.values_list("period_end", flat=True))
        assert {(day.month, day.day) for day in period_ends} <= QUARTER_ENDS
        assert max(period_ends) <= TODAY

    def test_valuations_add_up_to_about_the_contract_value(self, demo):
        amounts: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for contract_id, period_end, amount in Valuation.objects.values_list(
            "contract_id", "period_end", "amount"
        ):
            amounts[contract_id].append((period_end, amount))
        contracts = list(Contract.objects.all())
        assert not any(
            amounts[c.id] for c in contracts if c.status == Contract.Status.CANCELLED
        )
        finished = [
            c
            for c in contracts
            if c.status == Contract.Status.COMPLETED and quarter_end(c.ends_on) <= TODAY
        ]
        assert len(finished) >= 100
        for contract in finished:
            total = sum(amount for _, amount in amounts[contract.id])
            assert (
                contract.value * Decimal("0.85")
                <= total
                <= contract.value * Decimal("1.1")
            )
        live_missing_latest = [
            c
            for c in contracts
            if c.status == Contract.Status.ACTIVE
            and c.starts_on < LATEST_QUARTER_END - datetime.timedelta(days=200)
            and LATEST_QUARTER_END not in {p for p, _ in amounts[c.id]}
        ]
        assert 1 <= len(live_missing_latest) <= 30

    def test_delivery_plans_have_three_to_six_measures_with_their_decimal_places(
        self, demo
    ):
        per_contract = Counter(
            DeliveryPlanItem.objects.values_list("contract_id", flat=True)
        )
        assert len(per_contract) >= 0.75 * 600
        assert set(per_contract.values()) <= {3, 4, 5, 6}
        for item in DeliveryPlanItem.objects.select_related("measure"):
            assert item.committed_quantity > 0
            places = item.measure.decimal_places
            assert item.committed_quantity == round(item.committed_quantity, places)

    def test_every_demo_login_signs_in_with_its_role(self, demo, client):
        for login in DEMO_LOGINS:
            assert client.login(email=login.email, password=DEMO_PASSWORD), login.email
            client.logout()

        admin = User.objects.get(email="admin@example.org")
        assert admin.is_superuser and admin.is_staff
        assert admin.groups.filter(name=ADMIN_GROUP).exists()
        team = User.objects.get(email="team@example.org")
        assert team.full_name == "Sam Team"
        assert list(team.groups.all()) == [Group.objects.get(name=TEAM_GROUP)]

        contact = SupplierContact.objects.get(user__email="supplier@example.org")
        assert contact.is_primary
        assert contact.user.full_name == "Priya Supplier"
        assert contact.supplier.contracts.count() >= 8
        assert (
            SupplierContact.objects.filter(user__email="supplier2@example.org").count()
            == 2
        )

        viewer = MemberViewer.objects.get(user__email="member@example.org")
        assert viewer.member.contracts.count() >= 20


def test_today_moves_every_contract_and_the_same_today_repeats_exactly():
    later = TODAY + datetime.timedelta(days=400)

    first = _contracts_in_fresh_database(TODAY)
    again = _contracts_in_fresh_database(TODAY)
    moved = _contracts_in_fresh_database(later)

    assert again == first
    assert moved.keys() == first.keys()
    shift = datetime.timedelta(days=400)
    for reference, (starts_on, ends_on, *rest) in first.items():
        assert moved[reference] == (starts_on + shift, ends_on + shift, *rest)


def test_the_commands_load_and_list_the_demo():
    output = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=output)
    assert "600 contracts" in output.getvalue()

    output = io.StringIO()
    call_command("demo_logins", stdout=output)
    for login in DEMO_LOGINS:
        assert login.email in output.getvalue()
    assert DEMO_PASSWORD in output.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--scale", "0"],
        ["--scale", "two"],
        ["--today", "15/06/2025"],
        ["--years", "1"],
        ["--years", "five"],
    ],
)
def test_load_demo_refuses_bad_arguments(arguments):
    with pytest.raises(CommandError):
        call_command("load_demo", *arguments)


def test_more_years_issues_each_with_contracts_live_in_it_and_only_the_latest_open():
    from returns.models import AnnualReturn, ReportingYear

    output = io.StringIO()
    call_command(
        "load_demo", "--today", TODAY.isoformat(), "--years", "5", stdout=output
    )
    assert "5 years" in output.getvalue()
    years = list(ReportingYear.objects.order_by("starts_on"))
    assert [y.label for y in years] == [
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
    ]
    for year in years:
        assert year.issued_at is not None
        assert AnnualReturn.objects.filter(year=year).count() > 20, year.label
    open_states = {"not_started", "in_progress"}
    assert not AnnualReturn.objects.filter(
        year__in=years[:-1], status__in=open_states
    ).exists()
    assert AnnualReturn.objects.filter(year=years[-1], status__in=open_states).exists()


class TestReportingYears:
    """The demo's years: opened and issued with the real service, the latest in
    season, the earlier ones approved."""

    def test_three_years_the_latest_issued_with_its_deadline_ahead(self, demo):
        from returns.models import ReportingYear
        from returns.selectors.years import current_reporting_year

        years = list(ReportingYear.objects.order_by("starts_on"))
        assert [year.label for year in years] == ["2022/23", "2023/24", "2024/25"]
        latest = years[-1]
        assert current_reporting_year() == latest
        assert all(year.issued_at and year.ready_at for year in years)
        assert latest.issue_on <= TODAY < latest.deadline
        assert all(year.issued_at.date() <= TODAY for year in years)

    def test_past_years_are_approved_with_credits_from_their_entries(self, demo):
        from returns.models import AnnualReturn, Notification, ReturnLine
        from returns.services import lines_recompute_credits

        past = AnnualReturn.objects.exclude(year__label="2024/25")
        assert past.count() >= 100
        statuses = Counter(past.values_list("status", flat=True))
        # All approved but the demo supplier's last year, which it just submitted.
        assert set(statuses) == {"approved", "submitted"}
        assert statuses["submitted"] == 1
        assert not past.filter(status="approved", approved_by__isnull=True).exists()
        assert lines_recompute_credits() == []  # delivered credits match the entries
        lines = ReturnLine.objects.filter(annual_return__in=past)
        below = [line for line in lines if line.delivered_credits < line.target_credits]
        assert 0 < len(below) < lines.count() / 2
        assert all(line.shortfall_reason and line.recovery_plan for line in below)
        # Issuing in the demo sends no email.
        assert not Notification.objects.filter(kind="issued").exists()

    def test_the_season_is_a_believable_mix(self, demo):
        from returns.models import AnnualReturn

        statuses = Counter(
            AnnualReturn.objects.filter(year__label="2024/25").values_list(
                "status", flat=True
            )
        )
        # One sent back by the season itself; the review step sends back more.
        assert statuses["returned"] >= 1
        assert statuses["not_required"] >= 1
        for status in ("not_started", "in_progress", "submitted", "approved"):
            assert statuses[status] >= 5, statuses

    def test_the_demo_supplier_has_a_return_in_progress_with_lines_filled(self, demo):
        from returns.models import AnnualReturn

        annual_return = AnnualReturn.objects.get(
            supplier__contacts__user__email="supplier@example.org",
            year__label="2024/25",
        )
        assert annual_return.status == "in_progress"
        lines = list(annual_return.lines.annotate(filled=Count("entries")))
        assert len(lines) >= 4
        assert 2 <= sum(1 for line in lines if line.filled) < len(lines)

    def test_a_later_today_moves_the_season(self):
        from returns.models import ReportingYear

        load_demo(today=datetime.date(2026, 2, 1), scale=1)
        latest = ReportingYear.objects.order_by("-starts_on").first()
        assert latest.label == "2024/25"
        assert latest.issue_on <= datetime.date(2026, 2, 1) < latest.deadline
