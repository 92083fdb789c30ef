"""The figures every page, export and report uses (DESIGN "Figures"), defined once.

- A line counts when it is not excluded and its return is not `not_required`.
- Target counts on every counted line; delivered counts approved returns only;
  "awaiting review" is the delivered credits of submitted returns, shown separately.
- Contract to date sums those over all years that have a line for the contract.
- At risk: ends within 183 days of today (London) and below target to date.
  Ended short: has ended and is below target to date.

Database sums are `core.fields.rounded_sum`: Round(Sum(...), 2), read back with exactly
two places (on SQLite a SUM is a float that would otherwise show as 257.710000000000).

The modules: `lines` (which lines count, the sums), `to_date` (a contract over its
life), `shortfall` (target against delivery by group), `reported` (what members and
the public see), `completion_rates` (expected, submitted, on time) and `changes`
(big changes against last year and the plan). Import from here.
"""

from .changes import (
    BIG_CHANGE_SHARE,
    BIG_CHANGE_UNITS,
    MeasureComparison,
    big_change_count,
    is_big_change,
    line_comparisons,
    plan_share,
    previous_year,
)
from .completion_rates import (
    CHASED,
    COMPLETION_ROWS,
    COMPLETION_STATUSES,
    LONDON,
    chased_returns,
    completion,
    completion_by_framework,
    completion_condition,
    effective_deadline,
    expected_filter,
    on_time_filter,
    overdue_filter,
    rate,
    submissions_by_day,
    with_deadlines,
)
from .lines import (
    AT_RISK_DAYS,
    FIGURES,
    GROUPS,
    ZERO,
    _sum,
    counted_lines,
    figures_by,
    reported_lines,
    status_counts,
    submitted_filter,
    totals,
)
from .reported import (
    EMPLOYMENT_OPPORTUNITIES,
    POUNDS,
    SocialValue,
    employment_opportunities,
    quantities,
    quantities_by,
    social_value,
    social_value_over_years,
)
from .shortfall import (
    SHORTFALL_GROUPS,
    ShortfallRow,
    ShortfallTable,
    shortfall_by,
    shortfall_lines,
    shortfall_total,
)
from .summary import to_date_summary
from .to_date import (
    ContractList,
    ContractToDate,
    at_risk_list,
    contract_to_date,
    contracts_at_risk,
    contracts_ended_short,
    contracts_to_date,
    ended_short_list,
    shortfall_total_of_contracts,
    to_date_rows,
)

__all__ = [
    "AT_RISK_DAYS",
    "BIG_CHANGE_SHARE",
    "BIG_CHANGE_UNITS",
    "CHASED",
    "COMPLETION_ROWS",
    "COMPLETION_STATUSES",
    "EMPLOYMENT_OPPORTUNITIES",
    "FIGURES",
    "GROUPS",
    "LONDON",
    "POUNDS",
    "SHORTFALL_GROUPS",
    "ZERO",
    "ContractList",
    "ContractToDate",
    "at_risk_list",
    "ended_short_list",
    "MeasureComparison",
    "ShortfallRow",
    "ShortfallTable",
    "SocialValue",
    "_sum",
    "chased_returns",
    "completion",
    "completion_condition",
    "completion_by_framework",
    "contract_to_date",
    "contracts_at_risk",
    "contracts_ended_short",
    "contracts_to_date",
    "counted_lines",
    "effective_deadline",
    "employment_opportunities",
    "expected_filter",
    "figures_by",
    "big_change_count",
    "is_big_change",
    "line_comparisons",
    "on_time_filter",
    "overdue_filter",
    "plan_share",
    "previous_year",
    "quantities",
    "quantities_by",
    "rate",
    "reported_lines",
    "shortfall_by",
    "shortfall_lines",
    "shortfall_total",
    "shortfall_total_of_contracts",
    "social_value",
    "social_value_over_years",
    "status_counts",
    "submissions_by_day",
    "submitted_filter",
    "to_date_rows",
    "to_date_summary",
    "totals",
    "with_deadlines",
]
