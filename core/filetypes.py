"""What an uploaded evidence file really is, read from its content, never its name.

A hand check rather than a library: we accept four kinds only, and each has a fixed
signature (PDF `%PDF-`, PNG's eight bytes, JPEG `FF D8 FF`). Word and Excel files are
zip packages, and telling a .docx from a macro-enabled .docm needs the package's
`[Content_Types].xml`, which the general libraries (filetype, puremagic) do not read:
they guess from the bytes of the first zip entry's name. So the zip check is ours:
`core.xlsx.package`, the one rule every Office file the portal takes passes (sizes
and compression bounded before anything is inflated, no macros, no XML entities).
"""

from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from core.uploads import EMPTY, human_size
from core.xlsx import package

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

# What the package rule (`core.xlsx.package`) found, as a content type.
_PACKAGE_TYPES = {package.WORD: DOCX, package.WORKBOOK: XLSX}

MAX_UNPACKED_BYTES = 200 * 1024 * 1024

NOT_ALLOWED = (
    "The selected file must be a PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx) file"
)
MACROS = package.MACROS  # the same words wherever an Office file is refused
XML_ENTITIES = package.XML_ENTITIES
COMPRESSED_TOO_FAR = package.COMPRESSED_TOO_FAR
NAME_MISMATCH = (
    "The selected file is a {kind} file but its name ends {extension}: rename it to "
    "end {expected}"
)
UNPACKS_TOO_BIG = package.UNPACKS_TOO_LARGE.format(limit=human_size(MAX_UNPACKED_BYTES))
__all__ = ["EMPTY", "FileTypeRefused", "detect"]


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
    """DOCX or XLSX, through the one rule for Office packages (sizes, compression,
    macros, XML entities, what the package says it is): the same guards a
    workbook upload passes, before the file is kept."""
    try:
        kind = package.inspect_package(stream, max_unpacked=MAX_UNPACKED_BYTES)
    except package.PackageRefused as refused:
        raise FileTypeRefused(
            NOT_ALLOWED if refused.not_a_package else str(refused)
        ) from refused
    return _PACKAGE_TYPES[kind]
