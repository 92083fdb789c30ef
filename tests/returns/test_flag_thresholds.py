"""The soft checks' thresholds are the year's settings (issue 23): the team edits
them like credit values until the year is issued, then they are frozen; a new year
carries them on; every existing year got the defaults."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from returns.catalogue import DEFAULT_SPEND_PER_UNIT
from returns.models import Measure, YearMeasure
from returns.services import returns_issue
from returns.services.years import year_open
from tests.returns.test_issuing import ready_year
from tests.returns.test_year_pages import _date

pytestmark = pytest.mark.django_db


def test_the_team_edits_the_thresholds_until_issue_then_they_freeze(team_client):
    year = ready_year()
    url = reverse("team:year_edit", kwargs={"slug": year.slug})
    data = {
        **_date("issue_on", year.issue_on),
        **_date("deadline", year.deadline),
        "credits_per_100k": "10",
        "spend_threshold": "100000",
        "reminder_offsets": "-7, 7",
        "flag_ratio": "4",
        "flag_floor": "10",
        "flag_target_ratio": "2.5",
        "flag_same_people_contracts": "5",
    }
    assert team_client.post(url, {**data, "flag_ratio": "1"}).status_code == 200
    refused = team_client.post(url, {**data, "flag_same_people_contracts": "1"})
    assert "Enter 2 or more contracts" in refused.content.decode()
    year.refresh_from_db()
    assert year.flag_ratio == Decimal("3")  # refused: a ratio above 1
    assert year.flag_same_people_contracts == 3  # refused: nothing changed
    assert team_client.post(url, data).status_code == 302
    year.refresh_from_db()
    assert (
        year.flag_ratio,
        year.flag_floor,
        year.flag_target_ratio,
        year.flag_same_people_contracts,
    ) == (Decimal("4"), Decimal("10"), Decimal("2.5"), 5)
    assert year.ready_at is None  # the team must check the dry run again

    year.ready_at = timezone.now()
    year.save()
    returns_issue(year=year)
    page = team_client.get(url).content.decode()
    assert "flag_ratio" not in page
    assert "flag_same_people_contracts" not in page
    team_client.post(
        url, {**data, "flag_ratio": "9", "flag_same_people_contracts": "7"}
    )
    year.refresh_from_db()
    assert year.flag_ratio == Decimal("4")
    assert year.flag_same_people_contracts == 5


def test_the_team_sets_the_spend_per_person_with_the_credit_values(team_client):
    year = ready_year()
    row = YearMeasure.objects.get(year=year, measure__code="EMP-FT")
    url = reverse("team:year_measures", kwargs={"slug": year.slug})
    form = team_client.get(url).context["form"]
    assert f"spend_{row.pk}" in form.fields
    vol = YearMeasure.objects.get(year=year, measure__code="VOL")
    assert f"spend_{vol.pk}" not in form.fields  # hours are not people
    data = {name: field.initial for name, field in form.fields.items()}
    data = {name: "" if value is None else value for name, value in data.items()}
    data[f"spend_{row.pk}"] = "30000"
    assert team_client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.spend_per_unit == Decimal("30000")
    data[f"spend_{row.pk}"] = ""  # no check
    assert team_client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.spend_per_unit is None


def test_people_measures_have_defaults_and_a_new_year_carries_the_settings_on():
    assert (
        dict(
            Measure.objects.filter(default_spend_per_unit__isnull=False).values_list(
                "code", "default_spend_per_unit"
            )
        )
        == DEFAULT_SPEND_PER_UNIT
    )
    assert set(DEFAULT_SPEND_PER_UNIT) == set(
        Measure.objects.filter(unit="people").values_list("code", flat=True)
    )
    first = year_open(
        label="2030/31",
        issue_on=datetime.date(2031, 4, 14),
        deadline=datetime.date(2031, 6, 30),
    )
    assert YearMeasure.objects.get(
        year=first, measure__code="EMP-FT"
    ).spend_per_unit == Decimal("25000")
    first.flag_ratio = Decimal("4")
    first.save()
    YearMeasure.objects.filter(year=first, measure__code="EMP-FT").update(
        spend_per_unit=Decimal("30000")
    )
    second = year_open(
        label="2031/32",
        issue_on=datetime.date(2032, 4, 14),
        deadline=datetime.date(2032, 6, 30),
    )
    assert second.flag_ratio == Decimal("4")
    assert YearMeasure.objects.get(
        year=second, measure__code="EMP-FT"
    ).spend_per_unit == Decimal("30000")
