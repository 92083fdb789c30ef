"""Member viewers' pages: delivery on their organisation's contracts."""

from .pages import case_study, export, home, switch, year

__all__ = ["case_study", "export", "home", "switch", "year"]
