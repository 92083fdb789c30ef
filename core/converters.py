"""Path converters: `id`, a database id in a URL, at most 18 digits; `key`, a text key
without control characters.

Django's `int` converter takes any run of digits, and a 40-digit id reached the
database: SQLite raises OverflowError, PostgreSQL "bigint out of range", and the page
answered 500. Eighteen digits always fit a 64-bit key, so a longer one matches no URL
(404) before any query. Both are registered in `CoreConfig.ready`."""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))


class KeyConverter:
    """A text key in a URL (a return's reference, a year's slug, a token): any
    characters but `/` and control characters, at most 200. Django's `str`
    converter lets a NUL through, which PostgreSQL refuses in a text comparison
    (500); here it matches no URL (404)."""

    regex = "[^/\x00-\x1f\x7f]{1,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
