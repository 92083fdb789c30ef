"""Find anything, for the team: suppliers, contracts, returns and people.

Plain `icontains` matching everywhere (SQLite and PostgreSQL); on PostgreSQL, names
and titles that do not contain the text but are close to it (a typo, a word order)
are found by trigram word similarity (`pg_trgm`'s `%>`, at its default threshold;
the extension and the indexes are created by migration `returns 0007`), and results
are ranked by it. A query is cut to `MAX_QUERY` characters and loses NUL
bytes, so no text can fail the database.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import MemberViewer, SupplierContact, User
from frameworks.models import Contract, Member, Supplier
from returns.models import AnnualReturn

MAX_QUERY = 100
PER_GROUP = 20


@dataclass
class Group:
    key: str
    title: str
    items: list = field(default_factory=list)
    more: bool = False  # there are more than PER_GROUP


@dataclass
class SearchResults:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(group.items) for group in self.groups)


def clean_query(text: str | None) -> str:
    return " ".join((text or "").replace("\x00", "").split())[:MAX_QUERY]


def _trigram() -> bool:
    return connection.vendor == "postgresql"


def _ranked(queryset: QuerySet, *, text: str, exact: Q, fields: tuple[str, ...]):
    """Rows matching `exact`, or on PostgreSQL close to `text` in one of `fields`,
    most similar first; PER_GROUP + 1 rows, so the caller can say there are more."""
    if _trigram():
        from django.contrib.postgres.search import TrigramWordSimilarity
        from django.db.models.functions import Greatest

        similarity = (
            Greatest(*[TrigramWordSimilarity(text, name) for name in fields])
            if len(fields) > 1
            else TrigramWordSimilarity(text, fields[0])
        )
        close = Q()
        for name in fields:  # `%>`: served by the trigram indexes of migration 0007
            close |= Q(**{f"{name}__trigram_word_similar": text})
        queryset = (
            queryset.filter(exact | close)
            .annotate(similarity=similarity)
            .order_by("-similarity", *fields, "pk")
        )
    else:
        queryset = queryset.filter(exact).order_by(*fields, "pk")
    return list(queryset[: PER_GROUP + 1])


def _group(key: str, title: str, rows: list) -> Group:
    return Group(key, title, rows[:PER_GROUP], more=len(rows) > PER_GROUP)


def team_search(*, text: str | None) -> SearchResults:
    """Everything the text finds, grouped; empty groups left out. A fixed number of
    queries whatever is found."""
    query = clean_query(text)
    results = SearchResults(query=query)
    if not query:
        return results
    suppliers = _ranked(
        Supplier.objects.all(),
        text=query,
        exact=Q(name__icontains=query)
        | Q(reference__iexact=query)
        | Q(company_number__iexact=query),
        fields=("name",),
    )
    contracts = _ranked(
        Contract.objects.select_related("supplier", "member"),
        text=query,
        exact=Q(reference__icontains=query) | Q(title__icontains=query),
        fields=("title",),
    )
    returns = list(
        AnnualReturn.objects.filter(reference__icontains=query)
        .select_related("supplier", "year")
        .order_by("-year__starts_on", "reference")[: PER_GROUP + 1]
    )
    members = _ranked(
        Member.objects.all(),
        text=query,
        exact=Q(name__icontains=query) | Q(reference__iexact=query),
        fields=("name",),
    )
    people = list(
        User.objects.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
        .order_by("email")
        .prefetch_related(
            _contacts_prefetch(),
            _viewers_prefetch(),
        )[: PER_GROUP + 1]
    )
    for key, title, rows in (
        ("suppliers", "Suppliers", suppliers),
        ("contracts", "Contracts", contracts),
        ("returns", "Returns", returns),
        ("members", "Members", members),
        ("people", "People", people),
    ):
        if rows:
            results.groups.append(_group(key, title, rows))
    return results


def _contacts_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "supplier_contacts",
        queryset=SupplierContact.objects.select_related("supplier").order_by(
            "supplier__name"
        ),
        to_attr="contact_links",
    )


def _viewers_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "member_viewers",
        queryset=MemberViewer.objects.select_related("member").order_by("member__name"),
        to_attr="viewer_links",
    )
