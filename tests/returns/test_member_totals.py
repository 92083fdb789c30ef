"""The member page adds up its totals and outcomes from its per-contract figures
(issue 12: two queries fewer); they equal the database's sums over the same lines."""

import pytest

from returns import figures
from returns.selectors import reports
from tests.returns.impact_world import build_impact_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("member", ["member_a", "member_b"])
@pytest.mark.parametrize("year", ["this", "last"])
def test_member_totals_and_outcomes_equal_the_database_sums(member, year):
    world = build_impact_world()
    page = reports.member_year(member=world[member], year=world[year])
    approved = figures.reported_lines(year=world[year]).filter(member=world[member])
    assert page.totals == reports._reported_totals(approved)
    shown = [(o.label, o.quantity) for o in page.outcomes]
    assert shown == [
        (o.label, o.quantity)
        for o in reports.outcomes(figures.quantities(lines=approved))
    ]
    # Since the first reporting year (issue 22): the database's sums over every
    # approved year of the member up to this one.
    since = (
        figures.reported_lines()
        .filter(member=world[member])
        .filter(annual_return__year__starts_on__lte=world[year].starts_on)
    )
    assert [o.to_date for o in page.outcomes] == [
        o.quantity for o in reports.outcomes(figures.quantities(lines=since))
    ]
    assert page.running.delivered == figures.totals(lines=since)["delivered"]
