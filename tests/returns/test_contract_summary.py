"""The per-contract summary of figures (`ContractSummary`) is kept by every change
that moves a figure, in the change's own transaction: after any sequence of those
changes on a small hand-built consortium, it equals a rebuild from the lines, and its
to-date rows are `figures.contracts_to_date`'s. Runs on SQLite and PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frameworks.imports.services import ImportRefused, import_apply
from frameworks.models import Contract, Valuation
from returns import figures
from returns.models import AnnualReturn, ContractSummary, GroupSummary, ReturnLine
from returns.selectors.flags import unexplained_flags
from returns.services import chasing, line_save, return_submit, returns_issue, review
from returns.services import summary as summary_service
from returns.services.flags import flag_explain
from returns.services.queries import query_answer
from returns.services.spend_corrections import year_quarter_ends
from returns.services.summary import summary_drift, summary_rebuild, summary_rows
from tests import factories
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db

D = Decimal
ENDS = datetime.date(2029, 3, 31)
QUARTERS = {
    2023: (
        datetime.date(2023, 6, 30),
        datetime.date(2023, 9, 30),
        datetime.date(2023, 12, 31),
        datetime.date(2024, 3, 31),
    ),
    2024: (
        datetime.date(2024, 6, 30),
        datetime.date(2024, 9, 30),
        datetime.date(2024, 12, 31),
        datetime.date(2025, 3, 31),
    ),
}
PAST_HEADER = [
    "Year",
    "Supplier reference",
    "Contract reference",
    "Spend (£, excl. VAT)",
    "Target credits",
    "EMP-FT",
    "APP-NEW",
    "CAR",
    "VOL",
    "Reasons",
    "Submitted on",
]


@pytest.fixture
def consortium(team_user, admin_user):
    """Two members, three suppliers, six contracts over two issued years (one of
    them consultancy, one qualifying only in the second year)."""
    members = [factories.MemberFactory(name=n) for n in ("North", "South")]
    suppliers = [
        factories.SupplierFactory(reference=f"S{i}", name=f"Supplier {i}")
        for i in range(3)
    ]
    lot = factories.LotFactory(is_consultancy=False)
    consultancy = factories.LotFactory(is_consultancy=True)
    contracts = []
    for i in range(6):
        contract = factories.ContractFactory(
            reference=f"C-{i}",
            supplier=suppliers[i % 3],
            member=members[i % 2],
            lot=consultancy if i == 5 else lot,
            starts_on=datetime.date(2022, 4, 1),
            ends_on=ENDS,
        )
        for first_year, quarters in QUARTERS.items():
            amount = D("10000.00") if (i == 4 and first_year == 2023) else D("40000.55")
            for period_end in quarters:
                factories.ValuationFactory(
                    contract=contract, period_end=period_end, amount=amount
                )
        contracts.append(contract)
    years = []
    for first_year in QUARTERS:
        year = factories.ReportingYearFactory(first_year=first_year)
        year.ready_at = timezone.now()
        year.save()
        returns_issue(year=year, started_by=team_user, send_emails=False)
        years.append(year)
    return {
        "members": members,
        "suppliers": suppliers,
        "contracts": contracts,
        "years": years,
        "team": team_user,
        "admin": admin_user,
    }


def assert_summary_is_a_rebuild():
    assert summary_drift() == []
    kept = {row.contract_id: row for row in ContractSummary.objects.filter(year=None)}
    by_figures = {row["contract_id"]: row for row in figures.contracts_to_date()}
    assert set(kept) == set(by_figures)
    for contract_id, row in by_figures.items():
        summary = kept[contract_id]
        assert summary.target_credits == row["target"]
        assert summary.delivered_credits == row["delivered"]
        assert summary.awaiting_review_credits == row["awaiting_review"]
        assert summary.years == row["years"]
        assert summary.shortfall_credits == max(
            row["target"] - row["delivered"], D("0.00")
        )


# --- The changes, each through the service the portal uses -------------------------


def _line(world, index):
    lines = list(ReturnLine.objects.order_by("pk"))
    return lines[index % len(lines)]


def _return(world, index):
    returns = list(AnnualReturn.objects.order_by("pk"))
    return returns[index % len(returns)]


def save_line(world, index, quantity):
    line = _line(world, index)
    line_save(
        line=line,
        user=world["team"],
        expected_version=None,
        quantities={"EMP-FT": quantity},
        shortfall_reason="Late start",
        recovery_plan="More next year",
        recovery_by=ENDS,
        today=datetime.date(2025, 5, 1),
    )


def submit(world, index, _):
    annual_return = _return(world, index)
    # A figure far from last year's is flagged: the supplier explains, then submits.
    for flag in unexplained_flags(annual_return):
        flag_explain(flag=flag, user=world["team"], explanation="Checked: right")
    return_submit(
        annual_return=annual_return,
        user=world["team"],
        declared_by_name="A Person",
        declared_own_figures=True,
        today=datetime.date(2025, 5, 1),
    )


def approve(world, index, _):
    review.return_approve(
        annual_return=_return(world, index), user=world["team"], confirmed=True
    )


def send_back(world, index, _):
    review.return_send_back(
        annual_return=_return(world, index), user=world["team"], reason="Check it"
    )


def reopen(world, index, _):
    review.return_reopen(
        annual_return=_return(world, index), user=world["admin"], reason="Reopened"
    )


def exclude(world, index, _):
    review.line_exclude(line=_line(world, index), user=world["team"], reason="Novated")


def include(world, index, _):
    review.line_include(line=_line(world, index), user=world["team"], reason="Back")


def not_required(world, index, _):
    chasing.return_mark_not_required(
        annual_return=_return(world, index),
        reason="Ceased trading",
        acting_user=world["team"],
        confirmed=True,
    )


def required(world, index, _):
    chasing.return_mark_required(
        annual_return=_return(world, index),
        reason="Trading again",
        acting_user=world["team"],
    )


def correct_spend(world, index, quantity):
    """A query answered with corrected valuations (the line's spend and target)."""
    line = _line(world, index)
    query = factories.LineQueryFactory(line=line)
    quarter = year_quarter_ends(line.annual_return.year)[0]
    query_answer(
        query=query,
        acting_user=world["team"],
        answer="Corrected",
        valuations={quarter: D("40000.55") + quantity * 1000},
    )


def reissue(world, index, quantity):
    """A corrected valuation, then the year issued again (spend and target of open
    returns refreshed, newly qualifying contracts added)."""
    contract = world["contracts"][index % len(world["contracts"])]
    year = world["years"][index % 2]
    Valuation.objects.filter(
        contract=contract, period_end=QUARTERS[year.starts_on.year][1]
    ).update(amount=D("40000.55") + quantity * 7919)
    returns_issue(year=year, started_by=world["team"], send_emails=False)


CONTRACTS_HEADER = [
    "Contract reference",
    "Title",
    "Member reference",
    "Supplier reference",
    "Framework reference",
    "Lot number",
    "Starts",
    "Ends",
]


def reassign(world, index, quantity):
    """A contract moved to the other member (an even `quantity`) or the next
    supplier (odd) by the contracts import: the summary keeps each year's member,
    to date reads the contract, and the old and new groups' rows move."""
    contract = Contract.objects.select_related("lot__framework").get(
        pk=world["contracts"][index % len(world["contracts"])].pk
    )
    member, supplier = contract.member, contract.supplier
    if quantity % 2:
        suppliers = world["suppliers"]
        supplier = suppliers[(suppliers.index(supplier) + 1) % len(suppliers)]
    else:
        members = world["members"]
        member = members[1] if member == members[0] else members[0]
    import_apply(
        file=xlsx(
            CONTRACTS_HEADER,
            [
                contract.reference,
                contract.title,
                member.reference,
                supplier.reference,
                contract.lot.framework.reference,
                contract.lot.number,
                contract.starts_on.strftime("%d/%m/%Y"),
                contract.ends_on.strftime("%d/%m/%Y"),
            ],
        ),
        name="contracts.xlsx",
        acting_user=world["team"],
    )
    contract.refresh_from_db()
    assert (contract.member, contract.supplier) == (member, supplier)


def import_past(world, index, quantity):
    """A past year's return imported from the consortium's spreadsheet (again: the
    same line updated)."""
    contract = world["contracts"][index % len(world["contracts"])]
    import_apply(
        file=xlsx(
            PAST_HEADER,
            [
                "2022/23",
                contract.supplier.reference,
                contract.reference,
                250000,
                25,
                quantity,
                None,
                None,
                None,
                "Late start",
                "12/06/2023",
            ],
        ),
        name="past.xlsx",
        acting_user=world["team"],
    )


CHANGES = {
    "save": save_line,
    "submit": submit,
    "approve": approve,
    "send_back": send_back,
    "reopen": reopen,
    "exclude": exclude,
    "include": include,
    "not_required": not_required,
    "required": required,
    "correct_spend": correct_spend,
    "reissue": reissue,
    "reassign": reassign,
    "import_past": import_past,
}
REFUSED = (ValidationError, PermissionDenied, ImportRefused)

change = st.tuples(
    st.sampled_from(sorted(CHANGES)),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=30),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(change, min_size=1, max_size=12))
def test_after_any_changes_the_summary_equals_a_rebuild(consortium, changes):
    with transaction.atomic():
        assert_summary_is_a_rebuild()
        for name, index, quantity in changes:
            try:
                with transaction.atomic():
                    CHANGES[name](consortium, index, quantity)
            except REFUSED:
                pass  # refused: nothing changed, the summary neither
            assert summary_drift() == [], (name, index, quantity)
        assert_summary_is_a_rebuild()
        transaction.set_rollback(True)  # the next example starts from the fixture


def test_every_change_is_tried_and_moves_a_figure(consortium):
    """The sequence the property test draws from really changes figures: each kind
    of change, done once where it applies, leaves the summary equal to a rebuild
    and different from where it started."""
    before = summary_rows(None)
    steps = [
        ("save", 0, 3),
        ("save", 1, 0),
        ("submit", 0, 0),
        ("approve", 0, 0),
        ("reopen", 0, 0),
        ("exclude", 2, 0),
        ("include", 2, 0),
        ("not_required", 3, 0),
        ("required", 3, 0),
        ("correct_spend", 4, 5),
        ("reissue", 1, 9),
        ("reassign", 0, 0),
        ("reassign", 1, 1),
        ("import_past", 0, 4),
    ]
    for name, index, quantity in steps:
        with transaction.atomic():
            CHANGES[name](consortium, index, quantity)
        assert summary_drift() == [], name
    assert_summary_is_a_rebuild()
    assert summary_rows(None) != before


def test_a_change_made_behind_the_services_back_is_drift_until_a_rebuild(consortium):
    line = ReturnLine.objects.order_by("pk").first()
    ReturnLine.objects.filter(pk=line.pk).update(target_credits=D("99.99"))
    drift = summary_drift()
    assert drift
    with pytest.raises(Exception, match="drifted"):
        call_command("rebuild_contract_summary", "--check")
    call_command("rebuild_contract_summary")
    assert summary_drift() == []
    call_command("rebuild_contract_summary", "--check")
    row = ContractSummary.objects.get(contract=line.contract, year=None)
    assert row.target_credits == sum(
        (
            candidate.target_credits
            for candidate in figures.counted_lines().filter(contract=line.contract)
        ),
        D("0.00"),
    )


def test_rebuild_writes_a_row_per_contract_year_and_member_and_one_to_date(
    consortium,
):
    # Contract 4 qualifies only in 2024/25; the others have a line in each year.
    written = summary_rebuild()
    lines = ReturnLine.objects.count()
    contracts = ReturnLine.objects.values("contract").distinct().count()
    # And a group row for each of the three suppliers and two members.
    assert written == lines + contracts + 5
    assert GroupSummary.objects.filter(kind="supplier").count() == 3
    assert GroupSummary.objects.filter(kind="member").count() == 2
    assert ContractSummary.objects.filter(year=None).count() == contracts
    four = ContractSummary.objects.get(contract=consortium["contracts"][4], year=None)
    assert four.years == 1


def test_the_to_date_pages_read_the_summary_and_a_year_reads_the_lines(team_client):
    """A figure changed in the summary only (as no service ever would) shows on the
    to-date page and not on the year's: proof of where each reads."""
    line = factories.ReturnLineFactory(target_credits=D("20.00"))
    ContractSummary.objects.filter(contract=line.contract, year=None).update(
        target_credits=D("77.70"), shortfall_credits=D("77.70")
    )
    url = reverse("team:shortfall")
    to_date = team_client.get(url, {"period": "to-date", "by": "contract"})
    assert "77.70" in to_date.content.decode()
    in_year = team_client.get(
        url, {"period": line.annual_return.year.slug, "by": "contract"}
    )
    page = in_year.content.decode()
    assert "20.00" in page and "77.70" not in page


def test_a_group_row_changed_behind_the_services_back_is_drift(consortium):
    row = GroupSummary.objects.get(kind="member", group_id=consortium["members"][0].pk)
    GroupSummary.objects.filter(pk=row.pk).update(shortfall_credits=D("1.23"))
    [(kind, group_id, _, kept, rebuilt)] = summary_drift()
    assert (kind, group_id) == ("member", row.group_id)
    assert kept["shortfall_credits"] == D("1.23")
    assert rebuilt["shortfall_credits"] == row.shortfall_credits
    with pytest.raises(Exception, match="drifted"):
        call_command("rebuild_contract_summary", "--check")
    call_command("rebuild_contract_summary")
    assert summary_drift() == []


@pytest.mark.parametrize("group", ["supplier", "member"])
def test_the_pages_by_supplier_and_member_to_date_read_the_group_rows(
    consortium, group
):
    """Equal to the sums of the contracts' to-date rows (as a filtered page still
    computes them), in both orders; and read from the group rows, as a figure
    changed there only (as no service ever would) shows."""
    every = figures.to_date_summary()
    for sort in ("shortfall", "name"):
        kept = figures.ShortfallTable(group, lines=every, sort=sort, to_date=True)
        summed = figures.ShortfallTable(
            group,
            lines=every.filter(contract__isnull=False),  # not every: sums rows
            sort=sort,
            to_date=True,
        )
        assert list(kept) == list(summed)
        assert kept.total() == summed.total()
        assert kept.page(1, 2)[1] == summed.page(1, 2)[1]
    first = GroupSummary.objects.filter(kind=group).order_by("group_id").first()
    GroupSummary.objects.filter(pk=first.pk).update(shortfall_credits=D("7777.70"))
    rows = figures.ShortfallTable(group, lines=every, sort="shortfall", to_date=True)
    assert next(iter(rows)).shortfall == D("7777.70")


def test_the_admin_moving_a_contract_moves_its_group_rows(consortium, rf):
    from django.contrib.admin.sites import site
    from django.forms.models import model_to_dict

    contract = consortium["contracts"][0]
    model_admin = site._registry[Contract]
    request = rf.post("/")
    request.user = factories.UserFactory(is_staff=True, is_superuser=True)
    other = consortium["members"][1]
    assert contract.member != other
    form_class = model_admin.get_form(request, contract, change=True)
    data = {k: v for k, v in model_to_dict(contract).items() if v is not None}
    data["member"] = other.pk
    form = form_class(data, instance=contract)
    assert form.is_valid(), form.errors
    with transaction.atomic():
        model_admin.save_model(request, form.save(commit=False), form, True)
    assert Contract.objects.get(pk=contract.pk).member == other
    assert summary_drift() == []


@pytest.mark.postgres
def test_a_refresh_of_many_groups_locks_their_kind_and_keeps_them(
    consortium, monkeypatch
):
    """An issue refreshes more groups than PostgreSQL could lock one by one: above
    `MANY_GROUPS` one lock per kind, and the rows are still a rebuild's."""
    monkeypatch.setattr(summary_service, "MANY_GROUPS", 1)
    GroupSummary.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        summary_service.summary_refresh(
            contract_ids=[contract.pk for contract in consortium["contracts"]]
        )
    locks = [q["sql"] for q in queries if "pg_advisory" in q["sql"]]
    assert len(locks) == 2 and all("_shared" not in sql for sql in locks)
    assert summary_drift() == []
