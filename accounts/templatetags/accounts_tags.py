from django import template

from accounts.selectors import current_supplier, suppliers_for_user

register = template.Library()


@register.inclusion_tag("includes/supplier_switcher.html", takes_context=True)
def supplier_switcher(context) -> dict:
    """Which supplier a contact is working for, with a switch for a contact of
    several. Two queries."""
    request = context["request"]
    suppliers = list(suppliers_for_user(user=request.user).order_by("name"))
    current = current_supplier(request=request) if suppliers else None
    return {
        "suppliers": suppliers,
        "current": current,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
