"""Issuing a year's returns: the plan (a dry run), the issue, the team's decision
and the daily job."""

from .issue import YEAR_NOT_READY, returns_issue
from .plan import (
    IssuePlan,
    contract_spend_and_target,
    issue_plan,
    qualifies,
    return_reference,
)
from .readiness import (
    year_mark_ready,
    year_withdraw_ready,
    years_due,
    years_issue_due,
)
from .year_settings import FROZEN, year_measures_update, year_update

__all__ = [
    "FROZEN",
    "year_measures_update",
    "year_update",
    "YEAR_NOT_READY",
    "IssuePlan",
    "contract_spend_and_target",
    "issue_plan",
    "qualifies",
    "return_reference",
    "returns_issue",
    "year_mark_ready",
    "year_withdraw_ready",
    "years_due",
    "years_issue_due",
]
