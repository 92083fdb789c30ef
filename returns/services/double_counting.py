"""Double counting (issue 23, part 2): the commonest inflation of a social value
return is one apprentice, one volunteering day or one case study counted on several
of a supplier's contracts. Three signs are flagged on each line concerned, as
`LineFlag` rows the supplier must explain before submitting (the gate is
`returns.services.flags`) and the team sees on the review page:

- SAME_FILE: the same evidence file (by its SHA-256) attached to lines of
  different contracts;
- SAME_STORY: the same case study, or nearly the same, on lines of different
  contracts. Texts are compared normalised (case, accents' forms, punctuation and
  whitespace ignored): identical normalised texts always match; two stories of at
  least `NEAR_MIN_WORDS` words each match when difflib's ratio over their words is
  at least `NEAR_RATIO` (0.9: nine words in ten the same and in the same order,
  so a story with a name, a number or a sentence changed is caught, while two
  stories that share a template's opening paragraph are not);
- SAME_PEOPLE: the same non-zero figure of one people measure (unit "people") on
  `ReportingYear.flag_same_people_contracts` (default 3) or more contracts.

A supplier has one return a year (unique supplier, year), so "the supplier's year"
is one return's counted lines: excluded lines count nowhere and are left out.
Everything is recomputed for the whole return in a fixed number of queries
(lines, evidence, case studies, entries, existing flags, then one bulk write of
each kind), whatever its size; a caller that changed only what one sign depends on
asks for that sign's code alone. Called by the services that change figures,
evidence, case studies or exclusions, and by the submission.

Flags are written by `flags.flags_sync`, the one writer of flag rows: a flag that
still applies keeps its explanation and the team's check (a contract newly sharing
the duplication gets a flag of its own to explain); one that no longer applies is
deleted, and its history keeps it. Flag messages name contracts and file names, never a case study's
words (those may identify people and must stay erasable).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db import transaction

from ..models import (
    AnnualReturn,
    CaseStudy,
    Evidence,
    LineFlag,
    ReturnEntry,
    ReturnLine,
    YearMeasure,
)
from .flags import FlagFound, flags_sync
from .line_rules import LineState

NEAR_RATIO = 0.9
NEAR_MIN_WORDS = 20
PEOPLE_UNIT = "people"

CODES = (LineFlag.Code.SAME_FILE, LineFlag.Code.SAME_STORY, LineFlag.Code.SAME_PEOPLE)

SAME_FILE_MESSAGE = (
    'The file "{name}" is also attached to contract{s} {others}. If it is evidence '
    "for each of them, say why: the same delivery must not be counted twice."
)
SAME_STORY_MESSAGE = (
    "A case study on this contract is the same as, or nearly the same as, one on "
    "contract{s} {others}. Say why it belongs to each: the same story must not be "
    "counted twice."
)
SAME_PEOPLE_MESSAGE = (
    "{figure} in “{measure}” is also the figure on contract{s} {others}: is anyone "
    "counted on more than one contract?"
)


def story_words(text: str) -> list[str]:
    """A story's words, normalised: compatible Unicode forms folded, lower case,
    punctuation and every kind of whitespace dropped."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\W_]+", " ", text).split()


def stories_near_same(a: list[str], b: list[str]) -> bool:
    """Whether two normalised stories (from `story_words`) are the same or nearly."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < NEAR_MIN_WORDS:
        return False
    # The ratio is at most 2·min/(a+b): stories of very different lengths never
    # reach it, and the cheap bounds spare the full comparison.
    if 2 * min(len(a), len(b)) / (len(a) + len(b)) < NEAR_RATIO:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= NEAR_RATIO
        and matcher.quick_ratio() >= NEAR_RATIO
        and matcher.ratio() >= NEAR_RATIO
    )


NAMED_AT_MOST = 5


def _others(references: list[str]) -> tuple[str, str]:
    """("s" or "", the contracts named): at most NAMED_AT_MOST by reference, then
    how many more (the flag's other_lines keeps every one)."""
    named = ", ".join(references[:NAMED_AT_MOST])
    if len(references) > NAMED_AT_MOST:
        named += f" and {len(references) - NAMED_AT_MOST} more"
    return ("s" if len(references) > 1 else ""), named


def _people(count) -> str:
    count = int(count)
    return f"{count} person" if count == 1 else f"{count:,} people"


@dataclass
class Wanted:
    message: str
    other_lines: list[int]


def _same_file(
    evidence: list[tuple[int, str, str]], contract_of: dict[int, str]
) -> dict[tuple, Wanted]:
    # (line id, sha256, original name) → one flag per line naming, for each shared
    # file, the other contracts it is attached to.
    by_hash: dict[str, dict[int, str]] = defaultdict(dict)
    for line_id, digest, name in evidence:
        by_hash[digest].setdefault(line_id, name)
    sentences: dict[int, list[str]] = defaultdict(list)
    others_of: dict[int, set[int]] = defaultdict(set)
    for names in by_hash.values():
        if len(names) < 2:
            continue
        for line_id, name in names.items():
            others = sorted(
                (pk for pk in names if pk != line_id), key=lambda pk: contract_of[pk]
            )
            s, listed = _others([contract_of[pk] for pk in others])
            sentences[line_id].append(
                SAME_FILE_MESSAGE.format(name=name, s=s, others=listed)
            )
            others_of[line_id].update(others)
    return {
        (line_id, LineFlag.Code.SAME_FILE, ""): Wanted(
            message=" ".join(texts), other_lines=sorted(others_of[line_id])
        )
        for line_id, texts in sentences.items()
    }


def _same_story(
    stories: list[tuple[int, str]], contract_of: dict[int, str]
) -> dict[tuple, Wanted]:
    words = [(line_id, story_words(story)) for line_id, story in stories]
    others_of: dict[int, set[int]] = defaultdict(set)
    for i, (line_a, words_a) in enumerate(words):
        for line_b, words_b in words[i + 1 :]:
            if line_a == line_b or line_b in others_of[line_a]:
                continue  # the same contract, or already matched
            if stories_near_same(words_a, words_b):
                others_of[line_a].add(line_b)
                others_of[line_b].add(line_a)
    wanted = {}
    for line_id, others in others_of.items():
        if not others:
            continue
        ordered = sorted(others, key=lambda pk: contract_of[pk])
        s, listed = _others([contract_of[pk] for pk in ordered])
        wanted[(line_id, LineFlag.Code.SAME_STORY, "")] = Wanted(
            message=SAME_STORY_MESSAGE.format(s=s, others=listed),
            other_lines=sorted(ordered),
        )
    return wanted


def _same_people(
    entries: list[tuple[int, str, str, object]],
    contract_of: dict[int, str],
    at_least: int,
) -> dict[tuple, Wanted]:
    # (line id, measure code, measure name, quantity), non-zero people figures only.
    groups: dict[tuple, list[int]] = defaultdict(list)
    names = {}
    for line_id, code, name, quantity in entries:
        groups[(code, quantity)].append(line_id)
        names[code] = name
    wanted = {}
    for (code, quantity), line_ids in groups.items():
        if len(line_ids) < at_least:
            continue
        # Sorted once per group, not once per line: a figure shared by every one
        # of 300 lines would otherwise sort 299 others 300 times over, twice.
        by_contract = sorted(line_ids, key=lambda pk: contract_of[pk])
        by_id = sorted(line_ids)
        figure = _people(quantity)
        for line_id in line_ids:
            references = [contract_of[pk] for pk in by_contract if pk != line_id]
            s, listed = _others(references)
            wanted[(line_id, LineFlag.Code.SAME_PEOPLE, code)] = Wanted(
                message=SAME_PEOPLE_MESSAGE.format(
                    figure=figure, measure=names[code], s=s, others=listed
                ),
                other_lines=[pk for pk in by_id if pk != line_id],
            )
    return wanted


def _people_key(quantity):
    # SAME_PEOPLE compares non-zero figures only (`quantity__gt=0` below): blank
    # and 0 are alike to it.
    return quantity if quantity else None


def people_figures_changed(
    to_write: list[tuple[ReturnLine, LineState]],
    *,
    entries: dict[int, dict[int, ReturnEntry]],
    by_code: Mapping[str, YearMeasure],
) -> bool:
    """Whether lines about to be written (`lines._save`, before it updates
    `entries` in place) change what SAME_PEOPLE compares: a non-zero figure of a
    people measure, the rule `double_counting_found` reads with."""
    people = [
        ym.measure_id for ym in by_code.values() if ym.measure.unit == PEOPLE_UNIT
    ]
    for line, new in to_write:
        old = entries[line.pk]
        for measure_id in people:
            entry = old.get(measure_id)
            before = _people_key(entry.quantity if entry else None)
            if before != _people_key(new.quantities.get(measure_id)):
                return True
    return False


def double_counting_found(
    *,
    annual_return: AnnualReturn,
    codes: Collection[str] = CODES,
    counted: Mapping[int, str] | None = None,
) -> dict[tuple, Wanted]:
    """{(line id, code, measure code): what the flag says} for every sign of double
    counting of `codes` on the return's counted lines. `counted` (line id →
    contract reference of the return's counted lines) spares its query when the
    caller has it. At most four queries: one per code, and the lines."""
    if counted is None:
        counted = dict(
            ReturnLine.objects.filter(
                annual_return=annual_return, excluded_at__isnull=True
            )
            .order_by()
            .values_list("pk", "contract__reference")
        )
    contract_of = dict(counted)
    found = {}
    if LineFlag.Code.SAME_FILE in codes:
        evidence = list(
            Evidence.objects.filter(
                line_id__in=list(contract_of), erased_at__isnull=True
            )
            .exclude(sha256="")
            .order_by("uploaded_at", "pk")
            .values_list("line_id", "sha256", "original_name")
        )
        found.update(_same_file(evidence, contract_of))
    if LineFlag.Code.SAME_STORY in codes:
        stories = list(
            CaseStudy.objects.filter(
                line_id__in=list(contract_of), erased_at__isnull=True
            )
            .order_by("pk")
            .values_list("line_id", "story")
        )
        found.update(_same_story(stories, contract_of))
    if LineFlag.Code.SAME_PEOPLE in codes:
        entries = list(
            ReturnEntry.objects.filter(
                line_id__in=list(contract_of),
                measure__unit=PEOPLE_UNIT,
                quantity__gt=0,
            )
            .order_by()
            .values_list("line_id", "measure__code", "measure__name", "quantity")
        )
        at_least = annual_return.year.flag_same_people_contracts
        found.update(_same_people(entries, contract_of, at_least))
    return found


@transaction.atomic
def double_counting_refresh(
    *, annual_return: AnnualReturn, user=None, codes: Collection[str] = CODES
) -> None:
    """Brings the return's SAME_FILE, SAME_STORY and SAME_PEOPLE flags (or only
    those of `codes`) up to date through the one writer of flags
    (`flags.flags_sync`: new ones raised, those no longer found deleted, reworded
    ones rewritten, each with its history row by `user`; a flag still found keeps
    its explanation and check: a contract newly sharing the duplication gets its
    own flag to explain). Excluded lines' flags of these codes go (they count
    nowhere). At most nine queries, whatever the number of lines or flags.

    Each change looks for what it can move: the evidence services pass SAME_FILE,
    the case-study services SAME_STORY (comparing every pair of stories is the
    dearest part), and a line's save syncs SAME_PEOPLE, only when a people figure
    changed (`people_figures_changed`), through `double_counting_scope` in the same
    queries as its soft checks' flags."""
    line_ids, codes, found = double_counting_scope(
        annual_return=annual_return, codes=codes
    )
    flags_sync(line_ids=line_ids, codes=codes, found=found, user=user)


def double_counting_scope(
    *, annual_return: AnnualReturn, codes: Collection[str] = CODES
) -> tuple[set[int], tuple[str, ...], list[FlagFound]]:
    """What `double_counting_refresh` gives `flags.flags_sync`: every line of the
    return, the codes looked for (of `codes`) and the flags found; for a caller
    syncing other flags in the same queries (`lines._save`)."""
    codes = tuple(code for code in CODES if code in codes)
    if not codes:
        return set(), codes, []
    lines = list(
        ReturnLine.objects.filter(annual_return=annual_return)
        .order_by()
        .values_list("pk", "contract__reference", "excluded_at")
    )
    counted = {pk: reference for pk, reference, excluded_at in lines if not excluded_at}
    found = double_counting_found(
        annual_return=annual_return, codes=codes, counted=counted
    )
    return (
        {pk for pk, _, _ in lines},
        codes,
        [
            FlagFound(
                line_id=line_id,
                code=code,
                measure_code=measure_code,
                message=wanted.message,
                other_lines=tuple(wanted.other_lines),
            )
            for (line_id, code, measure_code), wanted in found.items()
        ],
    )


def double_counting_refresh_in_play(
    *, annual_return: AnnualReturn, user=None, codes: Collection[str] = CODES
) -> None:
    """`double_counting_refresh` for a return still being filled in or reviewed;
    an approved or not-required return's flags are its record and stay as the team
    checked them. Called by the erasures, which also reach approved returns."""
    if annual_return.status in AnnualReturn.OPEN:
        double_counting_refresh(annual_return=annual_return, user=user, codes=codes)
