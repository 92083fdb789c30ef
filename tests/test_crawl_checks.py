"""The crawl's own checks find what they are meant to: a dead link, a server error,
an unrounded sum, E notation, money without separators, and the rest. (The crawl of
the demo passing proves nothing unless these fail when they should.)"""

import io

import pytest
from django.http import HttpResponse
from openpyxl import Workbook

from tests.crawl import XLSX, Crawler, cell_problems, number_problems


@pytest.mark.parametrize(
    "text",
    [
        "Target 257.710000000000",  # SQLite's float sum, unrounded
        "Entered 0.300000000000000",
        "credit value 1E+1",
        "conflict: 1E+2 against 4E+2",
        "0.500000 credits each",
        "1 credits each",
        "1 people",
        "spend £143774.28",
        "£1096511.74",
        "shortfall 13303.32",
        "By 5 2 2028",
        "extended to 2027-01-20",
        "Smith &amp; Sons",
    ],
)
def test_a_number_that_reads_wrong_is_found(text):
    assert number_problems(text), text


@pytest.mark.parametrize(
    "text",
    [
        "£1,096,511.74",
        "13,303.32 credits",
        "0.5 credits each",
        "0.125 credits each",
        "1 person, 2 people, 1 credit each",
        "Reference SV-2024-25-00123 for 2024/25",
        "5 February 2028",
        "Smith & Sons",
        "12.50 hours",
        "−£3.00",
    ],
)
def test_a_number_that_reads_right_passes(text):
    assert number_problems(text) == [], text


def test_cells_may_be_plain_numbers_and_iso_dates_but_not_unrounded():
    assert number_problems("719.74", where="cell") == []
    assert number_problems("2025-06-30", where="cell") == []
    assert number_problems("719.740000000000", where="cell")
    assert cell_problems(719.74) == []
    assert cell_problems(0.0001) == []  # a credit rate
    assert cell_problems(257.71000000000004)


class FakeClient:
    """Answers the crawl from a table of paths; anything else is a 404."""

    def __init__(self, responses: dict[str, HttpResponse]):
        self.responses = responses

    def get(self, url):
        return self.responses.get(url) or HttpResponse(status=404)


def page(body: str) -> HttpResponse:
    return HttpResponse(f"<html><body>{body}</body></html>")


def xlsx(*rows) -> HttpResponse:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return HttpResponse(out.getvalue(), content_type=XLSX)


def test_the_crawl_finds_dead_links_errors_and_numbers_in_pages_and_downloads(
    settings,
):
    client = FakeClient(
        {
            "/": page(
                '<a href="/privacy/">Privacy</a> <a href="/accessibility/">A</a>'
                ' <a href="/no-such-page/">Nowhere</a>'
                ' <a href="/team/review/">Review</a>'
                ' <a href="/team/shortfall/?format=xlsx">Download</a>'
                ' <a href="/team/years/2025-26/completion/chasing-list/?format=csv">'
                "CSV</a>"
                ' <a href="https://example.org/elsewhere/">Another site</a>'
                '<form method="get" action="/team/queries/">'
                '<select name="status"><option value="open" selected>Open</option>'
                '</select><input name="q" value="Acme"></form>'
            ),
            "/privacy/": page("Nothing wrong: £1,234.56"),
            "/team/review/": page("Target 257.710000000000"),
            # openpyxl writes a float to 15 digits, so a float sum's noise never
            # reaches a workbook as a number; as text it does.
            "/team/shortfall/?format=xlsx": xlsx(["Total", "1E+1", 257.71]),
            "/team/years/2025-26/completion/chasing-list/?format=csv": HttpResponse(
                "Supplier,Target\r\nAcme,719.740000000000\r\n",
                content_type="text/csv",
            ),
            "/team/queries/?q=Acme&status=open": HttpResponse(status=500),
        }
    )
    report = Crawler(client).run("/")
    found = "\n".join(str(problem) for problem in report.problems)

    assert "/accessibility/ (linked from /): answered 404" in found
    assert "/no-such-page/ (linked from /): no such page (404)" in found
    assert "/team/queries/?q=Acme&status=open (linked from /): answered 500" in found
    assert (
        "/team/review/ (linked from (its own text)): too many decimal places" in found
    )
    assert "(Sheet!B1)): scientific notation '1E+1'" in found  # a workbook cell
    assert "257.71'" not in found
    assert "719.740000000000" in found  # the CSV cell
    assert "/privacy/ (" not in found
    assert "example.org" not in found  # other sites are not ours to check
    assert len(report.downloads) == 2
