"""Numbers and dates read as people write them, on each page where they did not
(issue 19, finding 4): credit values in E notation, rates with six places, "1
credits each" and "1 people", money without separators, dates in figures or ISO."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from returns.models import ReturnEntry, YearMeasure
from returns.services import chasing
from returns.spreadsheets.upload import _normal
from returns.templatetags import figures_format as f
from tests import factories

pytestmark = pytest.mark.django_db

MAY_2025 = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _in_season():
    with time_machine.travel(MAY_2025, tick=False):
        yield


# --- The filters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1E+1"), "10"),
        (Decimal("10.000000"), "10"),
        (Decimal("0.500000"), "0.5"),
        (Decimal("0.000100"), "0.0001"),
        (Decimal("1096511.74"), "1,096,511.74"),
        (Decimal("-3.50"), "−3.5"),
        (257.71000000000004, "257.71000000000004"),  # a float keeps its repr
    ],
)
def test_number_has_the_places_it_has_and_separators(value, expected):
    assert f.number(value) == expected


def test_the_other_filters():
    assert f.plain(Decimal("1E+1")) == "10"
    assert f.plain(Decimal("0.000100")) == "0.0001"
    assert f.rate(Decimal("0.500000")) == "0.5 credits each"
    assert f.rate(Decimal("1.000000")) == "1 credit each"
    assert f.count(1, "person,people") == "1 person"
    assert f.count(2, "person,people") == "2 people"
    assert f.count(1200, "contract") == "1,200 contracts"
    assert f.in_unit(Decimal("1"), "people") == "1 person"
    assert f.in_unit(Decimal("3"), "people") == "3 people"
    assert f.in_unit(Decimal("1"), "hours") == "1 hour"
    assert f.in_unit(Decimal("1"), "tonnes CO2e") == "1 tonne CO2e"
    assert f.in_unit(Decimal("1250"), "£") == "£1,250.00"
    assert f.figure(Decimal("257.710000000000"), "credits") == "257.71"
    assert f.figure(Decimal("13303.32"), "credits") == "13,303.32"
    assert f.day(datetime.date(2028, 2, 5)) == "5 February 2028"
    assert f.day("2027-01-20") == "20 January 2027"
    late_evening = datetime.datetime(2028, 2, 5, 23, 30, tzinfo=datetime.UTC)
    assert f.day(late_evening) == "5 February 2028"  # GMT in February
    summer_night = datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert f.day(summer_night) == "1 July 2027"  # BST: already the next day
    assert f.shown(Decimal("50000.00"), "£") == "£50,000.00"
    assert f.shown(Decimal("0.500000"), "rate") == "0.5 credits each"
    assert f.shown(True) == "Yes" and f.shown(None) == "(empty)"


def test_a_conflict_preview_shows_quantities_without_e_notation():
    assert _normal({"EMP-FT": "1E+2", "VOL": "400.00"}) == {
        "EMP-FT": "100",
        "VOL": "400",
    }


# --- The pages ------------------------------------------------------------------------


def test_the_credit_values_form_of_a_new_year_shows_10_not_1e1(team_client):
    year = factories.ReportingYearFactory(first_year=2026)
    YearMeasure.objects.filter(year=year, measure__code="EMP-FT").update(
        credits_per_unit=Decimal("10")
    )
    html = team_client.get(
        reverse("team:year_measures", kwargs={"slug": year.slug})
    ).content.decode()
    assert 'value="10"' in html
    assert "1E+1" not in html and ".000000" not in html


def test_the_line_page_shows_rates_as_written_and_the_deadline_in_words(
    supplier_client, supplier
):
    line = factories.ReturnLineFactory(
        annual_return=factories.AnnualReturnFactory(supplier=supplier),
        contract__ends_on=datetime.date(2028, 2, 5),
        spend=Decimal("143774.28"),
    )
    year = line.annual_return.year
    YearMeasure.objects.filter(year=year, measure__code="VOL").update(
        credits_per_unit=Decimal("0.5")
    )
    YearMeasure.objects.filter(year=year, measure__code="TRN").update(
        credits_per_unit=Decimal("1")
    )
    url = reverse(
        "supplier:line",
        kwargs={"reference": line.annual_return.reference, "line_id": line.pk},
    )
    html = supplier_client.get(url).content.decode()
    assert "0.5 credits each" in html and "1 credit each" in html
    assert "0.500000" not in html
    assert not re.search(r"(?<![\d.])1 credits each", html)
    assert "£143,774.28" in html
    assert "No later than the contract's end, 5 February 2028." in html
    assert "5 2 2028" not in html


def test_check_your_answers_says_1_person(supplier_client, supplier):
    line = factories.ReturnLineFactory(
        annual_return=factories.AnnualReturnFactory(supplier=supplier)
    )
    ReturnEntry.objects.create(
        line=line, measure=factories.measure("EMP-FT"), quantity=Decimal("1")
    )
    url = reverse("supplier:check", args=[line.annual_return.reference])
    html = supplier_client.get(url).content.decode()
    assert "1 person" in html and "1 people" not in html


def test_the_review_page_and_shortfall_page_separate_thousands(team_client):
    annual_return = factories.AnnualReturnFactory(
        status="submitted",
        submitted_at=datetime.datetime(2025, 4, 30, tzinfo=datetime.UTC),
    )
    factories.ReturnLineFactory(
        annual_return=annual_return,
        spend=Decimal("143774.28"),
        target_credits=Decimal("13303.32"),
    )
    review = team_client.get(
        reverse("team:review_detail", args=[annual_return.reference])
    ).content.decode()
    assert "spend £143,774.28" in review and "£143774.28" not in review
    shortfall = team_client.get(
        reverse("team:shortfall"),
        {"period": annual_return.year.slug, "by": "supplier"},
    ).content.decode()
    assert "13,303.32" in shortfall and "13303.32" not in shortfall


def test_an_extension_reads_as_a_date_in_words(team_client, team_user):
    annual_return = factories.issued_return()
    chasing.return_extend(
        annual_return=annual_return,
        deadline=datetime.date(2025, 7, 31),
        reason="Bereavement",
        acting_user=team_user,
    )
    html = team_client.get(
        reverse("team:chase_history", args=[annual_return.reference])
    ).content.decode()
    assert "to 31 July 2025" in html and "2025-07-31" not in html


def test_the_deadline_hint_of_an_extension_has_no_date_in_figures(team_client):
    annual_return = factories.issued_return()
    html = team_client.get(
        reverse("team:return_extend", args=[annual_return.reference])
    ).content.decode()
    assert "31 7 2025" not in html


def test_the_status_tag_is_written_once_and_escapes_its_text():
    from django.template import Context, Template

    from returns.templatetags.figures_format import govuk_tag

    assert govuk_tag("Needs <b>work</b>", "red") == (
        '<strong class="govuk-tag govuk-tag--red">Needs &lt;b&gt;work&lt;/b&gt;</strong>'
    )
    assert (
        govuk_tag("Submitted", "blue") == '<strong class="govuk-tag">Submitted</strong>'
    )
    # The include the other pages use renders the same tag.
    included = Template(
        '{% include "includes/tag.html" with text=t colour=c only %}'
    ).render(Context({"t": "Approved", "c": "green"}))
    assert included.strip().endswith(
        '<strong class="govuk-tag govuk-tag--green">Approved</strong>'
    )
