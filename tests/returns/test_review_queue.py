"""The review queue (issue 23, parts 3 and 4): returns ranked by what needs a look,
with the reasons as tags and the longest waiting order kept; a flag marked checked
with a note (history and event); bulk approval refused, changing nothing, for a
flagged, queried or disputed return, and recorded per return when safe."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from returns import events
from returns.models import (
    AnnualReturn,
    LineFlag,
    MemberCheck,
    Notification,
    ReturnEvent,
)
from returns.selectors import review as review_selectors
from returns.selectors import review_queue
from returns.services.flag_checks import NOTE_REQUIRED, flag_check
from returns.services.review_bulk import BulkApprovalRefused, returns_approve_bulk
from tests import factories

pytestmark = pytest.mark.django_db

SUBMITTED = AnnualReturn.Status.SUBMITTED
APPROVED = AnnualReturn.Status.APPROVED


def _submitted(name: str, days_ago: int, year=None, **fields) -> AnnualReturn:
    supplier = factories.SupplierFactory(name=name)
    factories.SupplierContactFactory(supplier=supplier, is_primary=True)
    annual_return = factories.AnnualReturnFactory(
        supplier=supplier,
        year=year or factories.ReportingYearFactory(label="2024/25"),
        status=SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        first_submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )
    factories.ReturnLineFactory(annual_return=annual_return)
    return annual_return


def _flag(annual_return, code=LineFlag.Code.SAME_FILE, **fields) -> LineFlag:
    return LineFlag.objects.create(
        line=annual_return.lines.first(),
        code=code,
        message="The file is also attached to contract C-9.",
        **fields,
    )


@pytest.fixture
def year():
    return factories.ReportingYearFactory(label="2024/25")


@pytest.fixture
def season(year):
    """Six submitted returns, each with one reason (the oldest has none); every
    supplier but the first-time one has an approved return of the year before."""
    before = factories.ReportingYearFactory(first_year=2023)
    returns = {
        "quiet": _submitted("Quiet Ltd", 30, year),
        "flagged": _submitted("Flagged Ltd", 5, year),
        "explained": _submitted("Explained Ltd", 6, year),
        "queried": _submitted("Queried Ltd", 4, year),
        "disputed": _submitted("Disputed Ltd", 3, year),
        "big": _submitted("Big Ltd", 2, year, big_changes=4),
        "new": _submitted("New Ltd", 1, year),
    }
    for key, annual_return in returns.items():
        if key != "new":
            factories.AnnualReturnFactory(
                supplier=annual_return.supplier, year=before, status=APPROVED
            )
    _flag(returns["flagged"])
    _flag(returns["explained"], explanation="One register covers both sites")
    factories.LineQueryFactory(line=returns["queried"].lines.first())
    MemberCheck.objects.create(
        line=returns["disputed"].lines.first(),
        member=returns["disputed"].lines.first().member,
        kind=MemberCheck.Kind.DISPUTED,
        reason="Two of the jobs were on another contract",
        raised_by=factories.UserFactory(),
    )
    # A checked flag needs no look.
    _flag(returns["quiet"], checked_at=timezone.now(), check_note="Seen")
    return returns


def _order(**kwargs) -> list[str]:
    queue = review_selectors.returns_awaiting_review(**kwargs)
    return [r.supplier.name.split()[0] for r in queue[0 : len(queue)]]


def test_the_queue_ranks_by_what_needs_a_look_then_the_longest_waiting(season):
    assert _order() == [
        "Disputed",  # a member's dispute: 40
        "Queried",  # an open query: 20
        "Explained",  # a flag to check (10) and its explanation to read (5): 15
        "New",  # a first-time supplier: 15, waiting less than Explained
        "Big",  # 4 big changes × 3: 12
        "Flagged",  # a flag to check: 10
        "Quiet",  # nothing: a checked flag does not count
    ]
    assert _order(order=review_queue.ORDER_WAITING) == [
        "Quiet",
        "Explained",
        "Flagged",
        "Queried",
        "Disputed",
        "Big",
        "New",
    ]


def test_the_reasons_are_shown_as_tags(season, team_client):
    response = team_client.get(reverse("team:review_list"))
    assert response.status_code == 200
    rows = {r.supplier.name: reasons for r, _, _, reasons in response.context["rows"]}
    assert [x.text for x in rows["Explained Ltd"]] == [
        "1 flag to check",
        "1 explanation to read",
    ]
    assert [x.text for x in rows["Disputed Ltd"]] == ["1 member's dispute"]
    assert [x.text for x in rows["Queried Ltd"]] == ["1 open query"]
    assert [x.text for x in rows["Big Ltd"]] == ["4 big changes"]
    assert [x.text for x in rows["New Ltd"]] == ["First-time supplier"]
    assert rows["Quiet Ltd"] == []
    text = response.content.decode()
    assert "1 explanation to read" in text and "Nothing flagged" in text
    waiting = team_client.get(reverse("team:review_list") + "?order=waiting")
    assert [r.supplier.name for r, *_ in waiting.context["rows"]][0] == "Quiet Ltd"
    # A bad order is the default, never an error.
    assert (
        team_client.get(reverse("team:review_list") + "?order=%00x").status_code == 200
    )


def test_the_queues_queries_do_not_grow_with_its_rows(
    year, team_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert team_client.get(reverse("team:review_list")).status_code == 200
        return len(captured)

    for index in range(2):
        _flag(_submitted(f"Small {index}", index + 1, year))
    few = count()
    for index in range(8):
        annual_return = _submitted(f"More {index}", index + 5, year)
        _flag(annual_return, explanation="Because")
        factories.LineQueryFactory(line=annual_return.lines.first())
    with django_assert_max_num_queries(few):
        count()


def test_the_big_change_count_is_kept_at_submission(supplier_user):
    from decimal import Decimal as D

    from returns.services import line_save, return_submit

    contact = supplier_user.supplier_contacts.get()
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    line = factories.ReturnLineFactory(
        annual_return=annual_return, target_credits=D("0")
    )
    factories.DeliveryPlanItemFactory(
        contract=line.contract,
        measure=factories.measure("VOL"),
        committed_quantity=D("0"),
    )
    line_save(
        line=line, user=supplier_user, expected_version=1, quantities={"VOL": "50"}
    )
    factories.explain_flags(annual_return)
    return_submit(
        annual_return=annual_return,
        user=supplier_user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    annual_return.refresh_from_db()
    assert annual_return.big_changes == 1  # 50 hours against a plan of none


# --- A flag checked ----------------------------------------------------------------


def test_the_team_marks_a_flag_checked_with_a_note_kept_in_history(
    season, team_user, team_client
):
    annual_return = season["explained"]
    flag = LineFlag.objects.get(line__annual_return=annual_return)
    page = team_client.get(
        reverse("team:review_detail", kwargs={"reference": annual_return.reference})
    ).content.decode()
    assert "One register covers both sites" in page  # the explanation, beside it
    url = reverse(
        "team:review_flag_check",
        kwargs={"reference": annual_return.reference, "flag_id": flag.pk},
    )
    assert url in page
    refused = team_client.post(url, {"note": "  "})
    assert NOTE_REQUIRED in refused.content.decode()
    flag.refresh_from_db()
    assert flag.checked_at is None
    response = team_client.post(url, {"note": "Register seen: two sites, one list"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.checked_by == team_user
    assert flag.check_note == "Register seen: two sites, one list"
    record = flag.history.order_by("-history_date").first()
    assert record.check_note == "Register seen: two sites, one list"
    assert record.history_user == team_user
    event = ReturnEvent.objects.get(
        annual_return=annual_return, kind=events.FLAG_CHECKED
    )
    assert event.comment == "Register seen: two sites, one list"
    assert event.snapshot["flag_id"] == flag.pk
    # Checked: it no longer ranks the return, nor stops a bulk approval.
    queue = review_selectors.returns_awaiting_review()
    assert queue.reasons[annual_return.pk].unchecked_flags == 0
    assert queue.reasons[annual_return.pk].score == 0
    with pytest.raises(ValidationError):
        flag_check(flag=flag, user=team_user, note="Again")


def test_another_organisation_cannot_reach_the_check_or_the_bulk_approval(
    season, supplier_client, member_user
):
    flag = LineFlag.objects.filter(line__annual_return=season["flagged"]).get()
    url = reverse(
        "team:review_flag_check",
        kwargs={"reference": season["flagged"].reference, "flag_id": flag.pk},
    )
    assert supplier_client.get(url).status_code == 403
    assert supplier_client.post(url, {"note": "x"}).status_code == 403
    bulk = reverse("team:review_bulk_approve")
    assert (
        supplier_client.post(bulk, {"returns": [season["quiet"].reference]}).status_code
        == 403
    )
    season["quiet"].refresh_from_db()
    assert season["quiet"].status == SUBMITTED


def test_a_flag_of_another_return_is_not_found(season, team_client):
    flag = LineFlag.objects.filter(line__annual_return=season["flagged"]).get()
    url = reverse(
        "team:review_flag_check",
        kwargs={"reference": season["quiet"].reference, "flag_id": flag.pk},
    )
    assert team_client.get(url).status_code == 404


# --- Bulk approval -----------------------------------------------------------------


def test_bulk_approval_is_refused_whole_naming_each_return_and_why(season, team_user):
    chosen = ["quiet", "flagged", "queried", "disputed", "big"]
    with pytest.raises(BulkApprovalRefused) as refused:
        returns_approve_bulk(
            references=[season[k].reference for k in chosen], user=team_user
        )
    message = refused.value.messages[0]
    assert message.startswith("Nothing was approved.")
    assert f"{season['flagged'].reference}: 1 unchecked flag." in message
    assert f"{season['queried'].reference}: 1 open query." in message
    assert f"{season['disputed'].reference}: 1 open dispute from a member." in message
    assert season["quiet"].reference not in message
    assert set(refused.value.refusals) == {
        season[k].reference for k in ("flagged", "queried", "disputed")
    }
    for key in chosen:  # nothing changed, not even the safe ones
        season[key].refresh_from_db()
        assert season[key].status == SUBMITTED
    assert not ReturnEvent.objects.filter(kind=events.APPROVED).exists()


def test_bulk_approval_of_safe_returns_records_each_as_its_own_approval(
    season, team_user, team_client, django_capture_on_commit_callbacks
):
    chosen = [season["quiet"], season["big"], season["new"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = team_client.post(
            reverse("team:review_bulk_approve"),
            {"returns": [r.reference for r in chosen], "comment": "Season batch"},
        )
    assert response.status_code == 302
    for annual_return in chosen:
        annual_return.refresh_from_db()
        assert annual_return.status == APPROVED
        assert annual_return.approved_by == team_user
        event = ReturnEvent.objects.get(
            annual_return=annual_return, kind=events.APPROVED
        )
        assert event.comment == "Season batch"
        assert annual_return.history.filter(status=APPROVED).count() == 1
        assert (
            Notification.objects.filter(
                annual_return=annual_return, kind=Notification.Kind.APPROVED
            ).count()
            == 1
        )
    assert len(mail.outbox) == 3  # one approval email to each supplier's contact
    listed = team_client.get(reverse("team:review_list")).content.decode()
    assert "3 returns approved" in listed


def test_bulk_approval_through_the_page_shows_the_refusal(season, team_client):
    response = team_client.post(
        reverse("team:review_bulk_approve"),
        {"returns": [season["quiet"].reference, season["flagged"].reference]},
        follow=True,
    )
    text = response.content.decode()
    assert f"{season['flagged'].reference}: 1 unchecked flag" in text
    season["quiet"].refresh_from_db()
    assert season["quiet"].status == SUBMITTED
    # Nothing ticked, or a made-up reference: a message, nothing changed.
    empty = team_client.post(reverse("team:review_bulk_approve"), {}, follow=True)
    assert "Select the returns to approve" in empty.content.decode()
    made_up = team_client.post(
        reverse("team:review_bulk_approve"), {"returns": ["SV-NOPE"]}, follow=True
    )
    assert "No return SV-NOPE" in made_up.content.decode()
