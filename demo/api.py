"""Demo step: the API and extracts (issue 24). The demo member's viewer has an API
token (its secret was shown once, to nobody: create another on /api-tokens/ to try
the API), and the team has turned on the demo member's monthly extract, with this
month's file written. Idempotent: a second run finds both and changes nothing."""

from __future__ import annotations

from accounts.models import User
from api.extracts import extracts_write
from api.models import ApiToken
from api.services import extract_set, token_create
from demo.consortium import DemoBuild

TOKEN_NAME = "Power BI board report (demo)"


def build_api(build: DemoBuild) -> None:
    viewer = User.objects.filter(email="member@example.org").first()
    team = User.objects.filter(email="team@example.org").first()
    if viewer is None or team is None:
        return
    link = viewer.member_viewers.filter(is_active=True).select_related("member").first()
    if link is None:
        return
    if not ApiToken.objects.filter(user=viewer, name=TOKEN_NAME).exists():
        token_create(
            user=viewer,
            scope=ApiToken.Scope.MEMBER,
            member=link.member,
            name=TOKEN_NAME,
            expires_in_days=365,
        )
        build.log("created the demo member's API token")
    extract_set(member=link.member, active=True, acting_user=team)
    if extracts_write(today=build.today):
        build.log(f"wrote {link.member.name}'s monthly extract")
