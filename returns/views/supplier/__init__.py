"""The supplier's pages: their returns, the task list, each contract's line, check
your answers with the declaration, and the confirmation."""

from .check import check_answers, submitted, submitted_copy
from .contracts import contracts
from .flags import line_checks
from .line import line
from .returns import home, return_detail

__all__ = [
    "check_answers",
    "contracts",
    "home",
    "line",
    "line_checks",
    "return_detail",
    "submitted",
    "submitted_copy",
]
