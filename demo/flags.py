"""Explanations the demo's suppliers give of their flagged figures (issue 23), so a
submitted demo return shows each flag beside the supplier's words. Given through
`flag_explain`, the service the line page uses."""

from __future__ import annotations

from returns.models import AnnualReturn, LineFlag
from returns.selectors.flags import unexplained_flags
from returns.services.flags import flag_explain

EXPLANATIONS = {
    LineFlag.Code.ABOVE_LAST_YEAR: (
        "Last year the contract was in its first months on site; this is its first "
        "full year, with the full team recruited locally."
    ),
    LineFlag.Code.BELOW_LAST_YEAR: (
        "The works moved from the main build to maintenance this year, with a "
        "smaller team on site."
    ),
    LineFlag.Code.ABOVE_TARGET: (
        "We agreed with the member to bring the apprenticeships forward to the "
        "early years of the contract."
    ),
    LineFlag.Code.ABOVE_PLAN: (
        "The member asked for extra community work this year; the delivery plan "
        "is being updated at the annual review."
    ),
    LineFlag.Code.IMPLAUSIBLE_FOR_SPEND: (
        "The spend shown is the first phase only; the jobs were created for the "
        "whole scheme, which is invoiced next year."
    ),
    LineFlag.Code.SAME_FIGURE_EVERYWHERE: (
        "The figures happen to match: each is counted from the site register."
    ),
}
DEFAULT = "Each contract's figures are its own: checked against our site registers."


def explain_demo_flags(annual_return: AnnualReturn, user) -> int:
    """Explains every unexplained flag of `annual_return`; returns how many."""
    flags = unexplained_flags(annual_return)
    for flag in flags:
        flag_explain(
            flag=flag, user=user, explanation=EXPLANATIONS.get(flag.code, DEFAULT)
        )
    return len(flags)
