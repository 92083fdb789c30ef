"""How long each kind of free text may be. One number per kind, used by the model
field, the form field and the service that writes it, so every way in (a page, a
spreadsheet, the admin, a shell) refuses the same text in the same words."""

from django.core.exceptions import ValidationError

NOTE = 2_000  # a decision's reason or a note: extension, not required, chase, approval
MESSAGE = 5_000  # a query, its answer, a send-back, an exclusion (an answer can be one)
STORY = 10_000  # a case study's story and its public version
ERASURE = 500  # why a file or story is being erased
TITLE = 200  # a case study's title and public title

TOO_LONG = "{label} must be {limit:,} characters or fewer"


def too_long(label: str, limit: int) -> str:
    return TOO_LONG.format(label=label, limit=limit)


def require_length(
    text: str | None, *, label: str, limit: int, field: str = ""
) -> None:
    """Refuses text over `limit` characters, naming it as the form does (`label`),
    under `field` when the caller reports errors by field."""
    if text and len(text) > limit:
        message = too_long(label, limit)
        raise ValidationError({field: message} if field else message)


def over(text: str | None, *, label: str, limit: int) -> str | None:
    """The refusal of `text` over `limit`, or None: for services that gather errors."""
    return too_long(label, limit) if text and len(text) > limit else None
