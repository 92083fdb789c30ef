"""Case studies: the form's warning, sharing with the member, publication only of
the team's anonymised text, and an administrator's erasure that leaves no text in
the database or its history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from returns import events
from returns.forms.attachments import CASE_STUDY_STORY_HINT
from returns.models import AnnualReturn, CaseStudy, ReturnEvent
from returns.services.case_studies import (
    NOT_EDITABLE,
    case_study_approve,
    case_study_create,
    case_study_erase,
    case_study_update,
)
from tests import factories

pytestmark = pytest.mark.django_db

SECRET_STORY = "Jo Bloggs, a care leaver from Ancoats, started an apprenticeship."


@pytest.fixture
def line(supplier, member):
    return factories.ReturnLineFactory(
        annual_return__supplier=supplier,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
        contract__member=member,
    )


def _create(line, user, **extra):
    data = dict(
        title="Jo's apprenticeship",
        story=SECRET_STORY,
        people_benefited=1,
        consent=CaseStudy.Consent.WRITTEN_CONSENT_HELD,
        share_with_member=False,
        request_publication=False,
    )
    data.update(extra)
    return case_study_create(line=line, acting_user=user, **data)


def _approve_return(line):
    AnnualReturn.objects.filter(pk=line.annual_return_id).update(
        status=AnnualReturn.Status.APPROVED
    )


def test_the_form_says_what_must_never_be_included(line, supplier_client):
    url = reverse(
        "supplier:case_study_create",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )
    page = supplier_client.get(url).content.decode()
    assert "health, criminal record or care history" in page
    assert "written consent" in page
    assert "never include anyone&#x27;s health" in CASE_STUDY_STORY_HINT.replace(
        "'", "&#x27;"
    )


def test_a_supplier_adds_a_case_study_and_asks_for_publication(
    line, supplier_client, supplier_user
):
    url = reverse(
        "supplier:case_study_create",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )
    response = supplier_client.post(
        url,
        {
            "title": "A new start",
            "story": "An apprentice finished a Level 2 in carpentry.",
            "people_benefited": "1",
            "consent": "none_identifiable",
            "share_with_member": "on",
            "request_publication": "on",
        },
    )
    assert response.status_code == 302
    study = CaseStudy.objects.get()
    assert study.publication == CaseStudy.Publication.REQUESTED
    assert study.share_with_member and study.created_by == supplier_user
    assert list(ReturnEvent.objects.values_list("kind", flat=True)) == [
        events.CASE_STUDY_ADDED,
        events.CASE_STUDY_REQUESTED,
    ]
    # No story text in any event: events are kept for ever, the story is erasable.
    for event in ReturnEvent.objects.all():
        assert "apprentice" not in (event.comment + str(event.snapshot)).lower()


def test_the_form_refuses_bad_input_with_messages(line, supplier_client):
    url = reverse(
        "supplier:case_study_create",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )
    response = supplier_client.post(
        url, {"title": "", "story": "", "people_benefited": "-3", "consent": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "Enter a title",
        "Enter the story",
        "How many people benefited must be 0 or more",
        "Select whether anyone can be identified from it",
    ):
        assert message in page
    assert not CaseStudy.objects.exists()


def test_a_private_case_study_never_reaches_the_member_or_the_public(
    line, supplier_user, member_client
):
    _create(line, supplier_user, share_with_member=False)
    _approve_return(line)
    assert SECRET_STORY not in member_client.get(
        reverse("member:case_studies")
    ).content.decode("utf-8")
    assert "Jo" not in Client().get(reverse("case_studies_public")).content.decode()


def test_a_shared_case_study_reaches_its_member_only(
    line, supplier_user, member_client
):
    _create(line, supplier_user, share_with_member=True)
    _approve_return(line)
    page = member_client.get(reverse("member:case_studies")).content.decode()
    assert "Jo&#x27;s apprenticeship" in page
    other_member = Client()
    other_member.force_login(factories.MemberViewerFactory().user)
    assert "apprenticeship" not in other_member.get(
        reverse("member:case_studies")
    ).content.decode("utf-8")


def test_only_the_teams_approved_text_is_ever_public(
    line, supplier_user, team_client, team_user
):
    study = _create(line, supplier_user, request_publication=True)
    public = reverse("case_studies_public")
    assert "apprenticeship" not in Client().get(public).content.decode()
    response = team_client.post(
        reverse("team:case_study_approve", kwargs={"case_study_id": study.pk}),
        {
            "public_title": "A new trade",
            "public_story": "A young person leaving care started an apprenticeship.",
        },
    )
    assert response.status_code == 302
    page = Client().get(public).content.decode()
    assert "A new trade" in page
    assert "A young person leaving care started an apprenticeship." in page
    assert "Jo" not in page and "Ancoats" not in page
    assert ReturnEvent.objects.filter(
        kind=events.CASE_STUDY_PUBLISHED, actor=team_user
    ).exists()


def test_a_case_study_not_requested_cannot_be_approved(line, supplier_user, team_user):
    study = _create(line, supplier_user)
    with pytest.raises(ValidationError):
        case_study_approve(
            case_study=study, acting_user=team_user, public_title="T", public_story="S"
        )
    study.refresh_from_db()
    assert study.publication == CaseStudy.Publication.PRIVATE


def test_case_studies_can_change_only_while_the_return_is_editable(line, supplier_user):
    study = _create(line, supplier_user)
    AnnualReturn.objects.filter(pk=line.annual_return_id).update(
        status=AnnualReturn.Status.SUBMITTED
    )
    with pytest.raises(ValidationError) as refused:
        case_study_update(
            case_study=study,
            acting_user=supplier_user,
            title="New",
            story="New",
            people_benefited=2,
            consent=CaseStudy.Consent.NONE_IDENTIFIABLE,
            share_with_member=True,
        )
    assert refused.value.messages == [NOT_EDITABLE]


def test_an_erased_case_studys_text_is_gone_from_the_database_and_its_history(
    line, supplier_user, team_user, admin_client_portal, admin_user
):
    study = _create(
        line, supplier_user, share_with_member=True, request_publication=True
    )
    case_study_update(
        case_study=study,
        acting_user=supplier_user,
        title="Jo's apprenticeship, updated",
        story=SECRET_STORY + " Jo now works for us.",
        people_benefited=1,
        consent=CaseStudy.Consent.WRITTEN_CONSENT_HELD,
        share_with_member=True,
        request_publication=True,
    )
    case_study_approve(
        case_study=study,
        acting_user=team_user,
        public_title="Public Jo title",
        public_story="Public Jo story",
    )
    url = reverse("team:case_study_erase", kwargs={"case_study_id": study.pk})
    response = admin_client_portal.post(url, {"reason": "Jo asked us to erase it"})
    assert response.status_code == 302

    study.refresh_from_db()
    assert study.erased_at
    assert (study.title, study.story, study.public_title, study.public_story) == (
        "",
        "",
        "",
        "",
    )
    assert study.publication == CaseStudy.Publication.PRIVATE
    assert not study.share_with_member
    history = CaseStudy.history.filter(id=study.pk)
    assert history.count() >= 4  # created, changed, approved, erased: all kept
    # No history column holds the text, and no row of any table mentions it.
    history_columns = {f.column for f in CaseStudy.history.model._meta.concrete_fields}
    assert not history_columns & {"title", "story", "public_title", "public_story"}
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CaseStudy.history.model._meta.db_table)
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (a fixed table name)
        rows = cursor.fetchall()
    assert rows and not any("Ancoats" in str(row) for row in rows)
    assert not any("Public Jo" in str(row) for row in rows)
    event = ReturnEvent.objects.get(kind=events.CASE_STUDY_ERASED)
    assert event.actor == admin_user and event.comment == "Jo asked us to erase it"
    for event in ReturnEvent.objects.all():
        assert "Ancoats" not in str(event.snapshot) + event.comment
    assert (
        "Public Jo" not in Client().get(reverse("case_studies_public")).content.decode()
    )


def test_the_team_without_the_administrator_group_cannot_erase_a_case_study(
    line, supplier_user, team_client
):
    study = _create(line, supplier_user)
    url = reverse("team:case_study_erase", kwargs={"case_study_id": study.pk})
    assert team_client.get(url).status_code == 403
    assert team_client.post(url, {"reason": "x"}).status_code == 403
    study.refresh_from_db()
    assert study.story == SECRET_STORY and not study.erased_at


def test_erasing_twice_is_refused(line, supplier_user, admin_user):
    study = _create(line, supplier_user)
    case_study_erase(case_study=study, acting_user=admin_user, reason="Request")
    with pytest.raises(ValidationError):
        case_study_erase(case_study=study, acting_user=admin_user, reason="Again")
    assert ReturnEvent.objects.filter(kind=events.CASE_STUDY_ERASED).count() == 1


def test_another_supplier_gets_404_for_each_case_study_page(line, supplier_user):
    study = _create(line, supplier_user)
    other = Client()
    other.force_login(factories.SupplierContactFactory().user)
    kwargs = {"reference": line.annual_return.reference, "pk": line.pk}
    for url in (
        reverse("supplier:line_case_studies", kwargs=kwargs),
        reverse("supplier:case_study_create", kwargs=kwargs),
        reverse(
            "supplier:case_study_edit", kwargs={**kwargs, "case_study_id": study.pk}
        ),
    ):
        assert other.get(url).status_code == 404, url
    assert (
        other.post(
            reverse(
                "supplier:case_study_edit", kwargs={**kwargs, "case_study_id": study.pk}
            ),
            {
                "title": "Hijacked",
                "story": "x",
                "people_benefited": "0",
                "consent": "none_identifiable",
            },
        ).status_code
        == 404
    )
    study.refresh_from_db()
    assert study.title == "Jo's apprenticeship"


def test_a_case_study_of_another_line_is_not_found_through_this_line(
    line, supplier_user, supplier_client
):
    other_line = factories.ReturnLineFactory(annual_return=line.annual_return)
    study = _create(other_line, supplier_user)
    url = reverse(
        "supplier:case_study_edit",
        kwargs={
            "reference": line.annual_return.reference,
            "pk": line.pk,
            "case_study_id": study.pk,
        },
    )
    assert supplier_client.get(url).status_code == 404


def _shared_on_approved_return(member, n):
    for _ in range(n):
        factories.CaseStudyFactory(
            line__contract__member=member,
            line__annual_return__status=AnnualReturn.Status.APPROVED,
            share_with_member=True,
            publication=CaseStudy.Publication.REQUESTED,
        )


def test_the_case_study_lists_do_not_grow_their_queries_with_rows(
    member, member_client, team_client, django_assert_max_num_queries
):
    pages = (
        (member_client, reverse("member:case_studies")),
        (team_client, reverse("team:case_studies")),
    )
    _shared_on_approved_return(member, 2)
    counts = []
    for client, url in pages:
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    _shared_on_approved_return(member, 15)
    for (client, url), count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).content.decode().count("govuk-") > 0
