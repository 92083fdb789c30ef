"""Every operation that writes returns data. Views, tasks, commands and admin call these."""

from .credits import line_credits, lines_recompute_credits
from .events import event_record
from .lines import LineConflict, ReturnNotEditable, line_figures, line_save
from .notifications import (
    notification_claim,
    notification_fail,
    notification_skip,
    notifications_deliver,
    notifications_queue,
    notifications_send,
)
from .reminders import reminders_due, reminders_send
from .submission import ReturnNotReady, return_submit, submitted_on_time
from .years import year_open

__all__ = [
    "LineConflict",
    "ReturnNotEditable",
    "ReturnNotReady",
    "line_figures",
    "line_save",
    "return_submit",
    "submitted_on_time",
    "event_record",
    "line_credits",
    "lines_recompute_credits",
    "notification_claim",
    "notification_fail",
    "notification_skip",
    "notifications_deliver",
    "notifications_queue",
    "notifications_send",
    "reminders_due",
    "reminders_send",
    "year_open",
]
