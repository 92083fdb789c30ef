"""The team fills in and submits a return for a supplier who sent their figures by
phone or email, on the supplier's own pages: the declaration names the supplier's
person and the team member is recorded as "entered by"."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from returns import events
from returns.models import AnnualReturn, ReturnEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact():
    return factories.SupplierContactFactory(supplier__name="Acme Build Ltd")


@pytest.fixture
def annual_return(contact):
    return factories.AnnualReturnFactory(supplier=contact.supplier)


@pytest.fixture
def line(annual_return):
    return factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=Decimal("10.00")
    )


def test_the_team_enters_and_submits_a_return_for_a_supplier(
    annual_return,
    line,
    contact,
    team_user,
    team_client,
    django_capture_on_commit_callbacks,
):
    task_list = team_client.get(
        reverse("supplier:return_detail", args=[annual_return.reference])
    )
    assert task_list.status_code == 200
    assert (
        "You are entering this return for Acme Build Ltd" in task_list.content.decode()
    )
    response = team_client.post(
        reverse("supplier:line", args=[annual_return.reference, line.pk]),
        {"version": line.version, "q_EMP-FT": "2"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.delivered_credits == Decimal("20.00")
    assert line.updated_by == team_user
    check = reverse("supplier:check", args=[annual_return.reference])
    page = team_client.get(check).content.decode()
    assert "Full name of the supplier's person making the declaration" in page
    assert f"Entered by: {team_user}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            check, {"declared_by_name": "Asha Patel", "declared_own_figures": "yes"}
        )
    assert response.status_code == 302
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED
    assert annual_return.declared_by_name == "Asha Patel"
    assert annual_return.entered_by == team_user
    assert annual_return.submitted_by == team_user
    event = ReturnEvent.objects.get(annual_return=annual_return, kind=events.SUBMITTED)
    assert event.actor == team_user
    assert event.snapshot["entered_by"] == team_user.pk
    assert event.comment == f"Declared by Asha Patel, entered by {team_user}"
    # The supplier's contacts get the receipt, as if they had submitted it
    assert [m.to[0] for m in mail.outbox] == [contact.user.email]
    # ...and the team's review page shows who entered it
    review = team_client.get(
        reverse("team:review_detail", args=[annual_return.reference])
    ).content.decode()
    assert "Entered by" in review and str(team_user) in review


def test_a_supplier_still_cannot_open_another_suppliers_return(annual_return, line):
    from django.test import Client

    other = factories.SupplierContactFactory()
    client = Client()
    client.force_login(other.user)
    url = reverse("supplier:return_detail", args=[annual_return.reference])
    assert client.get(url).status_code == 404
    url = reverse("supplier:line", args=[annual_return.reference, line.pk])
    assert client.get(url).status_code == 404


def test_a_member_cannot_act_for_a_supplier(annual_return, member_client):
    url = reverse("supplier:return_detail", args=[annual_return.reference])
    assert member_client.get(url).status_code == 403


def test_the_team_cannot_change_a_submitted_return_on_the_suppliers_pages(
    annual_return, line, team_client
):
    annual_return.status = AnnualReturn.Status.SUBMITTED
    annual_return.save()
    response = team_client.post(
        reverse("supplier:line", args=[annual_return.reference, line.pk]),
        {"version": line.version, "q_EMP-FT": "5"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.delivered_credits == Decimal("0")


def test_the_team_adds_evidence_a_case_study_and_a_query_for_a_supplier(
    annual_return,
    line,
    contact,
    team_user,
    team_client,
    django_capture_on_commit_callbacks,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from returns.models import CaseStudy, Evidence, LineQuery
    from returns.services.queries import query_answer
    from tests import filesamples

    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.IN_PROGRESS
    )
    kwargs = {"reference": annual_return.reference, "pk": line.pk}
    acting = "You are entering this return for Acme Build Ltd"
    for name in ("line_evidence", "line_case_studies", "line_queries"):
        page = team_client.get(reverse(f"supplier:{name}", kwargs=kwargs))
        assert page.status_code == 200
        assert acting in page.content.decode()

    response = team_client.post(
        reverse("supplier:line_evidence", kwargs=kwargs),
        {"file": SimpleUploadedFile("register.pdf", filesamples.PDF)},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.uploaded_by == team_user
    download = team_client.get(
        reverse(
            "supplier:evidence_download", kwargs={**kwargs, "evidence_id": evidence.pk}
        )
    )
    assert download.status_code == 200

    form = reverse("supplier:case_study_create", kwargs=kwargs)
    assert acting in team_client.get(form).content.decode()
    response = team_client.post(
        form,
        {
            "title": "A new start",
            "story": "An apprentice finished a Level 2 in carpentry.",
            "people_benefited": "1",
            "consent": "none_identifiable",
        },
    )
    assert response.status_code == 302
    assert CaseStudy.objects.get().created_by == team_user

    response = team_client.post(
        reverse("supplier:line_queries", kwargs=kwargs),
        {"reason": "spend_wrong", "text": "Phoned in: the spend is £150,000."},
    )
    assert response.status_code == 302
    query = LineQuery.objects.get()
    assert query.raised_by == team_user
    kinds = [events.EVIDENCE_ADDED, events.CASE_STUDY_ADDED, events.QUERY_RAISED]
    assert set(
        ReturnEvent.objects.filter(kind__in=kinds).values_list("kind", "actor")
    ) == {(kind, team_user.pk) for kind in kinds}

    # Raised by the team for the supplier: the answer goes to the supplier's
    # contacts, not back to the team member who typed the query in.
    with django_capture_on_commit_callbacks(execute=True):
        query_answer(
            query=query,
            acting_user=factories.TeamUserFactory(),
            answer="Checked: the spend is right.",
        )
    assert [m.to[0] for m in mail.outbox] == [contact.user.email]
