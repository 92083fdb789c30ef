"""Navigation for the page header, from who is signed in."""

from django.urls import reverse

from accounts.permissions import is_member_viewer, is_supplier_contact, is_team


def navigation(request) -> dict:
    """The service navigation for whoever is signed in; empty for the public."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "team_search": False}
    items: list[tuple[str, str]] = []
    if is_team(user):
        items.append(("Team desk", reverse("team:home")))
    if is_supplier_contact(user):
        items.append(("Your returns", reverse("supplier:home")))
        items.append(("Your contracts", reverse("supplier:contracts")))
    if is_member_viewer(user):
        items.append(("Your organisation", reverse("member:home")))
    if items:  # the team, contacts and viewers create their own API tokens
        items.append(("API tokens", reverse("api_pages:tokens")))
    if user.is_staff:
        items.append(("Administration", reverse("admin:index")))
    path = request.path
    team_home = reverse("team:home")
    # The longest matching URL is the active item ("/returns/contracts/" is
    # "Your contracts", not also "Your returns").
    matching = [url for _, url in items if path.startswith(url)]
    active = max(matching, key=len) if matching else None
    return {
        "nav_items": [
            {"label": label, "url": url, "active": url == active}
            for label, url in items
        ],
        # one search box on every team page (the search page has its own)
        "team_search": path.startswith(team_home)
        and path != reverse("team:search")
        and is_team(user),
    }
