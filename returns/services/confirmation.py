"""Decisions that need the team to confirm their consequence first (publishing with
unapproved returns, issuing early, approving with an open query, marking not
required a return with figures). The consequence comes from
`returns.selectors.guard_rails`; the service refuses until confirmed, and records
who confirmed what."""


class ConfirmationNeeded(Exception):
    """The decision has a consequence the team has not confirmed yet."""

    def __init__(self, consequence: str):
        super().__init__(consequence)
        self.consequence = consequence


def require_confirmation(consequence: str | None, *, confirmed: bool) -> str:
    """Raises ConfirmationNeeded unless there is nothing to confirm or it was
    confirmed; returns the text to record with the decision ("" when none)."""
    if consequence and not confirmed:
        raise ConfirmationNeeded(consequence)
    return f"Confirmed: {consequence}" if consequence else ""
