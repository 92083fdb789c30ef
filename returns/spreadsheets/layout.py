"""Where things are in a return workbook. The export writes this layout and the upload
reads it back, so both import these names and nothing else guesses a cell."""

from __future__ import annotations

from django.core import signing

INSTRUCTIONS = "Instructions"
RETURN = "Return"
MEASURES = "Measures"
IDENTITY = "Identity"

TITLE_ROW = 1  # column titles people read
CODE_ROW = 2  # the measure codes the upload reads: the file's own key
RATE_ROW = 3  # credits per unit, which the credits formula multiplies by
FIRST_LINE_ROW = 4

# Fixed columns before the measures; after the measures come the outcome columns.
FIXED = (
    ("reference", "Contract reference", 16),
    ("title", "Contract", 34),
    ("member", "Member", 28),
    ("framework", "Framework", 24),
    ("lot", "Lot", 18),
    ("spend", "Spend in year (£)", 14),
    ("target", "Target credits", 11),
)
TAIL = (
    ("credits", "Credits delivered (worked out)", 12),
    ("nothing_delivered_reason", "Nothing delivered this year: why", 30),
    ("shortfall_reason", "Below target: why", 30),
    ("recovery_plan", "Below target: recovery plan (or how you will make it good)", 36),
    ("recovery_by", "Recovery by (date)", 14),
)
# Context beside each row, after the tail: read only; the upload ignores it.
CONTEXT = (
    ("plan", "Delivery plan (read only)", 45),
    ("last_year", "Last year's figures (read only)", 45),
)
CONTEXT_KEYS = {key for key, _, _ in CONTEXT}
LOCKED_KEYS = {"reference", "title", "member", "framework", "lot", "spend", "target"}
TEXT_KEYS = ("nothing_delivered_reason", "shortfall_reason", "recovery_plan")

SIGNING_SALT = "returns.spreadsheets.identity"
CHUNK = 30_000  # a cell holds at most 32,767 characters


def sign_identity(payload: dict) -> list[str]:
    """The identity, signed and compressed, cut into cell-sized pieces."""
    token = signing.dumps(payload, salt=SIGNING_SALT, compress=True)
    return [token[i : i + CHUNK] for i in range(0, len(token), CHUNK)]


def read_identity(pieces: list[str]) -> dict:
    """Raises signing.BadSignature when the identity was altered or is missing."""
    return signing.loads("".join(pieces), salt=SIGNING_SALT)
