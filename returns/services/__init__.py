"""Every operation that writes returns data. Views, tasks, commands and admin call these."""

from .credits import line_credits, lines_recompute_credits

__all__ = ["line_credits", "lines_recompute_credits"]
