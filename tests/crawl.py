"""The crawl: follow every link, GET form and download a signed-in person can reach,
and say what is broken (a dead link, a server error, a number that reads wrong).

`Crawler(client).run("/")` walks breadth-first from a page, fetching at most
`per_pattern` URLs of each pattern (the URL's name, the names of its query parameters
and its `format`), so a demo of 600 contracts is walked in seconds, not hours. Every
HTML page, CSV and xlsx it fetches is read back and scanned by `number_problems`.

The checks live here, apart from the test, so that other tests (a new page's own
test) can scan what they fetch with the same rules.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.contrib.staticfiles import finders
from django.urls import Resolver404, resolve

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Links a crawl never follows: they end the session it walks with (a GET of the
# sign-out page only asks to confirm, but following it proves nothing either).
NEVER_FOLLOW = ("account_logout", "invitation_sign_out")
# Django's own admin: walked for dead links and errors, each page kind a few times
# whatever its filters (its changelists have hundreds of filter links), and its
# numbers are not scanned (it shows stored values as Django formats them).
DJANGO_ADMIN = "/admin/"
ADMIN_PER_PATTERN = 2
# After the first URL of a pattern, one in SPREAD of the others is taken (by a hash
# of the URL), so the few fetched are spread over the demo rather than the first
# rows of the first page.
SPREAD = 4

# --- Numbers that read wrong ---------------------------------------------------------

_NUMBER = r"\d[\d,]*(?:\.\d+)?"
E_NOTATION = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]\d+(?![\w.])")
# A decimal with three or more places (only credit rates may have them).
MANY_PLACES = re.compile(r"(?<![\w.,])\d[\d,]*\.(\d{3,})(?![\w.])")
RATE_AFTER = re.compile(r"\s*credits? (each|per)\b")
MONEY_WITHOUT_SEPARATORS = re.compile(r"£\s?\d{4,}")
# 1,000 or more with two places and no separator ("13303.32"): a figure the filter
# never touched.
PLAIN_THOUSANDS = re.compile(r"(?<![\w.,£/-])\d{4,}\.\d{2}(?![\w.])")
ONE_PLURAL = re.compile(
    r"(?<![\d.,])(?:−|-)?1 (people|credits|contracts|returns|suppliers|days|years"
    r"|weeks|members|lines|queries|reminders|emails|files|measures|placements"
    r"|projects|attendees|hours)\b"
)
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
NUMERIC_DATE = re.compile(r"(?<![\w/])\d{1,2} \d{1,2} \d{4}(?![\w/])")
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")


def number_problems(text: str, *, where: str = "page") -> list[str]:
    """What reads wrong in `text` as a person sees it (markup already removed).

    `where` is "page" (a page or an email: every rule) or "cell" (a CSV or workbook
    cell: a plain number like 1234.5 is right there, and dates may be ISO).
    """
    found = []
    for match in E_NOTATION.finditer(text):
        found.append(f"scientific notation {match.group(0)!r}")
    for match in MANY_PLACES.finditer(text):
        places = match.group(1)
        rate = RATE_AFTER.match(text, match.end())
        if rate and len(places) <= 6 and not places.endswith("0"):
            continue  # "0.125 credits each": a rate keeps the places it has
        found.append(f"too many decimal places {match.group(0)!r}")
    for match in MONEY_WITHOUT_SEPARATORS.finditer(text):
        found.append(f"money without thousands separators {match.group(0)!r}")
    for match in ONE_PLURAL.finditer(text):
        found.append(f"a plural after one {match.group(0)!r}")
    for match in ENTITY.finditer(text):
        found.append(f"an HTML entity shown as text {match.group(0)!r}")
    if where == "page":
        for match in PLAIN_THOUSANDS.finditer(text):
            found.append(f"a figure without thousands separators {match.group(0)!r}")
        for match in ISO_DATE.finditer(text):
            found.append(f"a date as ISO {match.group(0)!r}")
        for match in NUMERIC_DATE.finditer(text):
            found.append(f"a date in figures {match.group(0)!r}")
    return found


def input_value_problems(value: str) -> list[str]:
    """A number a form shows in an input (a credit rate may keep up to 6 places)."""
    found = [f"scientific notation {m.group(0)!r}" for m in E_NOTATION.finditer(value)]
    for match in MANY_PLACES.finditer(value):
        places = match.group(1)
        if len(places) > 6 or places.endswith("0"):
            found.append(f"too many decimal places {match.group(0)!r}")
    return found


def cell_problems(value: object) -> list[str]:
    """A workbook cell: text is scanned as text; a number must have at most 2 places
    (a rate up to 6) and be finite."""
    if value is None:
        return []
    if isinstance(value, str):
        return number_problems(value, where="cell")
    if isinstance(value, bool):
        return []
    if isinstance(value, float):
        # A float sum carried into the workbook (257.71000000000004) keeps its noise
        # in its shortest repr; a rounded figure has at most 6 places there.
        text = repr(value)
        if "e" in text or len(text.partition(".")[2]) > 6:
            return [f"a number with more than 6 places {value!r}"]
    return []


# --- Reading pages ----------------------------------------------------------------


@dataclass
class GetForm:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class PageReader(HTMLParser):
    """Links, GET forms, static references, visible text and input values of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.statics: list[str] = []
        self.forms: list[GetForm] = []
        self.text: list[str] = []
        self.input_values: list[str] = []
        self._skip = 0  # inside <script> or <style>
        self._form: GetForm | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._option_value: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
            if attrs.get("src"):
                self.statics.append(attrs["src"])
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in ("link", "img") and (attrs.get("href") or attrs.get("src")):
            self.statics.append(attrs.get("href") or attrs.get("src"))
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = GetForm(attrs.get("action") or "") if method == "get" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif tag == "input":
            self._input(attrs)
        elif tag == "select":
            self._select = attrs.get("name")
            self._select_value = None
            self._select_first = None
        elif tag == "option":
            value = attrs.get("value")
            self._option_value = value
            if self._select is not None:
                if self._select_first is None:
                    self._select_first = value
                if "selected" in attrs:
                    self._select_value = value

    def _input(self, attrs: dict) -> None:
        kind = (attrs.get("type") or "text").lower()
        name, value = attrs.get("name"), attrs.get("value") or ""
        if kind not in ("hidden", "submit", "button") and value:
            self.input_values.append(value)
        if self._form is None or not name:
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        if kind in ("submit", "button", "image", "file", "reset"):
            return
        self._form.fields.append((name, value))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "form":
            self._form = None
        elif tag == "select":
            if self._form is not None and self._select:
                value = (
                    self._select_value
                    if self._select_value is not None
                    else self._select_first
                )
                if value is not None:
                    self._form.fields.append((self._select, value))
            self._select = None

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


# --- The crawl --------------------------------------------------------------------


@dataclass
class Problem:
    url: str
    found_on: str
    what: str

    def __str__(self) -> str:
        return f"{self.url} (linked from {self.found_on}): {self.what}"


@dataclass
class CrawlReport:
    fetched: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def describe(self, limit: int = 60) -> str:
        lines = [str(problem) for problem in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            lines.append(f"... and {more} more")
        return "\n".join(lines)


def pattern_of(url: str) -> tuple | None:
    """What makes two URLs "the same page": the URL's name, the names of its query
    parameters, and the value of `format` (each download is its own pattern). None
    when the path is not one of the portal's."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = tuple(sorted({key for key, value in query if value}))
    fmt = dict(query).get("format", "")
    name = match.view_name or match.func.__module__ + "." + match.func.__name__
    if parts.path.startswith(DJANGO_ADMIN):
        return (name, (), "")
    # A word in the path (the kind of a history page) makes a page of its own.
    words = tuple(
        (key, value)
        for key, value in sorted(match.kwargs.items())
        if isinstance(value, str) and value.isalpha()
    )
    return (name, keys, fmt, words)


class Crawler:
    def __init__(
        self,
        client,
        *,
        per_pattern: int = 3,
        max_fetches: int = 2000,
        skip_prefixes: tuple[str, ...] = (),
    ):
        self.client = client
        self.per_pattern = per_pattern
        self.max_fetches = max_fetches
        self.skip_prefixes = skip_prefixes
        self.report = CrawlReport()
        self._seen: set[str] = set()
        self._per_pattern: dict[tuple, int] = {}
        self._statics_checked: set[str] = set()
        self._queue: deque[tuple[str, str]] = deque()

    def run(self, start: str) -> CrawlReport:
        self._offer(start, found_on="(start)")
        while self._queue and len(self.report.fetched) < self.max_fetches:
            url, found_on = self._queue.popleft()
            self._fetch(url, found_on)
        return self.report

    # -- queueing

    def _normalise(self, href: str, base: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return None
        absolute = urljoin("http://testserver" + base, href)
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
            return None  # another site: not ours to check
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        return parts.path + (f"?{query}" if query else "")

    def _offer(self, url: str, *, found_on: str) -> None:
        if url in self._seen:
            return
        self._seen.add(url)
        path = urlsplit(url).path
        if path.startswith(self.skip_prefixes):
            return
        pattern = pattern_of(url)
        if pattern is None:
            self.report.problems.append(Problem(url, found_on, "no such page (404)"))
            return
        if pattern[0] in NEVER_FOLLOW:
            return
        count = self._per_pattern.get(pattern, 0)
        limit = ADMIN_PER_PATTERN if path.startswith(DJANGO_ADMIN) else self.per_pattern
        if count >= limit:
            return
        if count and zlib.crc32(url.encode()) % SPREAD:
            return
        self._per_pattern[pattern] = count + 1
        self._queue.append((url, found_on))

    # -- fetching

    def _fetch(self, url: str, found_on: str) -> None:
        response = self.client.get(url)
        self.report.fetched.append(url)
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = self._normalise(response["Location"], urlsplit(url).path)
            if target and urlsplit(target).path.startswith("/accounts/login/"):
                self._problem(url, found_on, "sends a signed-in person to sign in")
            elif target:
                self._offer(target, found_on=url)
            return
        if status >= 400:
            self._problem(url, found_on, f"answered {status}")
            return
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        body = b"".join(response.streaming_content) if response.streaming else None
        content = body if body is not None else response.content
        if content_type == "text/html":
            self._page(url, content.decode())
        elif content_type == "text/csv":
            self.report.downloads.append(url)
            self._csv(url, found_on, content)
        elif content_type == XLSX:
            self.report.downloads.append(url)
            self._xlsx(url, found_on, content)
        elif content_type == "application/pdf" and urlsplit(url).path.endswith(".pdf"):
            # A PDF the portal writes (its URL ends .pdf): uploaded evidence is the
            # supplier's own file, not ours to read.
            self.report.downloads.append(url)
            self._pdf(url, found_on, content)
        else:
            self.report.downloads.append(url)
            if not content:
                self._problem(url, found_on, f"an empty {content_type} download")

    def _problem(self, url: str, found_on: str, what: str) -> None:
        self.report.problems.append(Problem(url, found_on, what))

    def _page(self, url: str, html: str) -> None:
        reader = PageReader()
        reader.feed(html)
        path = urlsplit(url).path
        if not path.startswith(DJANGO_ADMIN):
            for what in number_problems(reader.visible_text):
                self._problem(url, "(its own text)", what)
            for value in reader.input_values:
                for what in input_value_problems(value):
                    self._problem(url, "(a form field)", what)
        for href in reader.links:
            target = self._normalise(href, url)
            if target and urlsplit(target).path.startswith("/static/"):
                self._static(target, url)
            elif target:
                self._offer(target, found_on=url)
        for src in reader.statics:
            target = self._normalise(src, url)
            if target and urlsplit(target).path.startswith("/static/"):
                self._static(target, url)
        for form in reader.forms:
            action = self._normalise(form.action or path, url) or path
            action_path = urlsplit(action).path
            query = urlencode(sorted(form.fields))
            self._offer(
                self._normalise(f"{action_path}?{query}" if query else action_path, url)
                or action_path,
                found_on=url,
            )

    def _static(self, url: str, found_on: str) -> None:
        path = urlsplit(url).path
        if path in self._statics_checked:
            return
        self._statics_checked.add(path)
        if finders.find(path.removeprefix("/static/")) is None:
            self._problem(url, found_on, "no such static file")

    def _csv(self, url: str, found_on: str, content: bytes) -> None:
        try:
            text = content.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
        except (UnicodeDecodeError, csv.Error) as error:
            self._problem(url, found_on, f"a CSV that cannot be read: {error}")
            return
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                for what in number_problems(value, where="cell"):
                    self._problem(url, f"(row {number}, column {column})", what)

    def _pdf(self, url: str, found_on: str, content: bytes) -> None:
        from pypdf import PdfReader

        try:
            pages = PdfReader(io.BytesIO(content)).pages
            text = "\n".join(page.extract_text() for page in pages)
        except Exception as error:  # noqa: BLE001 (any failure to read is the finding)
            self._problem(url, found_on, f"a PDF that cannot be read: {error}")
            return
        for what in number_problems(text):
            self._problem(url, "(its text)", what)

    def _xlsx(self, url: str, found_on: str, content: bytes) -> None:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), data_only=False)
        except Exception as error:  # noqa: BLE001 (any failure to open is the finding)
            self._problem(url, found_on, f"a workbook that cannot be opened: {error}")
            return
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if isinstance(value, str) and value.startswith("="):
                        continue  # a formula the workbook itself writes
                    for what in cell_problems(value):
                        self._problem(url, f"({sheet.title}!{cell.coordinate})", what)
