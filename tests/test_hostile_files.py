"""Every place that takes a file, with the same corpus of hostile files (issue 18):
the return upload by a supplier and by the team, the reference import on its page
and from the command line, and evidence. Each refuses each file with the same
status and the same words, writes nothing, and leaves no file behind.

A hostile file is built from a real file of the place (the return's own workbook, a
members sheet, any workbook), so only the hostile part can be what is refused.
"""

from __future__ import annotations

import html
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core.uploads import EMPTY, human_size, too_large
from core.xlsx.package import COMPRESSED_TOO_FAR, MACROS, XML_ENTITIES
from core.xlsx.reading import A_WORD_DOCUMENT
from frameworks.models import ImportRun, Member
from returns.models import AnnualReturn, Evidence, ReturnEntry, ReturnEvent
from returns.spreadsheets.workbook import build_return_workbook
from tests import factories, filesamples
from tests.frameworks.sheets import xlsx as sheet_xlsx
from tests.sessions import signed_in

pytestmark = pytest.mark.django_db

LIMIT = 60_000  # every place's size limit, for these tests

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def _rewrite(package: bytes, change=None, add: dict | None = None) -> bytes:
    """The package with `change(name, body)` applied to each part and `add` added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            body = source.read(item)
            target.writestr(
                item.filename, change(item.filename, body) if change else body
            )
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def macro_enabled(workbook: bytes) -> bytes:
    """What Excel saves as .xlsm: a macro-enabled main part and a VBA project."""

    def change(name, body):
        if name == "[Content_Types].xml":
            return body.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml."
                b"sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return body

    return _rewrite(workbook, change, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 16})


def vba_project_only(workbook: bytes) -> bytes:
    """A VBA project slipped into a workbook whose content types look plain."""
    return _rewrite(workbook, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 16})


def entities_in_sheet(workbook: bytes) -> bytes:
    """Billion laughs at the top of the first sheet."""

    def change(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return LAUGHS + body.split(b"?>", 1)[-1]
        return body

    return _rewrite(workbook, change)


def entities_in_word(_workbook: bytes) -> bytes:
    """A Word document whose body declares entities."""

    def change(name, body):
        if name == "word/document.xml":
            return LAUGHS + body.split(b"?>", 1)[-1]
        return body

    return _rewrite(filesamples.docx(), change)


def zip_bomb(workbook: bytes) -> bytes:
    """A part that inflates a thousand times: 5 MB of one byte."""
    return _rewrite(workbook, add={"xl/media/padding.xml": b"0" * (5 * 1024 * 1024)})


def empty(_workbook: bytes) -> bytes:
    return b""


def too_large_file(workbook: bytes) -> bytes:
    """A real workbook, padded just past the limit (the page sees its exact size)."""
    return _rewrite(workbook, add={"xl/media/photo.bin": _noise(LIMIT)})


def _noise(size: int) -> bytes:
    import random

    return random.Random(18).randbytes(size)  # incompressible


@dataclass(frozen=True)
class Hostile:
    build: object
    message: str  # the same words at every place
    workbook_only: bool = False  # a Word document is fine as evidence


CORPUS = {
    "macro-enabled workbook": Hostile(macro_enabled, MACROS),
    "workbook with a VBA project": Hostile(vba_project_only, MACROS),
    "XML entities in a sheet": Hostile(entities_in_sheet, XML_ENTITIES),
    "XML entities in a Word document": Hostile(entities_in_word, XML_ENTITIES),
    "zip bomb": Hostile(zip_bomb, COMPRESSED_TOO_FAR),
    "empty file": Hostile(empty, EMPTY),
    "just too large": Hostile(too_large_file, ""),  # its own size: see below
    "Word document": Hostile(lambda _w: filesamples.docx(), A_WORD_DOCUMENT, True),
}


@dataclass
class Outcome:
    status: int | str
    text: str


def _stored_files() -> set[str]:
    found = set()

    def walk(path):
        try:
            folders, files = default_storage.listdir(path)
        except FileNotFoundError:
            return
        found.update(f"{path}/{name}" for name in files)
        for folder in folders:
            walk(f"{path}/{folder}" if path else folder)

    walk("")
    return found


def _written() -> tuple:
    return (
        Member.objects.count(),
        ReturnEntry.objects.count(),
        ReturnEvent.objects.count(),
        Evidence.objects.count(),
        ImportRun.objects.exclude(status=ImportRun.Status.REFUSED).count(),
        frozenset(_stored_files()),
    )


@pytest.fixture
def world(settings):
    settings.SPREADSHEET_MAX_BYTES = LIMIT
    settings.EVIDENCE_MAX_BYTES = LIMIT
    contact = factories.SupplierContactFactory()
    annual_return = factories.AnnualReturnFactory(
        supplier=contact.supplier, status=AnnualReturn.Status.IN_PROGRESS
    )
    line = factories.ReturnLineFactory(annual_return=annual_return)
    return {
        "return": annual_return,
        "line": line,
        "supplier": signed_in(Client(), contact.user),
        "team": signed_in(Client(), factories.TeamUserFactory()),
    }


def _file(data: bytes, name: str):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _page_text(response) -> str:
    return html.unescape(response.content.decode())


def return_upload(role):
    def run(world, data, name, capture, tmp_path) -> Outcome:
        space = "supplier" if role == "supplier" else "team"
        url = reverse(f"{space}:spreadsheet_upload", args=[world["return"].reference])
        response = world[role].post(url, {"file": _file(data, name)})
        return Outcome(response.status_code, _page_text(response))

    run.base = lambda world: build_return_workbook(world["return"]).content
    return run


def import_page(world, data, name, capture, tmp_path) -> Outcome:
    with capture(execute=True):  # the check runs as a task after the upload commits
        response = world["team"].post(
            reverse("team:imports"), {"file": _file(data, name)}
        )
    if response.status_code != 302:
        return Outcome(response.status_code, _page_text(response))
    run = ImportRun.objects.get()
    assert not run.file, "a refused upload is not kept"
    page = world["team"].get(reverse("team:import_detail", args=[run.pk]))
    return Outcome(run.status, _page_text(page))


import_page.base = lambda world: sheet_xlsx(
    ["Member reference", "Member name"], ["M9", "Homes"]
)


def import_command(world, data, name, capture, tmp_path) -> Outcome:
    path = Path(tmp_path) / name
    path.write_bytes(data)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_reference",
            str(path),
            "--commit",
            stderr=errors,
            stdout=io.StringIO(),
        )
    run = ImportRun.objects.get()  # the audit record of a refused --commit
    return Outcome(run.status, errors.getvalue())


import_command.base = import_page.base


def evidence(world, data, name, capture, tmp_path) -> Outcome:
    line = world["line"]
    url = reverse(
        "supplier:line_evidence",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )
    response = world["supplier"].post(url, {"file": _file(data, name)})
    return Outcome(response.status_code, _page_text(response))


evidence.base = lambda world: filesamples.xlsx()

PLACES = {
    "return upload (supplier)": (return_upload("supplier"), 400),
    "return upload (team)": (return_upload("team"), 400),
    "import page": (import_page, ImportRun.Status.REFUSED),
    "import command": (import_command, ImportRun.Status.REFUSED),
    "evidence": (evidence, 400),
}
CASES = [
    pytest.param(place, hostile, id=f"{hostile} at {place}")
    for hostile, case in CORPUS.items()
    for place in PLACES
    # A Word document is evidence like any other.
    if not (case.workbook_only and place == "evidence")
]


@pytest.mark.parametrize(("place", "hostile"), CASES)
def test_every_place_refuses_every_hostile_file_the_same_way_and_keeps_nothing(
    world, place, hostile, django_capture_on_commit_callbacks, tmp_path
):
    run, status = PLACES[place]
    case = CORPUS[hostile]
    data = case.build(run.base(world))
    message = case.message or too_large(len(data), LIMIT)
    if place == "import page" and hostile == "empty file":
        status = 400  # the upload form refuses it before any run is recorded
    before = _written()
    outcome = run(
        world, data, "file.xlsx", django_capture_on_commit_callbacks, tmp_path
    )
    assert outcome.status == status, outcome.text[:3000]
    assert message in outcome.text, (message, outcome.text[-3000:])
    assert _written() == before, "nothing written, no file left behind"
    assert world["return"].lines.get().version == world["line"].version


def test_a_body_far_past_the_limit_is_stopped_while_it_streams(world):
    """The upload handler refuses on the declared length, at the first bytes of the
    file: the rest of a 30 MB body is never read, let alone spooled to disk."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    from core.uploads import SizeLimitUploadHandler

    body = encode_multipart(
        BOUNDARY,
        {"csrfmiddlewaretoken": "t", "file": _file(b"x" * (30 * 1024 * 1024), "f.pdf")},
    )
    stream = io.BytesIO(body)
    line = world["line"]
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": reverse(
                "supplier:line_evidence",
                kwargs={"reference": line.annual_return.reference, "pk": line.pk},
            ),
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": stream,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    request.upload_handlers = [SizeLimitUploadHandler(request)]
    assert request.POST["csrfmiddlewaretoken"] == "t"  # the fields before the file
    assert "file" not in request.FILES
    assert request.upload_refused == too_large(len(body), LIMIT)
    assert request.upload_refused.startswith("The selected file is 30 MB")
    assert stream.tell() < 1024 * 1024, f"read {stream.tell()} bytes of {len(body)}"


def test_the_evidence_page_says_the_streamed_file_was_too_large(world):
    line = world["line"]
    url = reverse(
        "supplier:line_evidence",
        kwargs={"reference": line.annual_return.reference, "pk": line.pk},
    )
    before = _written()
    data = filesamples.PDF + b"%" * (LIMIT + 512 * 1024)
    response = world["supplier"].post(url, {"file": _file(data, "scan.pdf")})
    assert response.status_code == 400
    text = _page_text(response)
    assert f"it must be smaller than {human_size(LIMIT)}" in text
    assert "Select a file to upload" not in text
    assert _written() == before
