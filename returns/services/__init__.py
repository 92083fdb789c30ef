"""Every operation that writes returns data. Views, tasks, commands and admin call these."""

from .credits import line_credits, lines_recompute_credits
from .events import event_record
from .issuing import (
    issue_plan,
    returns_issue,
    year_mark_ready,
    year_withdraw_ready,
    years_issue_due,
)
from .lines import (
    LineConflict,
    LineInput,
    LinesNotSaved,
    ReturnNotEditable,
    line_figures,
    line_save,
    lines_save,
)
from .notifications import (
    notification_send_again,
    notifications_deliver,
    notifications_queue,
    notifications_retry,
    notifications_send,
)
from .reminders import reminders_due, reminders_send
from .submission import ReturnNotReady, return_submit, submitted_on_time
from .years import year_open

__all__ = [
    "LineConflict",
    "LineInput",
    "LinesNotSaved",
    "ReturnNotEditable",
    "ReturnNotReady",
    "line_figures",
    "line_save",
    "lines_save",
    "return_submit",
    "submitted_on_time",
    "event_record",
    "issue_plan",
    "line_credits",
    "lines_recompute_credits",
    "notification_send_again",
    "notifications_deliver",
    "notifications_queue",
    "notifications_retry",
    "notifications_send",
    "returns_issue",
    "year_mark_ready",
    "reminders_due",
    "reminders_send",
    "year_open",
    "year_withdraw_ready",
    "years_issue_due",
]
