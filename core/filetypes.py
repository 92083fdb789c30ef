"""What an uploaded evidence file really is, read from its content, never its name.

A hand check rather than a library: we accept four kinds only, and each has a fixed
signature (PDF `%PDF-`, PNG's eight bytes, JPEG `FF D8 FF`). Word and Excel files are
zip packages, and telling a .docx from a macro-enabled .docm needs the package's
`[Content_Types].xml`, which the general libraries (filetype, puremagic) do not read:
they guess from the bytes of the first zip entry's name. So the zip check is ours,
with defusedxml (already a dependency) for the XML and the unpacked size bounded
before anything is inflated.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from defusedxml import ElementTree

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
}
NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word", XLSX: "Excel"}

# The main part's content type in [Content_Types].xml says what a package is.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

MAX_ZIP_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

NOT_ALLOWED = (
    "The selected file must be a PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx) file"
)
MACROS = (
    "The selected file contains macros: save it as a Word (.docx) or Excel (.xlsx) "
    "file without macros and upload that"
)
EMPTY = "The selected file is empty"
NAME_MISMATCH = (
    "The selected file is a {kind} file but its name ends {extension}: rename it to "
    "end {expected}"
)
UNPACKS_TOO_BIG = (
    "The selected file unpacks to more than 200 MB: save it without embedded media, "
    "or split it"
)


class FileTypeRefused(ValueError):
    """The file is not one we accept; the message says why, for the person."""


@dataclass(frozen=True)
class Detected:
    content_type: str

    @property
    def kind(self) -> str:
        return NAMES[self.content_type]


def detect(stream: BinaryIO, *, name: str) -> Detected:
    """The file's real type from its content, checked against its name's extension.
    Raises FileTypeRefused with a message for the person; leaves the stream at 0."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise FileTypeRefused(EMPTY)
    if head.startswith(b"%PDF-"):
        content_type = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
    elif head.startswith(b"PK\x03\x04"):
        content_type = _ooxml_type(stream)
    else:
        # HTML, SVG, executables, scripts, old .doc/.xls and everything else.
        raise FileTypeRefused(NOT_ALLOWED)
    stream.seek(0)
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS[content_type]:
        expected = sorted(EXTENSIONS[content_type])[0]
        if extension in {e for exts in EXTENSIONS.values() for e in exts}:
            raise FileTypeRefused(
                NAME_MISMATCH.format(
                    kind=NAMES[content_type], extension=extension, expected=expected
                )
            )
        raise FileTypeRefused(NOT_ALLOWED)
    return Detected(content_type)


def _ooxml_type(stream: BinaryIO) -> str:
    """DOCX or XLSX from the package's [Content_Types].xml; macro-enabled packages,
    templates, other zips and oversized packages are refused."""
    try:
        package = zipfile.ZipFile(stream)
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileTypeRefused(NOT_ALLOWED) from error
    if len(members) > MAX_ZIP_MEMBERS or (
        sum(m.file_size for m in members) > MAX_UNPACKED_BYTES
    ):
        raise FileTypeRefused(UNPACKS_TOO_BIG)
    names = {m.filename.lower() for m in members}
    if any(n.endswith("vbaproject.bin") or n.endswith("vbadata.xml") for n in names):
        raise FileTypeRefused(MACROS)
    try:
        info = package.getinfo("[Content_Types].xml")
    except KeyError as error:
        raise FileTypeRefused(NOT_ALLOWED) from error
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise FileTypeRefused(NOT_ALLOWED)
    try:
        root = ElementTree.fromstring(package.read(info))
    except Exception as error:  # defusedxml's refusals and any XML or zip error
        raise FileTypeRefused(NOT_ALLOWED) from error
    declared = {
        (element.get("ContentType") or "").strip().lower()
        for element in root
        if element.tag
        in (f"{_CONTENT_TYPES_NS}Override", f"{_CONTENT_TYPES_NS}Default")
    }
    if any("macroenabled" in t or "vbaproject" in t for t in declared):
        raise FileTypeRefused(MACROS)
    found = {_OOXML_MAIN[t] for t in declared if t in _OOXML_MAIN}
    if len(found) != 1:
        raise FileTypeRefused(NOT_ALLOWED)
    return found.pop()
