"""The `/api/v1/` resources: thin views over `api.selectors`, which use the pages'
selectors and `returns.figures`. Who may read what is the token's scope; another
organisation's ids are not found."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from . import selectors, serializers
from .authentication import TeamToken, token_of
from .filters import parse_filters
from .models import ApiToken
from .rest import ApiView, ReferenceCursorPagination, with_etag

MEMBERS_SEE_NO_RETURNS = (
    "A member's token reads its contracts' figures, not suppliers' returns."
)


def _filter_parameters(*names):
    described = {
        "year": (str, "A reporting year, as 2024-25."),
        "member": (int, "A member's id: lines of that member in their year."),
        "framework": (int, "A framework's id."),
        "supplier": (int, "A supplier's id."),
    }
    return [
        OpenApiParameter(name, described[name][0], description=described[name][1])
        for name in names
    ] + [
        OpenApiParameter("cursor", str, description="The `next` or `previous` link's."),
        OpenApiParameter("page_size", int, description="Rows a page, at most 500."),
    ]


class YearList(ApiView):
    """Reporting years: the team's every year, anyone else's the years with returns."""

    @extend_schema(
        responses=serializers.YearSerializer(many=True),
        summary="Reporting years",
    )
    def get(self, request):
        years = selectors.years_for(token_of(request))
        return Response({"results": serializers.YearSerializer(years, many=True).data})


class YearMeasures(ApiView):
    """The year's measures with their credit values and proxy values."""

    @extend_schema(
        responses=serializers.MeasureSerializer(many=True),
        summary="The measures of a year, with its credit values",
    )
    def get(self, request, year_slug: str):
        year = selectors.year_for(token_of(request), year_slug)
        rows = selectors.year_measures(year)
        return Response(
            {
                "year": year.label,
                "results": serializers.MeasureSerializer(rows, many=True).data,
            }
        )


class ContractList(ApiView):
    """Contracts with a line you may see, and their member, supplier and framework in each year (the snapshot of that year)."""

    @extend_schema(
        parameters=_filter_parameters("year", "member", "framework", "supplier"),
        responses=serializers.ContractSerializer(many=True),
        summary="Contracts you may see, with their member, supplier and framework "
        "in each year",
    )
    def get(self, request):
        token = token_of(request)
        filters = parse_filters(request, years=selectors.years_for(token))
        paginator = ReferenceCursorPagination()
        page = paginator.paginate_queryset(
            selectors.contracts_for(token, filters), request, view=self
        )
        return paginator.get_paginated_response(
            serializers.ContractSerializer(
                page, many=True, context={"token": token}
            ).data
        )


class ContractDetail(ApiView):
    """One contract you may see; another organisation's is not found."""

    @extend_schema(responses=serializers.ContractSerializer, summary="A contract")
    def get(self, request, contract_id: int):
        token = token_of(request)
        contract = selectors.contract_for(token, contract_id)
        return Response(
            serializers.ContractSerializer(contract, context={"token": token}).data
        )


class ContractFigures(ApiView):
    """A contract's figures in each year and to date. A member's token reads approved figures of the years the contract was the member's."""

    @extend_schema(
        responses=serializers.ContractFiguresSerializer,
        summary="A contract's figures in each year and to date",
        description="Sends an ETag; with If-None-Match the answer is 304 when "
        "nothing changed.",
    )
    def get(self, request, contract_id: int):
        token = token_of(request)
        contract = selectors.contract_for(token, contract_id)
        data = serializers.ContractFiguresSerializer(
            selectors.contract_figures(token, contract)
        ).data
        return with_etag(request, data)


class YearContractFigures(ApiView):
    """Every contract's figures in a year: the member's page's table (a member's token), or the team's or a supplier's lines. Delivered counts approved returns only; awaiting review is apart."""

    @extend_schema(
        parameters=_filter_parameters("member", "framework", "supplier"),
        responses=serializers.YearContractRowSerializer(many=True),
        summary="Every contract's figures in a year, as the member's page shows them",
        description="Sends an ETag; with If-None-Match the answer is 304 when "
        "nothing changed.",
    )
    def get(self, request, year_slug: str):
        token = token_of(request)
        year = selectors.year_for(token, year_slug)
        filters = parse_filters(
            request,
            years=selectors.years_for(token),
            allowed=("member", "framework", "supplier"),
        )
        paginator = ReferenceCursorPagination()
        page = paginator.paginate_queryset(
            selectors.year_contracts(token, year=year, filters=filters),
            request,
            view=self,
        )
        rows = selectors.year_contract_rows(
            token, year=year, contract_ids=[contract.pk for contract in page]
        )
        response = paginator.get_paginated_response(
            serializers.YearContractRowSerializer(rows, many=True).data
        )
        return with_etag(request, response.data)


class ReturnList(ApiView):
    """Returns with their status: a supplier's token its own, the team's every return. A member's token is refused."""

    @extend_schema(
        parameters=_filter_parameters("year", "member", "framework", "supplier"),
        responses=serializers.ReturnSerializer(many=True),
        summary="Returns with their status (the team's, or a supplier's own)",
    )
    def get(self, request):
        token = token_of(request)
        if token.scope == ApiToken.Scope.MEMBER:
            raise PermissionDenied(MEMBERS_SEE_NO_RETURNS)
        filters = parse_filters(request, years=selectors.years_for(token))
        paginator = ReferenceCursorPagination()
        page = paginator.paginate_queryset(
            selectors.returns_for(token, filters), request, view=self
        )
        return paginator.get_paginated_response(
            serializers.ReturnSerializer(page, many=True).data
        )


class YearCompletion(ApiView):
    """The completion page's figures of a year, in total and by framework (team tokens only)."""

    permission_classes = [TeamToken]

    @extend_schema(
        responses=serializers.CompletionSerializer,
        summary="A year's completion figures (the team's tokens only)",
    )
    def get(self, request, year_slug: str):
        year = selectors.year_for(token_of(request), year_slug)
        data = selectors.completion_of(year, today=timezone.localdate())
        data["year"] = year.label
        return with_etag(request, serializers.CompletionSerializer(data).data)


class ImpactReport(ApiView):
    """A published year's impact report figures, open to anyone; an unpublished year is not found."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=serializers.ImpactReportSerializer,
        summary="A published year's impact report figures (no token needed)",
        auth=[],
    )
    def get(self, request, year_slug: str):
        report = selectors.published_report(year_slug)
        return with_etag(request, serializers.ImpactReportSerializer(report).data)


class NotFound(ApiView):
    """Any other path under /api/v1/: a problem, as every API error is."""

    permission_classes = [permissions.AllowAny]
    schema = None  # not an endpoint

    def get(self, request, *args, **kwargs):
        raise Http404

    post = put = patch = delete = get
