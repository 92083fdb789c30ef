"""The demo consortium: `load_demo()` runs `STEPS` in one transaction.

Each step is a function taking a `DemoBuild`; add a new one in a module of its own
beside `consortium.py` and list it in `STEPS`. Steps must be deterministic and
idempotent (see `consortium.py`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.db import connection, models, transaction

from accounts.models import MemberViewer, SupplierContact, User
from demo.amended_line import build_amended_line
from demo.api import build_api
from demo.attachments import build_attachments
from demo.chasing import build_chasing
from demo.consortium import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoBuild,
    _Writable,
    build_contracts,
    build_delivery_plans,
    build_organisations,
    build_people,
    build_reference_data,
    build_valuations,
    quarter_end,
)
from demo.double_counting import build_double_counting
from demo.emails import build_failed_emails
from demo.impact_report import build_published_report
from demo.imports import build_imports
from demo.invitations import build_invitations
from demo.members import build_member_pages
from demo.review_season import build_review_season
from demo.supplier_season import build_supplier_season
from demo.support import build_support
from demo.years import build_reporting_years, build_return_figures
from frameworks.models import (
    Contract,
    DeliveryPlanItem,
    Framework,
    Lot,
    Member,
    Supplier,
    Valuation,
)
from returns.models import AnnualReturn, ReportingYear, ReturnEntry, ReturnLine
from returns.services.summary import summary_rebuild

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "STEPS",
    "DemoBuild",
    "load_demo",
    "quarter_end",
]

Step = Callable[[DemoBuild], None]


def build_contract_summary(build: DemoBuild) -> None:
    rows = summary_rebuild()
    build.log(f"contract summary: {rows:,} rows")


STEPS: list[Step] = [
    build_reference_data,
    build_organisations,
    build_people,
    build_contracts,
    build_valuations,
    build_delivery_plans,
    build_reporting_years,
    build_return_figures,
    # Fills in the demo supplier's returns once issued (last year's submitted, this
    # year's part-filled): keep it after the issuing step, before chasing.
    build_supplier_season,
    build_attachments,  # evidence, case studies, queries: after returns exist
    build_imports,
    build_invitations,
    # Needs the issuing step's returns: keep it after any step that issues or
    # moves returns between states.
    build_chasing,
    build_failed_emails,  # the desk's "emails that failed": after chasing
    # A second supplier's last-year return approved by the team (after the above).
    build_review_season,
    build_published_report,  # after past years are approved
    build_member_pages,  # the member's evidence titles: after every approval
    build_api,  # an API token and a monthly extract (issue 24): after the figures
    build_support,  # the team's contact details and requests: after returns exist
    build_amended_line,  # a line amended after the send-back: after every state move
    build_double_counting,  # issue 23's flags and queue: after every state move
    # The steps above write returns in bulk, past the services that keep the
    # contract summary of figures: rebuilt from the lines last.
    build_contract_summary,
]

COUNTED: dict[str, type[models.Model]] = {
    "members": Member,
    "suppliers": Supplier,
    "users": User,
    "supplier_contacts": SupplierContact,
    "member_viewers": MemberViewer,
    "frameworks": Framework,
    "lots": Lot,
    "contracts": Contract,
    "valuations": Valuation,
    "delivery_plan_items": DeliveryPlanItem,
    "reporting_years": ReportingYear,
    "returns": AnnualReturn,
    "return_lines": ReturnLine,
    "return_entries": ReturnEntry,
}


def _portal_tables() -> list[str]:
    from django.apps import apps

    names = ("accounts", "frameworks", "returns", "support")
    return sorted(
        connection.ops.quote_name(model._meta.db_table)
        for model in apps.get_models()
        if model._meta.app_label in names and not model._meta.proxy
    )


def load_demo(
    *,
    today: datetime.date,
    scale: int = 1,
    years: int = 3,
    stdout: _Writable | None = None,
) -> dict[str, int]:
    """Build (or complete) the demo consortium; return the row counts afterwards.

    Called by `manage.py load_demo` and by tests. All or nothing: one transaction.
    """
    if scale < 1:
        raise ValueError("scale must be 1 or more")
    if years < 2:
        raise ValueError("years must be 2 or more: one in season, one approved")
    build = DemoBuild(today=today, scale=scale, years=years, stdout=stdout)
    with transaction.atomic():
        for step in STEPS:
            started = time.perf_counter()
            step(build)
            if scale > 1 and connection.vendor == "postgresql":
                # Autovacuum cannot see rows this transaction has not committed: without
                # fresh statistics the planner takes the tables the steps just filled
                # for empty ones, and at --scale 170 a later step's query ran for
                # minutes on a nested loop. Only the portal's tables: a bare ANALYZE
                # also locks the cluster's shared catalogs until this long
                # transaction ends, stalling every other database's ANALYZE.
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {', '.join(_portal_tables())}")
            build.log(f"{step.__name__}: {time.perf_counter() - started:.1f}s")
    return {label: model.objects.count() for label, model in COUNTED.items()}
