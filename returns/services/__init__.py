"""Every operation that writes returns data. Views, tasks, commands and admin call these."""

from .credits import line_credits, lines_recompute_credits
from .events import event_record
from .notifications import notifications_queue, notifications_send
from .years import year_open

__all__ = [
    "event_record",
    "line_credits",
    "lines_recompute_credits",
    "notifications_queue",
    "notifications_send",
    "year_open",
]
