"""Every limit of a form is a limit of the service and the model (core.limits): the
form, the service behind it and the model field refuse the same text in the same
words, so a way in that skips the form (the admin, a shell, a future import) cannot
keep what the page would refuse."""

import datetime
from decimal import Decimal as D
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import limits
from frameworks.imports import services as imports
from frameworks.imports.services import ImportRefused
from returns.forms.attachments import (
    CaseStudyApproveForm,
    CaseStudyForm,
    EraseForm,
    LineQueryForm,
    QueryAnswerForm,
)
from returns.forms.chasing import ChaseRecordForm, ExtensionForm, ReasonForm
from returns.forms.team import ApproveForm, LineReasonForm, SendBackForm
from returns.models import (
    AnnualReturn,
    CaseStudy,
    LineQuery,
    Reminder,
    ReturnEvent,
    ReturnLine,
)
from returns.services import (
    case_studies,
    chasing,
    evidence,
    lines_team,
    queries,
    review,
)
from returns.services.line_rules import text_too_long
from support.forms import AnswerForm, DecisionForm, HelpForm, ReopenRequestForm
from support.models import SupportRequest
from tests import factories
from tests.frameworks.sheets import xlsx

pytestmark = pytest.mark.django_db

# form, field, the other fields it needs, label, limit
FORMS = [
    (EraseForm, "reason", {}, "The reason", limits.ERASURE),
    (LineQueryForm, "text", {"reason": "other"}, "The query", limits.MESSAGE),
    (QueryAnswerForm, "answer", {}, "The answer", limits.MESSAGE),
    (
        CaseStudyApproveForm,
        "public_story",
        {"public_title": "A title"},
        "The public story",
        limits.STORY,
    ),
    (
        CaseStudyApproveForm,
        "public_title",
        {"public_story": "A story"},
        "The public title",
        limits.TITLE,
    ),
    (ChaseRecordForm, "note", {"channel": "phone"}, "The note", limits.NOTE),
    (ExtensionForm, "reason", {}, "The reason", limits.NOTE),
    (ReasonForm, "reason", {}, "The reason", limits.NOTE),
    (SendBackForm, "reason", {}, "The reason", limits.MESSAGE),
    (ApproveForm, "comment", {}, "The note for the record", limits.NOTE),
    (LineReasonForm, "reason", {}, "The reason", limits.MESSAGE),
    (HelpForm, "message", {}, "Your question", limits.MESSAGE),
    (ReopenRequestForm, "reason", {}, "The reason", limits.MESSAGE),
    (AnswerForm, "answer", {}, "The answer", limits.MESSAGE),
    (
        partial(DecisionForm, kind="extension"),
        "reason",
        {"decision": "grant"},
        "The reason",
        limits.NOTE,
    ),
    (
        partial(DecisionForm, kind="reopen"),
        "reason",
        {"decision": "grant"},
        "The reason",
        limits.MESSAGE,
    ),
]

# model, field, limit (the form's limit, or the form's plus the words put in front)
MODEL_FIELDS = [
    (AnnualReturn, "extension_reason", limits.NOTE),
    (AnnualReturn, "not_required_reason", limits.NOTE),
    (AnnualReturn, "returned_reason", limits.MESSAGE),
    (ReturnLine, "excluded_reason", limits.MESSAGE),
    (LineQuery, "answer", limits.MESSAGE),
    (CaseStudy, "title", limits.TITLE),
    (CaseStudy, "story", limits.STORY),
    (CaseStudy, "public_title", limits.TITLE),
    (CaseStudy, "public_story", limits.STORY),
    (Reminder, "note", limits.NOTE),
    (SupportRequest, "message", limits.MESSAGE),
    (SupportRequest, "answer", limits.MESSAGE),
]


def _messages(error: ValidationError) -> list[str]:
    return error.messages


@pytest.mark.parametrize(("form_class", "name", "other", "label", "limit"), FORMS)
def test_each_form_refuses_one_character_over_its_limit_in_the_limits_words(
    form_class, name, other, label, limit
):
    at_limit = form_class({**other, name: "x" * limit})
    at_limit.is_valid()
    assert name not in at_limit.errors
    over = form_class({**other, name: "x" * (limit + 1)})
    assert not over.is_valid()
    assert over.errors[name] == [limits.too_long(label, limit)]


def test_the_case_study_form_takes_its_limits_and_words_from_the_model():
    form = CaseStudyForm(
        {
            "title": "t" * (limits.TITLE + 1),
            "story": "s" * (limits.STORY + 1),
            "people_benefited": 1,
            "consent": CaseStudy.Consent.NONE_IDENTIFIABLE,
        }
    )
    assert not form.is_valid()
    assert form.errors["title"] == [limits.too_long("The title", limits.TITLE)]
    assert form.errors["story"] == [limits.too_long("The story", limits.STORY)]


@pytest.mark.parametrize(("model", "name", "limit"), MODEL_FIELDS)
def test_each_model_field_holds_the_forms_limit(model, name, limit):
    assert model._meta.get_field(name).max_length == limit


def test_a_querys_model_field_leaves_room_for_the_reasons_words_only():
    room = LineQuery._meta.get_field("text").max_length - limits.MESSAGE
    longest = max(len(words) + 2 for words in queries.REASONS.values())
    assert longest <= room <= 100


@pytest.fixture
def world(team_user, admin_user):
    annual_return = factories.issued_return(status=AnnualReturn.Status.IN_PROGRESS)
    contact = annual_return.supplier.contacts.get()
    line = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=D("10")
    )
    return {
        "team": team_user,
        "admin": admin_user,
        "contact": contact,
        "return": annual_return,
        "line": line,
    }


def _over(limit: int) -> str:
    return "x" * (limit + 1)


def _refused(call, label: str, limit: int) -> None:
    with pytest.raises(ValidationError) as refused:
        call()
    assert limits.too_long(label, limit) in _messages(refused.value)


def test_the_chasing_services_refuse_what_their_forms_refuse(world):
    annual_return, team = world["return"], world["team"]
    later = annual_return.year.deadline + datetime.timedelta(days=30)
    _refused(
        lambda: chasing.return_extend(
            annual_return=annual_return,
            deadline=max(later, timezone.localdate() + datetime.timedelta(days=1)),
            reason=_over(limits.NOTE),
            acting_user=team,
        ),
        "The reason",
        limits.NOTE,
    )
    _refused(
        lambda: chasing.return_mark_not_required(
            annual_return=annual_return,
            reason=_over(limits.NOTE),
            acting_user=team,
            confirmed=True,
        ),
        "The reason",
        limits.NOTE,
    )
    _refused(
        lambda: chasing.reminder_record(
            annual_return=annual_return,
            channel=Reminder.Channel.PHONE,
            note=_over(limits.NOTE),
            acting_user=team,
        ),
        "The note",
        limits.NOTE,
    )
    annual_return.refresh_from_db()
    assert annual_return.extended_deadline is None
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    assert not Reminder.objects.filter(annual_return=annual_return).exists()
    assert not ReturnEvent.objects.filter(annual_return=annual_return).exists()


def test_the_query_services_refuse_what_their_forms_refuse(world):
    line, contact, team = world["line"], world["contact"], world["team"]
    _refused(
        lambda: queries.query_raise(
            line=line,
            acting_user=contact.user,
            reason="other",
            text=_over(limits.MESSAGE),
        ),
        "The query",
        limits.MESSAGE,
    )
    assert not LineQuery.objects.exists()
    query = queries.query_raise(
        line=line, acting_user=contact.user, reason="other", text="x" * limits.MESSAGE
    )
    query.full_clean()  # the longest query the form takes fits the model
    _refused(
        lambda: queries.query_answer(
            query=query, acting_user=team, answer=_over(limits.MESSAGE)
        ),
        "The answer",
        limits.MESSAGE,
    )
    query.refresh_from_db()
    assert query.answer == "" and query.answered_at is None


def test_the_review_services_refuse_what_their_forms_refuse(world):
    annual_return, line, team = world["return"], world["line"], world["team"]
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.SUBMITTED
    )
    _refused(
        lambda: review.return_send_back(
            annual_return=annual_return, user=team, reason=_over(limits.MESSAGE)
        ),
        "The reason",
        limits.MESSAGE,
    )
    _refused(
        lambda: review.return_send_back(
            annual_return=annual_return,
            user=team,
            reason="Please check",
            line_comments={line.pk: _over(limits.NOTE)},
        ),
        "A comment",
        limits.NOTE,
    )
    _refused(
        lambda: review.return_approve(
            annual_return=annual_return,
            user=team,
            comment=_over(limits.NOTE),
            confirmed=True,
        ),
        "The note for the record",
        limits.NOTE,
    )
    _refused(
        lambda: review.line_exclude(line=line, user=team, reason=_over(limits.MESSAGE)),
        "The reason",
        limits.MESSAGE,
    )
    _refused(
        lambda: lines_team.line_exclude(
            line=line, acting_user=team, reason=_over(limits.MESSAGE)
        ),
        "The reason",
        limits.MESSAGE,
    )
    annual_return.refresh_from_db()
    line.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED
    assert annual_return.returned_reason == ""
    assert line.excluded_at is None
    assert not ReturnEvent.objects.filter(annual_return=annual_return).exists()


def test_the_case_study_and_erasure_services_refuse_what_their_forms_refuse(world):
    line, contact, admin = world["line"], world["contact"], world["admin"]
    _refused(
        lambda: case_studies.case_study_create(
            line=line,
            acting_user=contact.user,
            title="A title",
            story=_over(limits.STORY),
            people_benefited=1,
            consent=CaseStudy.Consent.NONE_IDENTIFIABLE,
            share_with_member=False,
        ),
        "The story",
        limits.STORY,
    )
    assert not CaseStudy.objects.exists()
    story = factories.CaseStudyFactory(
        line=line, publication=CaseStudy.Publication.REQUESTED
    )
    _refused(
        lambda: case_studies.case_study_approve(
            case_study=story,
            acting_user=world["team"],
            public_title="Public",
            public_story=_over(limits.STORY),
        ),
        "The public story",
        limits.STORY,
    )
    _refused(
        lambda: case_studies.case_study_erase(
            case_study=story, acting_user=admin, reason=_over(limits.ERASURE)
        ),
        "The reason",
        limits.ERASURE,
    )
    kept = factories.EvidenceFactory(line=line)
    _refused(
        lambda: evidence.evidence_erase(
            evidence=kept, acting_user=admin, reason=_over(limits.ERASURE)
        ),
        "The reason",
        limits.ERASURE,
    )
    story.refresh_from_db()
    kept.refresh_from_db()
    assert story.erased_at is None and story.publication == "requested"
    assert kept.erased_at is None


def test_the_past_returns_import_refuses_a_long_reason_in_the_line_forms_words(db):
    supplier = factories.SupplierFactory(reference="S1")
    factories.ContractFactory(reference="C-1", supplier=supplier)
    header = ["Year", "Supplier reference", "Contract reference"]
    header += ["Spend (£, excl. VAT)", "Target credits", "EMP-FT", "Reasons"]
    long_reason = "Late start. " * 400  # 4,800 characters
    data = xlsx(
        header,
        ["2022/23", "S1", "C-1", 250000, 25, 1, long_reason],
        ["2022/23", "S1", "C-2", 250000, 25, None, long_reason],
    )
    with pytest.raises(ImportRefused) as refused:
        imports.import_apply(file=data, name="past.xlsx")
    found = {
        (problem.row, problem.header): problem.message
        for problem in refused.value.report.errors
    }
    assert found[(2, "Reasons")] == text_too_long("shortfall_reason")
    assert (
        found[(2, "Reasons")]
        == "The reason for the shortfall must be 4,000 characters or fewer"
    )
    assert found[(3, "Reasons")] == text_too_long("nothing_delivered_reason")
    assert not AnnualReturn.objects.exists()
