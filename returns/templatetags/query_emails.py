"""Template helpers for the "query answered" email."""

from django import template

register = template.Library()


@register.simple_tag
def answered_queries(notifications) -> list[dict]:
    """The queries these ledger rows are about (key `query:<id>`), each with its
    line and what the answer changed (from its `query_answered` event), oldest
    first."""
    from returns import events
    from returns.models import LineQuery, ReturnEvent

    ids = []
    for row in notifications:
        kind, _, pk = row.key.partition(":")
        if kind == "query" and pk.isdigit():
            ids.append(int(pk))
    queries = list(
        LineQuery.objects.filter(pk__in=ids)
        .select_related("line__annual_return", "line__contract")
        .order_by("raised_at", "pk")
    )
    answered = ReturnEvent.objects.filter(
        annual_return__in={q.line.annual_return_id for q in queries},
        kind=events.QUERY_ANSWERED,
    ).values_list("snapshot", flat=True)
    changes = {snapshot.get("query_id"): snapshot for snapshot in answered}
    return [
        {
            "query": query,
            "line": query.line,
            "excluded": changes.get(query.pk, {}).get("line_excluded", False),
            "correction": changes.get(query.pk, {}).get("spend_corrected"),
        }
        for query in queries
    ]
