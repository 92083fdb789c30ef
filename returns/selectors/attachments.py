"""Reads of what hangs off a line (evidence, case studies, queries), scoped to who
asks. Views never fetch these by id without going through here."""

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from returns.models import AnnualReturn, CaseStudy, Evidence, LineQuery, ReturnLine
from returns.selectors.access import supplier_return_get


def supplier_line_get(*, user, reference: str, pk: int) -> ReturnLine:
    """A line of a return the contact may see, or 404 (another supplier's line, or a
    line of another return, is not found)."""
    annual_return = supplier_return_get(user=user, reference=reference)
    return get_object_or_404(
        ReturnLine.objects.select_related(
            "annual_return__supplier", "annual_return__year", "contract", "member"
        ),
        annual_return=annual_return,
        pk=pk,
    )


def return_line_get(*, annual_return: AnnualReturn, pk: int) -> ReturnLine:
    """A line of a return the caller has already scoped (the team acting for its
    supplier), or 404."""
    return get_object_or_404(
        ReturnLine.objects.select_related(
            "annual_return__supplier", "annual_return__year", "contract", "member"
        ),
        annual_return=annual_return,
        pk=pk,
    )


def team_line_get(*, pk: int) -> ReturnLine:
    return get_object_or_404(
        ReturnLine.objects.select_related(
            "annual_return__supplier", "annual_return__year", "contract", "member"
        ),
        pk=pk,
    )


def line_evidence(*, line: ReturnLine) -> QuerySet[Evidence]:
    return Evidence.objects.filter(line=line).select_related("uploaded_by")


def evidence_held(*, line: ReturnLine, evidence_id: int) -> Evidence:
    """A file still held on a line the caller has already been scoped to, or 404."""
    return get_object_or_404(
        Evidence.objects.filter(line=line, erased_at__isnull=True), pk=evidence_id
    )


def open_queries_exist() -> Exists:
    """An annotation: the line has a query nobody has answered yet."""
    return Exists(
        LineQuery.objects.filter(line=OuterRef("pk"), answered_at__isnull=True)
    )


def line_queries(*, line: ReturnLine) -> QuerySet[LineQuery]:
    return LineQuery.objects.filter(line=line).select_related(
        "raised_by", "answered_by"
    )


def line_case_studies(*, line: ReturnLine) -> QuerySet[CaseStudy]:
    return CaseStudy.objects.filter(line=line).select_related("created_by")


def open_queries() -> QuerySet[LineQuery]:
    """The team's desk: unanswered queries, oldest first."""
    return (
        LineQuery.objects.filter(answered_at__isnull=True)
        .select_related(
            "line__annual_return__supplier",
            "line__annual_return__year",
            "line__contract",
            "line__member",
            "raised_by",
        )
        .order_by("raised_at", "pk")
    )


def case_studies_for_member(*, user) -> QuerySet[CaseStudy]:
    """Case studies a member viewer may read: shared with the member by the supplier,
    on approved returns of the members they follow, not erased."""
    return (
        CaseStudy.objects.filter(
            share_with_member=True,
            erased_at__isnull=True,
            line__member__viewers__user=user,
            line__member__viewers__is_active=True,
            line__member__is_active=True,
            line__annual_return__status=AnnualReturn.Status.APPROVED,
            line__excluded_at__isnull=True,
        )
        .select_related(
            "line__contract", "line__member", "line__annual_return__supplier"
        )
        .distinct()
        .order_by("-line__annual_return__year__starts_on", "pk")
    )


def case_studies_public() -> QuerySet[CaseStudy]:
    """Only the team's approved, anonymised text is ever public."""
    return (
        CaseStudy.objects.filter(
            publication=CaseStudy.Publication.APPROVED,
            erased_at__isnull=True,
            line__excluded_at__isnull=True,
        )
        .exclude(public_story="")
        .only("pk", "public_title", "public_story", "approved_at")
        .order_by("-approved_at", "pk")
    )


def case_studies_requested() -> QuerySet[CaseStudy]:
    """The team's desk: case studies whose publication has been requested."""
    return (
        CaseStudy.objects.filter(
            publication=CaseStudy.Publication.REQUESTED, erased_at__isnull=True
        )
        .select_related(
            "line__annual_return__supplier", "line__contract", "line__member"
        )
        .order_by("created_at", "pk")
    )


# The team reaches any line's attachments; these joins carry the line's context.
_LINE_CONTEXT = (
    "line__annual_return__supplier",
    "line__annual_return__year",
    "line__contract__lot",
    "line__member",
)


def team_case_study_get(*, pk: int, erased_too: bool = False) -> CaseStudy:
    """A case study for the team's pages, or 404; an erased one only when asked."""
    case_studies = CaseStudy.objects.select_related(*_LINE_CONTEXT)
    if not erased_too:
        case_studies = case_studies.filter(erased_at__isnull=True)
    return get_object_or_404(case_studies, pk=pk)


def team_query_get(*, pk: int) -> LineQuery:
    return get_object_or_404(
        LineQuery.objects.select_related(*_LINE_CONTEXT, "raised_by", "answered_by"),
        pk=pk,
    )


def team_evidence_get(*, pk: int, erased_too: bool = False) -> Evidence:
    evidence = Evidence.objects.select_related(*_LINE_CONTEXT, "uploaded_by")
    if not erased_too:
        evidence = evidence.filter(erased_at__isnull=True)
    return get_object_or_404(evidence, pk=pk)
