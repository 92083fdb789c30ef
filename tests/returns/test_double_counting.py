"""Double counting (issue 23, part 2) on a hand-built supplier with four contracts:
one file attached to two contracts' lines, one story told twice, one people figure
repeated on three contracts. Flags name the other contracts, need an explanation
before submission, and are recomputed for the whole return in a fixed number of
queries."""

import hashlib
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from returns.models import AnnualReturn, Evidence, LineFlag
from returns.services import line_save, return_submit
from returns.services.case_studies import (
    case_study_create,
    case_study_erase,
    case_study_update,
)
from returns.services.double_counting import (
    double_counting_refresh,
    stories_near_same,
    story_words,
)
from returns.services.evidence import evidence_add, evidence_erase
from returns.services.review import line_exclude
from returns.services.submission import ReturnNotReady
from tests import factories, filesamples

pytestmark = pytest.mark.django_db

SAME_FILE = LineFlag.Code.SAME_FILE
SAME_STORY = LineFlag.Code.SAME_STORY
SAME_PEOPLE = LineFlag.Code.SAME_PEOPLE

STORY = (
    "Jordan joined us from the local jobcentre after two years out of work. "
    "We paired Jordan with a site supervisor, paid for the CSCS card and a "
    "Level 2 course, and Jordan now works full time on the estate's repairs."
)


@pytest.fixture
def supplier_return(supplier_user):
    """Supplier A's return for the year, in progress, on contracts C-1 … C-4."""
    contact = supplier_user.supplier_contacts.get()
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    lines = {
        reference: factories.ReturnLineFactory(
            annual_return=annual_return,
            contract__reference=reference,
            target_credits=D("0"),
        )
        for reference in ("C-1", "C-2", "C-3", "C-4")
    }
    return annual_return, lines


def _flags(annual_return, code):
    return {
        (flag.line.contract.reference, flag.measure_code): flag
        for flag in LineFlag.objects.filter(
            line__annual_return=annual_return, code=code
        ).select_related("line__contract")
    }


def _pdf(name="register.pdf", data=filesamples.PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# --- The same file -----------------------------------------------------------------


def test_one_file_on_two_contracts_lines_flags_both_naming_the_other(
    supplier_return, supplier_user
):
    annual_return, lines = supplier_return
    first = evidence_add(
        line=lines["C-1"], uploaded_file=_pdf(), acting_user=supplier_user
    )
    assert first.sha256 == hashlib.sha256(filesamples.PDF).hexdigest()
    assert _flags(annual_return, SAME_FILE) == {}  # one contract: nothing doubled
    evidence_add(
        line=lines["C-2"],
        uploaded_file=_pdf("copy of register.pdf"),
        acting_user=supplier_user,
    )
    # A different file on a third contract is no duplicate.
    evidence_add(
        line=lines["C-3"],
        uploaded_file=_pdf("other.pdf", filesamples.PDF + b"\n% another\n"),
        acting_user=supplier_user,
    )
    flags = _flags(annual_return, SAME_FILE)
    assert set(flags) == {("C-1", ""), ("C-2", "")}
    assert "also attached to contract C-2" in flags[("C-1", "")].message
    assert '"register.pdf"' in flags[("C-1", "")].message
    assert "also attached to contract C-1" in flags[("C-2", "")].message
    assert flags[("C-1", "")].other_lines == [lines["C-2"].pk]
    # History keeps each flag from when it was raised, by whom.
    assert flags[("C-1", "")].history.get().history_user == supplier_user


def test_the_same_file_twice_on_one_line_is_not_double_counting(
    supplier_return, supplier_user
):
    annual_return, lines = supplier_return
    for _ in range(2):
        evidence_add(line=lines["C-1"], uploaded_file=_pdf(), acting_user=supplier_user)
    assert _flags(annual_return, SAME_FILE) == {}


def test_excluding_a_line_clears_the_flags_it_caused(
    supplier_return, supplier_user, team_user
):
    annual_return, lines = supplier_return
    for reference in ("C-1", "C-2"):
        evidence_add(
            line=lines[reference], uploaded_file=_pdf(), acting_user=supplier_user
        )
    assert len(_flags(annual_return, SAME_FILE)) == 2
    line_exclude(line=lines["C-2"], user=team_user, reason="Novated to another firm")
    assert _flags(annual_return, SAME_FILE) == {}


def test_erasing_a_shared_file_clears_its_flags_at_once(
    supplier_return, supplier_user, admin_user
):
    annual_return, lines = supplier_return
    files = [
        evidence_add(
            line=lines[reference], uploaded_file=_pdf(), acting_user=supplier_user
        )
        for reference in ("C-1", "C-2")
    ]
    assert len(_flags(annual_return, SAME_FILE)) == 2
    evidence_erase(evidence=files[1], acting_user=admin_user, reason="Wrong file")
    assert _flags(annual_return, SAME_FILE) == {}


def test_erasing_on_an_approved_return_leaves_its_checked_flags(
    supplier_return, supplier_user, admin_user
):
    annual_return, lines = supplier_return
    files = [
        evidence_add(
            line=lines[reference], uploaded_file=_pdf(), acting_user=supplier_user
        )
        for reference in ("C-1", "C-2")
    ]
    AnnualReturn.objects.filter(pk=annual_return.pk).update(
        status=AnnualReturn.Status.APPROVED
    )
    evidence_erase(evidence=files[1], acting_user=admin_user, reason="Retention")
    assert len(_flags(annual_return, SAME_FILE)) == 2  # the record as reviewed


def test_another_suppliers_file_is_not_compared(supplier_return, supplier_user):
    annual_return, lines = supplier_return
    other = factories.ReturnLineFactory(
        annual_return__year=annual_return.year,
        annual_return__status=AnnualReturn.Status.IN_PROGRESS,
    )
    factories.EvidenceFactory(
        line=other, sha256=hashlib.sha256(filesamples.PDF).hexdigest()
    )
    evidence_add(line=lines["C-1"], uploaded_file=_pdf(), acting_user=supplier_user)
    assert _flags(annual_return, SAME_FILE) == {}
    assert not LineFlag.objects.filter(line=other).exists()


# --- The same story ----------------------------------------------------------------


def test_near_same_rule():
    words = story_words(STORY)
    assert len(words) >= 20
    # Case, punctuation and whitespace do not matter.
    assert story_words("  JORDAN joined us,\nfrom the local — jobcentre!") == [
        "jordan",
        "joined",
        "us",
        "from",
        "the",
        "local",
        "jobcentre",
    ]
    one_word_changed = story_words(STORY.replace("estate's", "school's"))
    assert stories_near_same(words, one_word_changed)
    # A story that shares only its opening is not the same story.
    half = words[: len(words) // 2] + story_words(
        "Then the team built a ramp for the community centre with volunteers from "
        "three local firms over two weekends in the spring."
    )
    assert not stories_near_same(words, half)
    # Short texts match only when identical after normalising.
    assert stories_near_same(
        story_words("Two apprentices."), story_words("two apprentices")
    )
    assert not stories_near_same(
        story_words("Two apprentices"), story_words("Three apprentices")
    )


def test_the_same_story_nearly_on_two_contracts_is_flagged(
    supplier_return, supplier_user
):
    annual_return, lines = supplier_return
    fields = dict(
        people_benefited=1, consent="none_identifiable", share_with_member=False
    )
    case_study_create(
        line=lines["C-1"],
        acting_user=supplier_user,
        title="Jordan",
        story=STORY,
        **fields,
    )
    case_study_create(
        line=lines["C-3"],
        acting_user=supplier_user,
        title="A ramp",
        story="We built a ramp for the community centre with our apprentices.",
        **fields,
    )
    assert _flags(annual_return, SAME_STORY) == {}
    copy = case_study_create(
        line=lines["C-2"],
        acting_user=supplier_user,
        title="Jordan again",
        story=STORY.upper().replace(",", "").replace("estate's", "school's"),
        **fields,
    )
    flags = _flags(annual_return, SAME_STORY)
    assert set(flags) == {("C-1", ""), ("C-2", "")}
    assert "one on contract C-2" in flags[("C-1", "")].message
    assert "Jordan" not in flags[("C-1", "")].message  # a story's words stay out
    # Rewritten as a different story: the flags go.
    case_study_update(
        case_study=copy,
        acting_user=supplier_user,
        title="Jordan again",
        story="Priya started an apprenticeship in electrical installation.",
        **fields,
    )
    assert _flags(annual_return, SAME_STORY) == {}


def test_erasing_a_told_twice_story_clears_its_flags(
    supplier_return, supplier_user, admin_user
):
    annual_return, lines = supplier_return
    studies = [
        case_study_create(
            line=lines[reference],
            acting_user=supplier_user,
            title="Jordan",
            story=STORY,
            people_benefited=1,
            consent="none_identifiable",
            share_with_member=False,
        )
        for reference in ("C-1", "C-2")
    ]
    assert len(_flags(annual_return, SAME_STORY)) == 2
    case_study_erase(
        case_study=studies[0], acting_user=admin_user, reason="Subject access"
    )
    assert _flags(annual_return, SAME_STORY) == {}


# --- The same people ---------------------------------------------------------------


def _save(line, user, **quantities):
    line.refresh_from_db()
    line_save(
        line=line, user=user, expected_version=line.version, quantities=quantities
    )


def test_the_same_people_figure_on_three_contracts_is_flagged(
    supplier_return, supplier_user
):
    annual_return, lines = supplier_return
    _save(lines["C-1"], supplier_user, **{"EMP-FT": "2", "VOL": "10"})
    _save(lines["C-2"], supplier_user, **{"EMP-FT": "2", "VOL": "10"})
    assert _flags(annual_return, SAME_PEOPLE) == {}  # two contracts: not many
    _save(lines["C-3"], supplier_user, **{"EMP-FT": "2.00", "VOL": "10"})
    flags = _flags(annual_return, SAME_PEOPLE)
    # Hours are no people measure: only EMP-FT is flagged.
    assert set(flags) == {("C-1", "EMP-FT"), ("C-2", "EMP-FT"), ("C-3", "EMP-FT")}
    assert flags[("C-1", "EMP-FT")].message.startswith(
        "2 people in “Jobs created, full-time” is also the figure on contracts C-2, C-3"
    )
    # One of them changes: fewer than three share the figure, every flag goes.
    _save(lines["C-3"], supplier_user, **{"EMP-FT": "3", "VOL": "10"})
    assert _flags(annual_return, SAME_PEOPLE) == {}


def test_zero_people_everywhere_is_not_flagged(supplier_return, supplier_user):
    annual_return, lines = supplier_return
    for line in lines.values():
        _save(line, supplier_user, **{"EMP-FT": "0", "VOL": "1"})
    assert _flags(annual_return, SAME_PEOPLE) == {}


def test_many_is_the_years_setting(supplier_return, supplier_user):
    annual_return, lines = supplier_return
    year = annual_return.year
    year.flag_same_people_contracts = 4
    year.save()
    for reference in ("C-1", "C-2", "C-3"):
        _save(lines[reference], supplier_user, **{"APP-NEW": "1"})
    assert _flags(annual_return, SAME_PEOPLE) == {}
    _save(lines["C-4"], supplier_user, **{"APP-NEW": "1"})
    assert len(_flags(annual_return, SAME_PEOPLE)) == 4


# --- Explanations, submission, pages -----------------------------------------------


def test_an_explanation_is_kept_while_the_flag_applies(supplier_return, supplier_user):
    annual_return, lines = supplier_return
    for reference in ("C-1", "C-2"):
        evidence_add(
            line=lines[reference], uploaded_file=_pdf(), acting_user=supplier_user
        )
    factories.explain_flags(annual_return, "One register covers both sites")
    evidence_add(line=lines["C-3"], uploaded_file=_pdf(), acting_user=supplier_user)
    flags = _flags(annual_return, SAME_FILE)
    assert flags[("C-1", "")].explanation == "One register covers both sites"
    assert "contracts C-2, C-3" in flags[("C-1", "")].message
    assert flags[("C-3", "")].explanation == ""  # the new duplicate is to explain


def test_submission_looks_again_and_waits_for_an_explanation(
    supplier_return, supplier_user
):
    annual_return, lines = supplier_return
    for line in lines.values():
        _save(line, supplier_user, **{"VOL": "1"})
    # Files stored before content hashes were checked (as the migration backfills
    # them): no flag yet, until the submission looks.
    digest = hashlib.sha256(b"same").hexdigest()
    for reference in ("C-1", "C-4"):
        factories.EvidenceFactory(line=lines[reference], sha256=digest)
    assert _flags(annual_return, SAME_FILE) == {}
    with pytest.raises(ReturnNotReady) as refused:
        return_submit(
            annual_return=annual_return,
            user=supplier_user,
            declared_by_name="Asha Patel",
            declared_own_figures=True,
        )
    assert any("C-1" in message for message in refused.value.messages)
    # The flags stay for the supplier to explain, though the submission was refused.
    assert set(_flags(annual_return, SAME_FILE)) == {("C-1", ""), ("C-4", "")}
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.IN_PROGRESS
    factories.explain_flags(annual_return)
    return_submit(
        annual_return=annual_return,
        user=supplier_user,
        declared_by_name="Asha Patel",
        declared_own_figures=True,
    )
    annual_return.refresh_from_db()
    assert annual_return.status == AnnualReturn.Status.SUBMITTED


def test_the_supplier_and_the_team_see_the_flag(
    supplier_return, supplier_user, supplier_client, team_client
):
    annual_return, lines = supplier_return
    for reference in ("C-1", "C-2"):
        evidence_add(
            line=lines[reference], uploaded_file=_pdf(), acting_user=supplier_user
        )
    page = supplier_client.get(
        reverse(
            "supplier:line",
            kwargs={"reference": annual_return.reference, "line_id": lines["C-1"].pk},
        )
    )
    assert "also attached to contract C-2" in page.content.decode()
    review = team_client.get(
        reverse("team:review_detail", kwargs={"reference": annual_return.reference})
    )
    text = review.content.decode()
    assert "also attached to contract C-2" in text
    assert "also attached to contract C-1" in text


def test_refresh_queries_do_not_grow_with_the_lines(
    supplier_user, django_assert_max_num_queries
):
    def build(count):
        annual_return = factories.AnnualReturnFactory(
            status=AnnualReturn.Status.IN_PROGRESS
        )
        digest = hashlib.sha256(str(count).encode()).hexdigest()
        for _ in range(count):
            line = factories.ReturnLineFactory(annual_return=annual_return)
            factories.EvidenceFactory(line=line, sha256=digest)
            factories.CaseStudyFactory(line=line, story=STORY)
            factories.ReturnEntryFactory(line=line, quantity=D("2"))
        return AnnualReturn.objects.select_related("year").get(pk=annual_return.pk)

    small, large = build(3), build(12)
    counts = []
    for annual_return in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            double_counting_refresh(annual_return=annual_return, user=supplier_user)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert LineFlag.objects.filter(line__annual_return=large).count() == 36
    with django_assert_max_num_queries(counts[0]):  # nothing new to write
        double_counting_refresh(annual_return=large, user=supplier_user)
    assert Evidence.objects.filter(line__annual_return=large).count() == 12


# --- What a line's save refreshes (issue 25) ----------------------------------------


def _tables_read(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_a_save_changing_no_people_figure_leaves_double_counting_alone(
    supplier_return, supplier_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    annual_return, lines = supplier_return
    for reference in ("C-1", "C-2", "C-3"):
        _save(lines[reference], supplier_user, **{"EMP-FT": "2", "VOL": "10"})
    assert len(_flags(annual_return, SAME_PEOPLE)) == 3
    line = lines["C-1"]
    line.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        # Hours changed, the people figure as it was ("2.00" is 2), and a reason.
        line_save(
            line=line,
            user=supplier_user,
            expected_version=line.version,
            quantities={"EMP-FT": "2.00", "VOL": "11"},
            shortfall_reason="Later in the year",
        )
    version = line.version
    line.refresh_from_db()
    assert line.version == version + 1  # the save changed the line
    read = _tables_read(captured)
    assert "returns_evidence" not in read
    assert "returns_casestudy" not in read
    assert "'people'" not in read  # nor every line's people figures
    assert len(_flags(annual_return, SAME_PEOPLE)) == 3


def test_a_people_save_refreshes_only_the_same_people_flags(
    supplier_return, supplier_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    annual_return, lines = supplier_return
    for reference in ("C-1", "C-2"):
        _save(lines[reference], supplier_user, **{"EMP-FT": "2"})
    line = lines["C-3"]
    line.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        line_save(
            line=line,
            user=supplier_user,
            expected_version=line.version,
            quantities={"EMP-FT": "2"},
        )
    read = _tables_read(captured)
    assert "'people'" in read
    # The soft checks' flags and SAME_PEOPLE are synced by the same queries.
    flag_reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT")
        and 'FROM "returns_lineflag"' in query["sql"]
    ]
    assert len(flag_reads) == 1
    # Files and stories are not looked at: a figure changes neither.
    assert "returns_evidence" not in read
    assert "returns_casestudy" not in read
    assert len(_flags(annual_return, SAME_PEOPLE)) == 3
    # From 2 to 0 clears them (0 is never counted twice)...
    with CaptureQueriesContext(connection) as cleared:
        _save(line, supplier_user, **{"EMP-FT": "0"})
    assert _flags(annual_return, SAME_PEOPLE) == {}
    # ... and from 0 to blank changes nothing double counting sees.
    with CaptureQueriesContext(connection) as blanked:
        _save(line, supplier_user)
    assert len(blanked) < len(cleared)
    assert "returns_lineflag" in _tables_read(blanked)  # the soft checks' flags


def test_a_file_or_a_story_looks_again_only_for_its_own_sign(
    supplier_return, supplier_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    annual_return, lines = supplier_return
    with CaptureQueriesContext(connection) as added_file:
        evidence_add(line=lines["C-1"], uploaded_file=_pdf(), acting_user=supplier_user)
    with CaptureQueriesContext(connection) as added_story:
        case_study_create(
            line=lines["C-2"],
            acting_user=supplier_user,
            title="Jordan",
            story=STORY,
            people_benefited=1,
            consent="none_identifiable",
            share_with_member=False,
        )
    read_for_file = " ".join(q["sql"] for q in added_file.captured_queries)
    read_for_story = " ".join(q["sql"] for q in added_story.captured_queries)
    # A file moves only SAME_FILE: no story compared, no people figure read.
    assert "returns_casestudy" not in read_for_file
    assert "returns_returnentry" not in read_for_file
    # A story moves only SAME_STORY: no file's hash read.
    assert "returns_evidence" not in read_for_story
    assert "returns_returnentry" not in read_for_story
