"""The team desk's approval rate at the same point last year counts the year's
returns with an approval event before a day: an index of events by kind and time
finds those events without reading every event. Additive (an index Django's model
state does not track, as migration 0009's)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS event_kind_at_idx"
    " ON returns_returnevent (kind, at, annual_return_id)"
)
DROP = "DROP INDEX IF EXISTS event_kind_at_idx"


class Migration(migrations.Migration):
    dependencies = [("returns", "0017_search_exact_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
