"""Importing the consortium's spreadsheets: one kind per file, recognised from its
headings, checked in full without writing, then applied all at once.

Kinds: members, suppliers, frameworks and lots, contracts, quarterly valuations,
delivery plans, supplier contacts, past returns. `services` checks and applies a file;
`runs` keeps each upload as an `ImportRun` the team can see.
"""

from .base import Column, Kind, Report
from .contacts import SupplierContacts
from .contracts import Contracts, DeliveryPlans, FrameworksAndLots, Valuations
from .organisations import Members, Suppliers
from .past_returns import PastReturns

KINDS: list[Kind] = [
    Members(),
    Suppliers(),
    FrameworksAndLots(),
    Contracts(),
    Valuations(),
    DeliveryPlans(),
    SupplierContacts(),
    PastReturns(),
]
KINDS_BY_KEY: dict[str, Kind] = {kind.key: kind for kind in KINDS}

__all__ = ["KINDS", "KINDS_BY_KEY", "Column", "Kind", "Report"]
