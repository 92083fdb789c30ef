"""A real Celery worker on the broker runs a task against the test database."""

import os
from decimal import Decimal

import pytest

from returns.models import ReturnLine
from returns.tasks import recompute_credits
from tests import factories
from tests.celery_worker import real_worker, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_real_worker_recomputes_credits_in_the_test_database():
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip(
            "needs CELERY_BROKER_URL (Redis); CI sets it for the PostgreSQL pass"
        )
    line = factories.ReturnLineFactory(delivered_credits=Decimal("0"))
    factories.ReturnEntryFactory(
        line=line, measure=factories.measure("EMP-FT"), quantity=2
    )
    factories.ReturnEntryFactory(
        line=line, measure=factories.measure("CAR"), quantity=3
    )

    with real_worker() as queue:
        recompute_credits.apply_async(kwargs={"line_ids": [line.pk]}, queue=queue)
        # EMP-FT 2 × 10 + CAR 3 × 0.2 = 20.60
        delivered = wait_for(
            lambda: (
                ReturnLine.objects.get(pk=line.pk).delivered_credits == Decimal("20.60")
            )
        )
    assert delivered, ReturnLine.objects.get(pk=line.pk).delivered_credits
