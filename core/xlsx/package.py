"""The one rule for every Office Open XML package the portal takes: the return
upload, the reference import (web and command) and evidence (.xlsx and .docx).

Before anything inflates a part, and before openpyxl or anyone else opens it:

1. it is a zip, with at most MAX_MEMBERS parts;
2. the parts' declared sizes add up to no more than the limit, and no large part is
   compressed more than a real document can be (Python's zipfile never inflates
   past a part's declared size, so the declared size is a bound we can trust);
3. it holds no macros: no `vbaProject.bin` / `vbaData.xml`, no macro-enabled or VBA
   content type (a `.xlsm` or `.docm`, whatever it is called);
4. no XML part declares entities (a billion-laughs bomb): each part is parsed with
   defusedxml up to its first element, which is as far as a DTD can reach;
5. its `[Content_Types].xml` names exactly one main part: a workbook or a Word
   document, which is what `inspect_package` returns.

Each refusal is a `PackageRefused` with one message, the same wherever the file was
uploaded.
"""

from __future__ import annotations

import io
import zipfile
from typing import BinaryIO

WORKBOOK = "workbook"
WORD = "word"

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        WORKBOOK
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        WORD
    ),
}
_CONTENT_TYPES = "[Content_Types].xml"
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

MAX_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 100  # real parts compress 5–30 times; bombs, thousands
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # a tiny part may compress as far as it likes
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")

NOT_A_PACKAGE = "The file is not a Word document (.docx) or Excel workbook (.xlsx)"
UNPACKS_TOO_LARGE = (
    "The file unpacks to more than {limit}: remove unused sheets, images and "
    "formatting, or split it into several files"
)
COMPRESSED_TOO_FAR = (
    "The file is compressed far more than a real document or workbook can be: it is "
    "refused"
)
MACROS = (
    "The file contains macros, which are refused: save it as a Word document "
    "(.docx) or Excel workbook (.xlsx) without macros and upload that"
)
XML_ENTITIES = (
    "The file contains XML entity declarations, which are refused: save it again "
    "from Word or Excel"
)


class PackageRefused(ValueError):
    """The package is refused, unread; the message says why, for the person.
    `not_a_package` is set when it is no Office package at all, so a place that
    knows what it expected can say so in its own words."""

    def __init__(self, message: str, *, not_a_package: bool = False):
        super().__init__(message)
        self.not_a_package = not_a_package


def _human_size(size: int) -> str:
    from core.uploads import human_size

    return human_size(size)


def inspect_package(file: BinaryIO | bytes, *, max_unpacked: int) -> str:
    """WORKBOOK or WORD, after every check above; raises PackageRefused. A stream is
    left at 0."""
    stream = io.BytesIO(file) if isinstance(file, bytes | bytearray) else file
    stream.seek(0)
    try:
        package = zipfile.ZipFile(stream)
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise PackageRefused(NOT_A_PACKAGE, not_a_package=True) from error
    try:
        _check_sizes(members, max_unpacked=max_unpacked)
        _check_macros(members)
        kind = _main_kind(package)
        _check_entities(package, members)
    finally:
        package.close()
        stream.seek(0)
    return kind


def _check_sizes(members: list[zipfile.ZipInfo], *, max_unpacked: int) -> None:
    if len(members) > MAX_MEMBERS:
        raise PackageRefused(UNPACKS_TOO_LARGE.format(limit=_human_size(max_unpacked)))
    total = 0
    for member in members:
        total += member.file_size
        if total > max_unpacked:
            raise PackageRefused(
                UNPACKS_TOO_LARGE.format(limit=_human_size(max_unpacked))
            )
        if (
            member.file_size > RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise PackageRefused(COMPRESSED_TOO_FAR)


def _check_macros(members: list[zipfile.ZipInfo]) -> None:
    for member in members:
        name = member.filename.lower()
        if name.endswith(("vbaproject.bin", "vbadata.xml")):
            raise PackageRefused(MACROS)


def _main_kind(package: zipfile.ZipFile) -> str:
    from defusedxml import ElementTree

    try:
        info = package.getinfo(_CONTENT_TYPES)
    except KeyError as error:
        raise PackageRefused(NOT_A_PACKAGE, not_a_package=True) from error
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        raise PackageRefused(NOT_A_PACKAGE, not_a_package=True)
    try:
        root = ElementTree.fromstring(package.read(info))
    except _entity_errors() as error:
        raise PackageRefused(XML_ENTITIES) from error
    except Exception as error:  # any XML or zip error
        raise PackageRefused(NOT_A_PACKAGE, not_a_package=True) from error
    declared = {
        (element.get("ContentType") or "").strip().lower()
        for element in root
        if element.tag
        in (f"{_CONTENT_TYPES_NS}Override", f"{_CONTENT_TYPES_NS}Default")
    }
    if any("macroenabled" in t or "vbaproject" in t for t in declared):
        raise PackageRefused(MACROS)
    found = {_MAIN_TYPES[t] for t in declared if t in _MAIN_TYPES}
    if len(found) != 1:
        raise PackageRefused(NOT_A_PACKAGE, not_a_package=True)
    return found.pop()


def _entity_errors() -> tuple[type[Exception], ...]:
    from defusedxml.common import DefusedXmlException

    return (DefusedXmlException,)


def _check_entities(package: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Parses each XML part up to its first element: a DTD (where entities are
    declared) can only come before it, so this reads a few bytes of each part."""
    from defusedxml.ElementTree import iterparse

    for member in members:
        if not member.filename.lower().endswith(XML_SUFFIXES) or member.is_dir():
            continue
        try:
            with package.open(member) as part:
                for _event in iterparse(part, events=("start",)):
                    break
        except _entity_errors() as error:
            raise PackageRefused(XML_ENTITIES) from error
        except Exception:  # noqa: S112
            # Broken XML is the reader's business (openpyxl says what it cannot
            # read); this check is only about entities.
            continue
