"""allauth adapter: who may sign up (only by invitation)."""

from allauth.account.adapter import DefaultAccountAdapter


class PortalAccountAdapter(DefaultAccountAdapter):
    """People are invited or created by the team; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False
