"""The contract summary's refresh of one contract (every line save runs it) deletes
its rows by index on PostgreSQL, never by scanning the whole table: with a table of
some size, analysed, a delete that no index serves is planned as a scan."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns.models import ContractSummary
from returns.services.summary import summary_refresh
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_refreshing_one_contract_touches_its_summary_rows_by_index():
    line = factories.ReturnLineFactory(target_credits=D("20"))
    factories.ReturnLineFactory(target_credits=D("10"))  # another contract's rows
    # Other contracts' rows, as a season holds them (derived rows: no foreign key
    # checks), so the planner weighs a scan against the indexes as it would live.
    year_id = line.annual_return.year_id
    ContractSummary.objects.bulk_create(
        ContractSummary(contract_id=10_000_000 + n, year_id=year)
        for n in range(4000)
        for year in (None, year_id)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE returns_contractsummary")
    with CaptureQueriesContext(connection) as captured:
        summary_refresh(contract_ids=[line.contract_id])
    deletes = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("DELETE") and "returns_contractsummary" in q["sql"]
    ]
    assert deletes
    with connection.cursor() as cursor:
        for sql in deletes:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on returns_contractsummary" not in plan, (sql, plan)
