"""Contract to date read from the summary (`ContractSummary`), which
`services.summary.summary_refresh` keeps equal to these figures computed from the
lines, in the transaction of every change that moves one (a property test holds it
to a rebuild). A page reading it sums one row per contract, not every line of every
year.

`to_date_summary` narrows it exactly as `shortfall_lines(year=None)` narrows the
lines: by what the contract is now (supplier, framework, member, search), keeping the
contract whole. `ShortfallTable` and the contract lists (`at_risk_list`,
`ended_short_list`) take either.
"""

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value

from ..models import ContractSummary, GroupSummary
from .lines import _sum


def to_date_summary(
    *,
    supplier_id: int | None = None,
    framework_id: int | None = None,
    member_id: int | None = None,
    search: str = "",
) -> QuerySet[ContractSummary]:
    """Each contract's to-date row, narrowed by the team's filters as
    `shortfall_lines` narrows the lines to date."""
    rows = ContractSummary.objects.filter(year__isnull=True)
    if supplier_id:
        rows = rows.filter(contract__supplier_id=supplier_id)
    if framework_id:
        rows = rows.filter(contract__lot__framework_id=framework_id)
    if member_id:
        rows = rows.filter(contract__member_id=member_id)
    if search:
        rows = rows.filter(
            Q(contract__reference__icontains=search)
            | Q(contract__title__icontains=search)
            | Q(contract__supplier__name__icontains=search)
            | Q(contract__member__name__icontains=search)
        )
    return rows


def is_summary(rows: QuerySet) -> bool:
    return rows.model is ContractSummary


def is_every_contract_to_date(rows: QuerySet) -> bool:
    """Whether `rows` are every contract's to-date row (`to_date_summary()` without
    a filter), whose sums per supplier and per member `GroupSummary` keeps."""
    return is_summary(rows) and str(rows.query) == str(to_date_summary().query)


def groups_from_summary(kind: str, *, short_only: bool) -> tuple[str, tuple]:
    """`ShortfallTable`'s grouped rows by supplier or member (`kind`) to date over
    every contract, as kept in `GroupSummary` (the sums it would compute from each
    contract's to-date row): SQL and its parameters."""
    table = connection.ops.quote_name(GroupSummary._meta.db_table)
    short = " AND shortfall_credits > 0" if short_only else ""
    sql = f"""
        SELECT group_id AS group_key, target_credits AS target,
            delivered_credits AS delivered,
            awaiting_review_credits AS awaiting_review,
            shortfall_credits AS shortfall, contracts, contracts_short
        FROM {table} WHERE kind = %s{short}
    """  # noqa: S608 (our own SQL; every value is a parameter)
    return sql, (kind,)


def contracts_to_date_from_summary(rows: QuerySet[ContractSummary]) -> QuerySet:
    """`contracts_to_date`'s columns, read from to-date rows of the summary."""
    return rows.order_by().values(
        "contract_id",
        "contract__reference",
        "contract__title",
        "contract__supplier__name",
        "contract__member__name",
        "contract__ends_on",
        "contract__status",
        "years",
        target=F("target_credits"),
        delivered=F("delivered_credits"),
        awaiting_review=F("awaiting_review_credits"),
    )


def per_contract_from_summary(rows: QuerySet[ContractSummary], key_field: str):
    """`ShortfallTable`'s per-contract rows (group key, contract, target, delivered,
    awaiting review) from to-date rows of the summary."""
    return rows.order_by().values(
        group_key=F(key_field),
        per_contract=F("contract_id"),
        target=F("target_credits"),
        delivered=F("delivered_credits"),
        awaiting_review=F("awaiting_review_credits"),
    )


def member_to_date_from_summary(
    *,
    member_id: int,
    still_theirs: bool = False,
    up_to=None,
    contract_ids: QuerySet | list[int] | None = None,
) -> QuerySet:
    """`contracts_to_date` over a member's reported lines (approved, naming the
    member: "while it has been yours"), from the summary's year rows of that member:
    target and delivered of its approved lines, awaiting review 0 (members never see
    unapproved figures), years with an approved line. `still_theirs`: only contracts
    that are the member's now; `up_to`: only years starting no later than that
    year's; `contract_ids`: only those contracts."""
    rows = ContractSummary.objects.filter(
        member_id=member_id, year__isnull=False, approved_lines__gt=0
    )
    if still_theirs:
        rows = rows.filter(contract__member_id=member_id)
    if up_to is not None:
        rows = rows.filter(year__starts_on__lte=up_to.starts_on)
    if contract_ids is not None:
        rows = rows.filter(contract_id__in=contract_ids)
    return (
        rows.order_by()
        .values(
            "contract_id",
            "contract__reference",
            "contract__title",
            "contract__supplier__name",
            "contract__member__name",
            "contract__ends_on",
            "contract__status",
        )
        .annotate(
            target=_sum("approved_target_credits"),
            delivered=_sum("delivered_credits"),
            awaiting_review=_sum(Value(0)),
            years=Count("year_id", distinct=True),
        )
    )
