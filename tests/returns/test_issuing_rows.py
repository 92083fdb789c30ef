"""Writing an issue's rows column by column (`returns.services.issuing.rows`): one
statement on PostgreSQL, batches of VALUES elsewhere, the same rows either way.

Every test runs on SQLite and on PostgreSQL (the suite runs twice in CI).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from returns.models import AnnualReturn, ReturnEvent, ReturnLine
from returns.services.issuing.rows import insert_rows
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


def _line_columns(annual_return, contracts, spends, targets) -> dict[str, list]:
    return {
        "annual_return_id": [annual_return.pk] * len(contracts),
        "contract_id": [c.pk for c in contracts],
        "member_id": [c.member_id for c in contracts],
        "lot_id": [c.lot_id for c in contracts],
        "local_authority_id": [c.local_authority_id for c in contracts],
        "spend": spends,
        "target_credits": targets,
    }


def test_fields_not_given_take_the_models_defaults():
    annual_return = factories.AnnualReturnFactory()
    contract = factories.ContractFactory()
    insert_rows(
        ReturnLine,
        _line_columns(annual_return, [contract], [D("150000.00")], [D("15.00")]),
    )
    line = ReturnLine.objects.get()
    default = ReturnLine()
    given = {"id", *_line_columns(annual_return, [], [], [])}
    for field in ReturnLine._meta.concrete_fields:
        if field.attname not in given:
            assert getattr(line, field.attname) == getattr(default, field.attname), (
                field.attname
            )
    assert (line.spend, line.target_credits) == (D("150000.00"), D("15.00"))
    assert line.local_authority_id == contract.local_authority_id


def test_a_decimal_with_more_places_than_its_column_is_refused_not_rounded():
    annual_return = factories.AnnualReturnFactory()
    contract = factories.ContractFactory()
    with pytest.raises(ValueError, match="more than 2 places"):
        insert_rows(
            ReturnLine,
            _line_columns(annual_return, [contract], [D("100050.00")], [D("10.005")]),
        )
    assert not ReturnLine.objects.exists()


def test_text_that_means_something_in_an_array_or_in_json_arrives_unchanged():
    annual_return = factories.AnnualReturnFactory()
    awkward = [
        'a "quoted" word',
        'back\\slash and \\" both',
        "{braces}, commas, NULL",
        "NULL",
        "",
        "£ – ’ 雪",
    ]
    insert_rows(
        ReturnEvent,
        {
            "annual_return_id": [annual_return.pk] * len(awkward),
            "kind": ["issued"] * len(awkward),
            "comment": awkward,
            "snapshot": [
                {"contracts": [text], "n": i} for i, text in enumerate(awkward)
            ],
        },
        values={"actor_id": None, "at": timezone.now()},
    )
    events = list(ReturnEvent.objects.order_by("id"))
    assert [event.comment for event in events] == awkward
    assert [event.snapshot for event in events] == [
        {"contracts": [text], "n": i} for i, text in enumerate(awkward)
    ]
    assert all(event.actor_id is None for event in events)


def test_a_row_that_breaks_a_unique_constraint_is_skipped_and_not_returned():
    year = factories.ReportingYearFactory()
    taken = factories.AnnualReturnFactory(year=year)
    newcomer = factories.SupplierFactory()
    created = insert_rows(
        AnnualReturn,
        {
            "supplier_id": [taken.supplier_id, newcomer.pk],
            "reference": ["SV-TAKEN", "SV-NEW"],
        },
        values={"year_id": year.pk, "issued_at": timezone.now()},
        returning=("supplier_id", "id"),
    )
    new = AnnualReturn.objects.get(supplier=newcomer)
    assert created == [(newcomer.pk, new.pk)]
    taken.refresh_from_db()
    assert taken.reference != "SV-TAKEN"
    assert new.status == AnnualReturn.Status.NOT_STARTED  # the model's default


def test_the_number_of_statements_does_not_grow_with_the_rows():
    def statements(count: int) -> int:
        annual_return = factories.AnnualReturnFactory()
        contracts = [factories.ContractFactory() for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            insert_rows(
                ReturnLine,
                _line_columns(
                    annual_return,
                    contracts,
                    [D("150000.00")] * count,
                    [D("15.00")] * count,
                ),
            )
        return len(queries)

    assert statements(2) == statements(20) == 1
