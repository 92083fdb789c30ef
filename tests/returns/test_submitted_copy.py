"""A copy to keep (issue 21, part 7): after submission the supplier downloads a PDF of
exactly what was submitted, linked from the receipt email; read back as text."""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from returns.models import AnnualReturn
from returns.services import line_save
from returns.services.review import return_send_back
from returns.services.submission import return_submit
from tests import factories

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime.datetime(2025, 5, 1, 13, 5, tzinfo=datetime.UTC)  # 14:05 BST


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(SUBMITTED_AT, tick=False):
        yield


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \t]+", " ", text)


@pytest.fixture
def submitted(supplier, supplier_user, django_capture_on_commit_callbacks):
    supplier.name = "Acme Build Ltd"
    supplier.save()
    annual_return = factories.AnnualReturnFactory(supplier=supplier)
    met = factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-MET",
        contract__title="Roof repairs",
        target_credits=Decimal("10.00"),
    )
    short = factories.ReturnLineFactory(
        annual_return=annual_return,
        contract__reference="C-SHORT",
        contract__title="Kitchens – phase 2",
        target_credits=Decimal("20.00"),
    )
    line_save(
        line=met,
        user=None,
        expected_version=met.version,
        quantities={"EMP-FT": "1", "VOL": "10.5"},
    )
    line_save(
        line=short,
        user=None,
        expected_version=short.version,
        quantities={"TRN": "3"},
        shortfall_reason="The site opened late",
        recovery_plan="Two apprentices from September",
        recovery_by=datetime.date(2026, 2, 5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return_submit(
            annual_return=annual_return,
            user=supplier_user,
            declared_by_name="Asha Patel",
            declared_own_figures=True,
        )
    return annual_return


def copy_url(annual_return):
    return reverse("supplier:submitted_copy", args=[annual_return.reference])


def test_the_pdf_says_exactly_what_was_submitted(supplier_client, submitted):
    response = supplier_client.get(copy_url(submitted))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        submitted.reference,
        "Acme Build Ltd",
        "Declared by Asha Patel",
        "Submitted 1 May 2025 14:05",
        "13.53 credits delivered against a target of 30.00",
        "C-MET: Roof repairs",
        "10.53 credits delivered against a target of 10.00",
        "Jobs created, full-time: 1 person",
        "Staff volunteering in the community: 10.50 hours",
        "C-SHORT: Kitchens - phase 2",
        "3.00 credits delivered against a target of 20.00",
        "Training courses completed: 3 people",
        "The site opened late",
        "Two apprentices from September",
        "5 February 2026",
    ):
        assert expected in text, expected


def test_the_copy_keeps_what_was_submitted_after_a_send_back(
    supplier_client, submitted
):
    return_send_back(
        annual_return=submitted,
        user=factories.TeamUserFactory(),
        reason="Check the jobs",
    )
    line = submitted.lines.get(contract__reference="C-MET")
    line_save(
        line=line,
        user=None,
        expected_version=line.version,
        quantities={"EMP-FT": "4"},
    )
    text = pdf_text(supplier_client.get(copy_url(submitted)).content)
    assert "Jobs created, full-time: 1 person" in text
    assert "4 people" not in text


def test_the_receipt_email_links_to_the_copy(submitted):
    (receipt,) = mail.outbox
    assert "A copy to keep (PDF): http" in receipt.body
    assert copy_url(submitted) in receipt.body


def test_the_confirmation_and_task_list_link_to_the_copy(supplier_client, submitted):
    for name in ("supplier:submitted", "supplier:return_detail"):
        page = supplier_client.get(reverse(name, args=[submitted.reference]))
        assert copy_url(submitted) in page.content.decode()


def test_before_submission_there_is_no_copy(supplier_client, supplier):
    annual_return = factories.AnnualReturnFactory(supplier=supplier)
    response = supplier_client.get(copy_url(annual_return))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "supplier:return_detail", args=[annual_return.reference]
    )


def test_another_supplier_gets_not_found(submitted):
    from django.test import Client

    from tests.sessions import signed_in

    client = Client()
    signed_in(client, factories.SupplierContactFactory().user)
    assert client.get(copy_url(submitted)).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == AnnualReturn.Status.SUBMITTED
