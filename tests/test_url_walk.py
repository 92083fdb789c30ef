"""The URL walk: every URL the project defines, requested by every kind of visitor,
with ids of objects that belong to someone else.

Each URL name needs a row in EXPECTED saying what each role gets; a URL without a row
fails the test, so no page can be added without deciding who may see it.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Invitation
from api.models import ApiToken
from frameworks.models import ImportRun
from returns.models import AnnualReturn, IssueRun, LineFlag, MemberCheck
from support.models import SupportRequest
from tests import factories
from tests.sessions import signed_in

ROLES = (
    "anonymous",
    "supplier",  # a contact of supplier A, whose objects the URLs name
    "other_supplier",  # a contact of supplier B
    "member",  # a viewer of member A, whose contracts the URLs name
    "other_member",  # a viewer of member B
    "team",
    "administrator",
)

LOGIN = "login"  # redirected to the sign-in page
ADMIN_LOGIN = "admin-login"  # redirected to the sign-in page, from the admin
REDIRECT = "redirect"  # any other redirect
ANSWERS = "answers"  # anything below 500: the admin's own handling of missing ids


def row(anonymous, supplier, other_supplier, member, other_member, team, administrator):
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                supplier,
                other_supplier,
                member,
                other_member,
                team,
                administrator,
            ),
            strict=True,
        )
    )


PUBLIC = row(200, 200, 200, 200, 200, 200, 200)
SIGNED_IN_ONLY = row(LOGIN, 200, 200, 200, 200, 200, 200)
SIGNED_OUT_ONLY = row(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
NOT_FOUND = row(404, 404, 404, 404, 404, 404, 404)
TEAM_ONLY = row(LOGIN, 403, 403, 403, 403, 200, 200)
OWN_SUPPLIER_ONLY = row(LOGIN, 200, 404, 403, 403, 403, 403)
# The supplier's own pages, which the team also opens to act for the supplier.
OWN_SUPPLIER_OR_TEAM = row(LOGIN, 200, 404, 403, 403, 200, 200)
SUPPLIERS_ONLY = row(LOGIN, 200, 200, 403, 403, 403, 403)
MEMBERS_ONLY = row(LOGIN, 403, 403, 200, 200, 403, 403)
ADMINISTRATORS_ONLY = row(LOGIN, 403, 403, 403, 403, 403, 200)
TEAM_POST_ONLY = row(LOGIN, 403, 403, 403, 403, 405, 405)  # GET: method not allowed
# The API reads tokens only, never the session: a signed-in page visitor is anonymous
# to it. What each role's token gets is EXPECTED_API below.
NEEDS_TOKEN = row(*[401] * 7)

EXPECTED: dict[str, dict] = {
    "home": PUBLIC,
    "health": PUBLIC,
    "privacy": PUBLIC,
    "accessibility": PUBLIC,
    "dashboard": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # allauth
    "account_login": SIGNED_OUT_ONLY,
    "account_logout": row(REDIRECT, 200, 200, 200, 200, 200, 200),
    "account_inactive": PUBLIC,
    "account_email": NOT_FOUND,  # shadowed by portal.views.not_found
    "account_signup": row(
        200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    "account_reauthenticate": SIGNED_IN_ONLY,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": SIGNED_IN_ONLY,
    "account_set_password": row(
        LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # shows "bad token" for a made-up key
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_login_code": row(
        REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    "account_confirm_email": PUBLIC,
    "mfa_index": SIGNED_IN_ONLY,
    # invitations: the link is open to whoever holds it (a made-up one is "not
    # recognised"); signing out to accept goes back to the link
    "invitation_accept": PUBLIC,
    "invitation_sign_out": row(*[REDIRECT] * 7),
    "mfa_authenticate": row(
        REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    # The team and administrators have an authenticator (they must); others have none.
    "mfa_reauthenticate": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, 200, 200),
    "mfa_activate_totp": row(
        LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    "mfa_deactivate_totp": row(LOGIN, 404, 404, 404, 404, REDIRECT, REDIRECT),
    "mfa_view_recovery_codes": row(LOGIN, 404, 404, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": row(
        LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT
    ),
    "mfa_download_recovery_codes": row(LOGIN, 404, 404, 404, 404, 404, 404),
    # supplier
    "supplier:home": SUPPLIERS_ONLY,
    "supplier:contracts": SUPPLIERS_ONLY,
    # The team opens a supplier's return pages to act for the supplier.
    "supplier:return_detail": row(LOGIN, 200, 404, 403, 403, 200, 200),
    # read-only: return A is approved
    "supplier:line": row(LOGIN, 200, 404, 403, 403, 200, 200),
    # The line page's warnings as figures are typed: POST only (htmx), scoped first.
    "supplier:line_checks": row(LOGIN, 405, 404, 403, 403, 405, 405),
    # An approved return has nothing to check: back to its page.
    "supplier:check": row(LOGIN, REDIRECT, 404, 403, 403, REDIRECT, REDIRECT),
    "supplier:submitted": row(LOGIN, 200, 404, 403, 403, 200, 200),
    # The world's return was never submitted (no submission snapshot): the copy
    # sends you to the return; tests/returns/test_submitted_copy.py reads the PDF.
    "supplier:submitted_copy": row(LOGIN, REDIRECT, 404, 403, 403, REDIRECT, REDIRECT),
    "supplier:line_evidence": OWN_SUPPLIER_OR_TEAM,
    "supplier:evidence_download": OWN_SUPPLIER_OR_TEAM,
    "supplier:line_queries": OWN_SUPPLIER_OR_TEAM,
    "supplier:line_case_studies": OWN_SUPPLIER_OR_TEAM,
    "supplier:case_study_create": OWN_SUPPLIER_OR_TEAM,
    "supplier:case_study_edit": OWN_SUPPLIER_OR_TEAM,
    "supplier:switch": SUPPLIERS_ONLY,
    "supplier:colleagues": SUPPLIERS_ONLY,
    "supplier:colleague_invite": SUPPLIERS_ONLY,
    "supplier:colleague_remove": OWN_SUPPLIER_ONLY,
    # POST only: GET is refused after the role check (POSTs are scoped in
    # tests/accounts/test_colleagues.py)
    "supplier:colleague_primary": row(LOGIN, 405, 405, 403, 403, 403, 403),
    "supplier:colleague_invitation_withdraw": row(LOGIN, 405, 405, 403, 403, 403, 403),
    "supplier:spreadsheet_download": OWN_SUPPLIER_ONLY,
    "supplier:spreadsheet_upload": OWN_SUPPLIER_ONLY,
    "supplier:spreadsheet_confirm": row(LOGIN, 405, 405, 403, 403, 403, 403),
    # team
    "team:home": TEAM_ONLY,
    "team:history": TEAM_ONLY,
    "team:shortfall": TEAM_ONLY,
    "team:review_list": TEAM_ONLY,
    "team:review_reissue": TEAM_ONLY,
    "team:review_detail": TEAM_ONLY,
    "team:review_approve": row(LOGIN, 403, 403, 403, 403, 405, 405),  # POST only
    # The walk's return is approved: sending it back is refused with a redirect.
    "team:review_send_back": row(LOGIN, 403, 403, 403, 403, REDIRECT, REDIRECT),
    "team:review_reopen": row(LOGIN, 403, 403, 403, 403, 403, 200),
    "team:review_line_exclude": TEAM_ONLY,
    "team:review_line_include": TEAM_ONLY,
    "team:review_flag_check": TEAM_ONLY,
    "team:review_bulk_approve": TEAM_POST_ONLY,
    "team:shortfall_at_risk": TEAM_ONLY,
    "team:shortfall_ended_short": TEAM_ONLY,
    "team:line_attachments": TEAM_ONLY,
    "team:evidence_download": TEAM_ONLY,
    "team:evidence_erase": ADMINISTRATORS_ONLY,
    "team:emails_failed": TEAM_ONLY,
    "team:email_send_again": TEAM_POST_ONLY,
    "team:queries": TEAM_ONLY,
    "team:query_answer": TEAM_ONLY,
    "team:case_studies": TEAM_ONLY,
    "team:case_study_approve": TEAM_ONLY,
    "team:case_study_erase": ADMINISTRATORS_ONLY,
    "member:case_studies": MEMBERS_ONLY,
    "case_studies_public": PUBLIC,
    "team:imports": TEAM_ONLY,
    "team:import_detail": TEAM_ONLY,
    "team:import_confirm": row(LOGIN, 403, 403, 403, 403, 405, 405),  # POST only
    "team:import_template": TEAM_ONLY,
    "team:years": TEAM_ONLY,
    "team:year_open": TEAM_ONLY,
    "team:year_detail": TEAM_ONLY,
    "team:year_edit": TEAM_ONLY,
    "team:year_measures": TEAM_ONLY,
    "team:year_ready": TEAM_POST_ONLY,
    "team:year_run": TEAM_POST_ONLY,
    "team:issue_run": TEAM_ONLY,
    "team:people": TEAM_ONLY,
    "team:people_invite": TEAM_ONLY,
    "team:people_bulk": TEAM_ONLY,
    "team:invitation_resend": row(LOGIN, 403, 403, 403, 403, 405, 405),
    "team:invitation_withdraw": row(LOGIN, 403, 403, 403, 403, 405, 405),
    "team:completion": TEAM_ONLY,
    "team:chasing_list": TEAM_ONLY,
    "team:chase_history": TEAM_ONLY,
    "team:return_extend": TEAM_ONLY,
    "team:return_not_required": TEAM_ONLY,
    "team:spreadsheet_download": TEAM_ONLY,
    "team:spreadsheet_upload": TEAM_ONLY,
    "team:spreadsheet_confirm": row(LOGIN, 403, 403, 403, 403, 405, 405),
    "team:year_exports": TEAM_ONLY,
    "team:year_export_download": row(LOGIN, 403, 403, 403, 403, 404, 404),
    # the team's desk, search and records (issue 20)
    "team:search": TEAM_ONLY,
    "team:supplier": TEAM_ONLY,
    "team:contract": TEAM_ONLY,
    "team:contacts_never_signed_in": TEAM_ONLY,
    # member
    "member:home": MEMBERS_ONLY,
    "member:year": MEMBERS_ONLY,  # each viewer sees their own member's lines
    "member:export": MEMBERS_ONLY,
    "member:switch": row(LOGIN, 403, 403, 405, 405, 403, 403),  # POST only
    "member:case_study": row(LOGIN, 403, 403, 200, 404, 403, 403),
    # members (issue 22): a contract's page, only for a member it has been with
    "member:contract": row(LOGIN, 403, 403, 200, 404, 403, 403),
    "team:evidence_member_share": TEAM_POST_ONLY,
    "member:line_confirm": row(LOGIN, 403, 403, 405, 405, 403, 403),  # POST only
    "member:line_dispute": row(LOGIN, 403, 403, 200, 404, 403, 403),
    "team:member_disputes": TEAM_ONLY,
    "member:email_settings": MEMBERS_ONLY,
    "team:member_dispute_answer": TEAM_ONLY,
    # the impact report: the team's pages, and the public page once published
    "team:reports": TEAM_ONLY,
    "team:report": TEAM_ONLY,
    "team:report_export": TEAM_ONLY,
    "team:report_publish": row(LOGIN, 403, 403, 403, 403, 405, 405),  # POST only
    "impact:index": PUBLIC,
    "impact:report": NOT_FOUND,  # the walk's year is not published
    "impact:export": NOT_FOUND,
    # the API (issue 24): with a session only; with tokens, EXPECTED_API
    "api_docs": PUBLIC,
    "api:schema": PUBLIC,
    "api:years": NEEDS_TOKEN,
    "api:year_measures": NEEDS_TOKEN,
    "api:year_contract_figures": NEEDS_TOKEN,
    "api:year_completion": NEEDS_TOKEN,
    "api:contracts": NEEDS_TOKEN,
    "api:contract": NEEDS_TOKEN,
    "api:contract_figures": NEEDS_TOKEN,
    "api:returns": NEEDS_TOKEN,
    "api:impact_report": NOT_FOUND,  # the walk's year is not published
    "open_data:tables": NOT_FOUND,
    "open_data:ocds": NOT_FOUND,
    "open_data:table": NOT_FOUND,
    # a person's API tokens; revoking is POST only (scoped in tests/api/test_tokens.py)
    "api_pages:tokens": SIGNED_IN_ONLY,
    "api_pages:token_revoke": row(LOGIN, 405, 405, 405, 405, 405, 405),
    "api_pages:extracts": TEAM_ONLY,
    # help (support app): public pages; a supplier's requests on its own returns
    # (the team answers them on its own pages); the team's list and decisions
    "help:index": PUBLIC,
    "help:guidance": PUBLIC,
    "help:how_to": PUBLIC,
    "support:requests": OWN_SUPPLIER_ONLY,
    "support:ask": OWN_SUPPLIER_ONLY,
    "support:ask_line": OWN_SUPPLIER_ONLY,
    "support:extension": OWN_SUPPLIER_ONLY,
    "support:reopen": OWN_SUPPLIER_ONLY,
    "support:missing_contract": OWN_SUPPLIER_ONLY,
    "support:request": OWN_SUPPLIER_ONLY,
    "support_team:list": TEAM_ONLY,
    "support_team:detail": TEAM_ONLY,
}

# The API with each role's token (anonymous: none): supplier A's and member A's
# tokens, the other supplier's and member's, the team's and an administrator's
# (team tokens). The URLs name supplier A's contract on member A's line.
EXPECTED_API: dict[str, dict] = {
    "api_docs": PUBLIC,
    "api:schema": PUBLIC,
    "api:years": row(401, 200, 200, 200, 200, 200, 200),
    "api:year_measures": row(401, 200, 200, 200, 200, 200, 200),
    # each token lists what it sees (another organisation's list is its own)
    "api:year_contract_figures": row(401, 200, 200, 200, 200, 200, 200),
    "api:year_completion": row(401, 403, 403, 403, 403, 200, 200),
    "api:contracts": row(401, 200, 200, 200, 200, 200, 200),
    "api:contract": row(401, 200, 404, 200, 404, 200, 200),
    "api:contract_figures": row(401, 200, 404, 200, 404, 200, 200),
    "api:returns": row(401, 200, 200, 403, 403, 200, 200),
    "api:impact_report": NOT_FOUND,  # unpublished: 404 with or without a token
}

# The Django admin: staff only. Its pages send everyone else to the admin's sign-in,
# which allauth guards: the anonymous are sent to allauth's sign-in, others refused.
ADMIN_RULE = row(*[ADMIN_LOGIN] * 6, ANSWERS)
EXPECTED_ADMIN = {
    "admin:login": row(LOGIN, 403, 403, 403, 403, 403, REDIRECT),
    "admin:logout": row(*[REDIRECT] * 6, ANSWERS),  # GET only goes back to /admin/
}

# Values for URL arguments: ids of objects that belong to supplier A / member A.
KWARG_VALUES = {
    "reference": lambda w: w["return_a"].reference,
    "slug": lambda w: w["return_a"].year.slug,
    "key": lambda w: "made-up-key",
    "token": lambda w: "made-up-token",
    "contact_id": lambda w: w["contact_a"].pk,
    "invitation_id": lambda w: w["invitation_a"].pk,
    "kind": lambda w: "line",
    "run_id": lambda w: w["issue_run"].pk,
    "pk": lambda w: w["line_a"].pk,
    "line_id": lambda w: w["line_a"].pk,
    "request_id": lambda w: w["support_request_a"].pk,
    "uidb36": lambda w: "1",
    "object_id": lambda w: "1",
    "id": lambda w: "1",
    "app_label": lambda w: "returns",
    "content_type_id": lambda w: "1",
    "evidence_id": lambda w: w["evidence_a"].pk,
    "case_study_id": lambda w: w["case_study_a"].pk,
    "query_id": lambda w: w["query_a"].pk,
    "import_id": lambda w: w["import_run"].pk,
    "import_kind": lambda w: "valuations",
    "year_slug": lambda w: w["return_a"].year.slug,
    "supplier_id": lambda w: w["return_a"].supplier_id,
    "contract_id": lambda w: w["line_a"].contract_id,
    "dispute_id": lambda w: w["dispute_a"].pk,
    "flag_id": lambda w: w["flag_a"].pk,
    "token_id": lambda w: w["token_a"].pk,
    "table": lambda w: "by-member",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    kwargs: tuple[str, ...]
    positional: int


def _walk(resolver, namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, ns)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def project_routes() -> list[Route]:
    routes = {}
    for namespace, pattern in _walk(get_resolver()):
        if pattern.name is None:
            continue  # unnamed: only portal.views.not_found, covered by its own test
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        regex = pattern.pattern.regex
        kwargs = tuple(regex.groupindex)
        routes.setdefault(
            name, Route(name, pattern, kwargs, regex.groups - len(kwargs))
        )
    return sorted(routes.values(), key=lambda r: r.name)


def expectation_for(name: str) -> dict | None:
    if name.startswith("admin:"):
        return EXPECTED_ADMIN.get(name, ADMIN_RULE)
    return EXPECTED.get(name)


@pytest.fixture
def world(db):
    """Two suppliers, two members, and a return of supplier A on member A's contract."""
    supplier_a = factories.SupplierFactory(name="Supplier A")
    supplier_b = factories.SupplierFactory(name="Supplier B")
    member_a = factories.MemberFactory(name="Member A")
    member_b = factories.MemberFactory(name="Member B")
    line = factories.ReturnLineFactory(
        annual_return__supplier=supplier_a,
        annual_return__status=AnnualReturn.Status.APPROVED,
        contract__member=member_a,
    )
    factories.ReturnLineFactory(
        annual_return__supplier=supplier_b, contract__member=member_b
    )
    return {
        "users": {
            "anonymous": None,
            "supplier": factories.SupplierContactFactory(supplier=supplier_a).user,
            "other_supplier": factories.SupplierContactFactory(
                supplier=supplier_b
            ).user,
            "member": factories.MemberViewerFactory(member=member_a).user,
            "other_member": factories.MemberViewerFactory(member=member_b).user,
            "team": factories.TeamUserFactory(),
            "administrator": factories.AdministratorFactory(),
        },
        "return_a": line.annual_return,
        "contact_a": factories.SupplierContactFactory(supplier=supplier_a),
        "invitation_a": Invitation.objects.create(
            email="invited@example.com", supplier=supplier_a
        ),
        "line_a": line,
        "evidence_a": factories.EvidenceFactory(line=line),
        # Shared with member A, so member A may open it on the member pages.
        "case_study_a": factories.CaseStudyFactory(line=line, share_with_member=True),
        "query_a": factories.LineQueryFactory(line=line),
        "flag_a": LineFlag.objects.create(
            line=line,
            code=LineFlag.Code.SAME_FILE,
            message="The file is also attached to contract C-2.",
        ),
        "dispute_a": MemberCheck.objects.create(
            line=line,
            member=member_a,
            kind=MemberCheck.Kind.DISPUTED,
            reason="Two of the jobs were on another contract",
            raised_by=factories.UserFactory(),
        ),
        "support_request_a": SupportRequest.objects.create(
            kind=SupportRequest.Kind.HELP,
            annual_return=line.annual_return,
            line=line,
            raised_by=factories.SupplierContactFactory(supplier=supplier_a).user,
            message="How do I count apprentices?",
        ),
        "import_run": ImportRun.objects.create(file_name="members.xlsx"),
        "issue_run": IssueRun.objects.create(year=line.annual_return.year),
        "token_a": ApiToken.objects.create(
            user=factories.SupplierContactFactory(supplier=supplier_a).user,
            scope=ApiToken.Scope.SUPPLIER,
            supplier=supplier_a,
            name="walk",
            prefix="svr_walk",
            token_hash="0" * 64,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        ),
    }


def _token_secrets(world) -> dict[str, str | None]:
    """A token of each role's person, for their organisation in the walk."""
    from api.services import token_create

    users = world["users"]
    supplier_a = world["return_a"].supplier
    member_a = world["line_a"].contract.member
    member_b = users["other_member"].member_viewers.get().member
    supplier_b = users["other_supplier"].supplier_contacts.get().supplier
    scopes = {
        "supplier": {"scope": "supplier", "supplier": supplier_a},
        "other_supplier": {"scope": "supplier", "supplier": supplier_b},
        "member": {"scope": "member", "member": member_a},
        "other_member": {"scope": "member", "member": member_b},
        "team": {"scope": "team"},
        "administrator": {"scope": "team"},
    }
    secrets = {"anonymous": None}
    for role, scope in scopes.items():
        _, secrets[role] = token_create(
            user=users[role], name=role, expires_in_days=30, **scope
        )
    return secrets


def _api_routes() -> list["Route"]:
    return [r for r in project_routes() if r.name in EXPECTED_API]


def _url_for(route: Route, world) -> str:
    missing = [k for k in route.kwargs if k not in KWARG_VALUES]
    assert not missing, f"{route.name}: add a value for {missing} to KWARG_VALUES"
    if route.positional:  # simple_history's admin pages: (object id, history id)
        return reverse(route.name, args=["1"] * route.positional)
    return reverse(route.name, kwargs={k: KWARG_VALUES[k](world) for k in route.kwargs})


def _check(expected, response, url) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    login_path = reverse("account_login")
    if expected in (LOGIN, ADMIN_LOGIN):
        path = login_path if expected == LOGIN else reverse("admin:login")
        if status == 302 and urlsplit(location).path == path:
            return None
        return f"expected a redirect to {path}, got {status} {location}"
    if expected == REDIRECT:
        return None if status in (301, 302) else f"expected a redirect, got {status}"
    if expected == ANSWERS:
        return None if status < 500 else f"expected an answer, got {status}"
    if status != expected:
        return f"expected {expected}, got {status} {location}"
    return None


def test_every_url_has_a_row_in_the_table():
    missing = [r.name for r in project_routes() if expectation_for(r.name) is None]
    assert not missing, f"URLs with no row in EXPECTED: {missing}"


def test_the_table_names_no_url_that_does_not_exist():
    names = {r.name for r in project_routes()}
    assert not set(EXPECTED) - names


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_table_says(world):
    failures = []
    clients = {}
    for role, user in world["users"].items():
        client = Client()
        if user is not None:
            signed_in(client, user)
        clients[role] = client
    routes = project_routes()
    for route in routes:
        expected_by_role = expectation_for(route.name)
        url = _url_for(route, world)
        for role in ROLES:
            response = clients[role].get(url)
            problem = _check(expected_by_role[role], response, url)
            if problem:
                failures.append(f"{route.name} {url} as {role}: {problem}")
    assert not failures, "\n".join(failures)
    assert len(routes) > 30


# A walk makes more requests a minute with one token than the rate limit allows.
@override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000)
@pytest.mark.django_db
def test_every_api_endpoint_answers_each_roles_token_as_the_table_says(world):
    """Every endpoint x every role's token x another organisation's ids."""
    secrets = _token_secrets(world)
    failures = []
    routes = _api_routes()
    assert {r.name for r in routes} == set(EXPECTED_API)
    for route in routes:
        url = _url_for(route, world)
        for role in ROLES:
            headers = {}
            if secrets[role]:
                headers["Authorization"] = f"Bearer {secrets[role]}"
            response = Client().get(url, headers=headers)
            problem = _check(EXPECTED_API[route.name][role], response, url)
            if problem:
                failures.append(f"{route.name} {url} with {role}'s token: {problem}")
    assert not failures, "\n".join(failures)


@override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000)
@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["9" * 40, "-1", "\x00", "x" * 10_000, "1' OR '1'='1'; --"]
)
def test_no_hostile_value_gives_the_api_a_server_error_with_any_token(world, value):
    secrets = _token_secrets(world)
    failures = []
    for route in _api_routes():
        for url in _hostile_urls(route, world, value):
            for role in ROLES:
                headers = {}
                if secrets[role]:
                    headers["Authorization"] = f"Bearer {secrets[role]}"
                client = Client(raise_request_exception=False)
                status = client.get(url, headers=headers).status_code
                if status >= 500:
                    failures.append(
                        f"{route.name} with {role}'s token: {status} {url[:200]}"
                    )
    assert not failures, "\n".join(failures[:50])


@pytest.mark.django_db
def test_email_management_is_not_offered(supplier_client):
    assert supplier_client.get("/accounts/email/").status_code == 404


# ---------------------------------------------------------------------------------
# Hostile values (issue 18). Every URL as every role, with each hostile value in
# every query parameter a page reads, and in every argument of the URL itself: an
# over-long integer (past 64 bits), a negative, a NUL, 10,000 characters and a
# SQL-ish string. Nothing may answer 500, on SQLite or PostgreSQL: each page reads
# its query string through one parsing layer (a form in `core.querystring`), the
# URLs' ids through the `id` converter, and the admin through `portal.admin`.

HOSTILE_VALUES = {
    "huge_integer": "9" * 40,
    "negative": "-1",
    "nul": "\x00",
    "ten_thousand_characters": "x" * 10_000,
    "sql_ish": "1' OR '1'='1'; --",
}

# Every query parameter a page of the portal reads, and the admin's own (search,
# page, order, and lookups of its list filters).
QUERY_PARAMETERS = (
    "page",
    "q",
    "year",
    "supplier",
    "member",
    "framework",
    "period",
    "by",
    "sort",
    "short",
    "format",
    "status",
    "overdue",
    "show",
    "next",
    "reissue",
    "p",
    "o",
    "status__exact",
    "kind__exact",
    "is_active__exact",
    "year__id__exact",
    "cursor",
    "page_size",
)


def _hostile_urls(route: Route, world, value: str) -> list[str]:
    """The route with its ordinary arguments and every query parameter set to
    `value`, then with each URL argument in turn set to `value` (where the URL
    pattern accepts it at all)."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch

    query = urlencode({name: value for name in QUERY_PARAMETERS})
    urls = [f"{_url_for(route, world)}?{query}"]
    if route.positional:
        return urls
    for name in route.kwargs:
        kwargs = {k: KWARG_VALUES[k](world) for k in route.kwargs}
        kwargs[name] = value
        try:
            urls.append(reverse(route.name, kwargs=kwargs))
        except NoReverseMatch:
            continue  # the pattern refuses the value: Django answers 404 itself
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_no_hostile_value_in_a_url_or_its_query_string_gives_a_server_error(
    world, value
):
    clients = {}
    for role, user in world["users"].items():
        client = Client(raise_request_exception=False)
        if user is not None:
            signed_in(client, user)
        clients[role] = client
    failures = []
    for route in project_routes():
        for url in _hostile_urls(route, world, value):
            for role in ROLES:
                status = clients[role].get(url).status_code
                if status >= 500:
                    failures.append(f"{route.name} as {role}: {status} {url[:200]}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:200])
