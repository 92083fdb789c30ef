"""The team search reads every group by index on PostgreSQL: a common word (one
that thousands of titles contain) must not scan whole tables. With sequential
scans priced out, a query with no index for one part of its `OR` still scans."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns.selectors.search import team_search
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_each_group_of_the_search_is_read_by_index():
    supplier = factories.SupplierFactory(name="Housing Repairs Ltd")
    factories.ContractFactory(supplier=supplier, title="Sheltered housing")
    factories.UserFactory(full_name="Harriet Housing")
    with CaptureQueriesContext(connection) as captured:
        results = team_search(text="housing")
    assert {group.key for group in results.groups} >= {"suppliers", "contracts"}
    searched = [q["sql"] for q in captured if "WHERE" in q["sql"]]
    assert len(searched) >= 5
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in searched:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, (sql, plan)
