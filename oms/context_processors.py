from oms import navigation as nav_registry
from oms.roles import user_roles


def navigation(request) -> dict:
    """Navigation items, the header search and the roles of the signed-in user, for `base.html`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": [], "global_search": None}
    items = [
        {"item": item, "active": item.is_active(request)} for item in nav_registry.items_for(user)
    ]
    return {
        "nav_items": items,
        "user_roles": sorted(user_roles(user)),
        "global_search": nav_registry.search_for(user),
    }
