"""Member viewers' pages: delivery on their organisation's contracts."""

from .pages import case_study, contract, export, home, switch, year

__all__ = ["case_study", "contract", "export", "home", "switch", "year"]
