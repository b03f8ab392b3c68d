"""The back-office navigation: each app registers its screens with the roles that may use them.

Registration happens in each app's `AppConfig.ready`, so the platform never imports the apps
above it; the `navigation` context processor shows each person only what their roles allow.
A screen may bring a live figure for the home page (`WorkCount`: how much of its work waits),
counted by a callable its app registers, so the home page shows numbers without importing
the apps that own them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from oms.roles import STAFF_ROLES, Role, user_has_role


@dataclass(frozen=True)
class WorkCount:
    """How much of a screen's work waits, for its home-page card: one small count query."""

    count: Callable[[], int]
    one: str  # "order needs attention"
    many: str  # "orders need attention"
    # Where the figure's orders are listed: the query added to the link, and another screen
    # when it is not the item's own.
    query: str = ""
    url_name: str = ""


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    roles: tuple[Role, ...]
    description: str = ""
    order: int = 100
    # URL names (or namespace prefixes ending in ":") under which this item shows as current.
    active_for: tuple[str, ...] = ()
    work: WorkCount | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def is_active(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return False
        names = (self.url_name, *self.active_for)
        for name in names:
            if name.endswith(":") and match.view_name.startswith(name):
                return True
            if match.view_name == name:
                return True
        return False


_REGISTRY: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _REGISTRY[item.key] = item


def items_for(user) -> list[NavItem]:
    """Navigation items the user may use, in display order."""
    visible = [item for item in _REGISTRY.values() if user_has_role(user, *item.roles)]
    return sorted(visible, key=lambda item: (item.order, item.label))


@dataclass(frozen=True)
class WorkCard:
    """A home-page card: a screen, and its live figure when it has one."""

    item: NavItem
    count: int | None = None
    count_label: str = ""
    count_url: str = ""


def work_cards(user) -> list[WorkCard]:
    """The screens the user may use (but home) with their figures: one count query per card
    that has a figure, whatever the data."""
    cards = []
    for item in items_for(user):
        if item.key == "home":
            continue
        work = item.work
        if work is None:
            cards.append(WorkCard(item=item))
            continue
        count = work.count()
        url = reverse(work.url_name) if work.url_name else item.url
        cards.append(
            WorkCard(
                item=item,
                count=count,
                count_label=work.one if count == 1 else work.many,
                count_url=f"{url}?{work.query}" if work.query else url,
            )
        )
    return cards


def register_platform_items() -> None:
    register(
        NavItem(
            key="home",
            label="Home",
            url_name="home",
            roles=STAFF_ROLES,
            order=0,
        ),
        NavItem(
            key="system_status",
            label="System status",
            url_name="system_status",
            roles=(Role.MANAGER,),
            description="Database, broker and worker health; when each worker last checked in.",
            order=900,
        ),
        NavItem(
            key="api_keys",
            label="API keys",
            url_name="api_keys",
            roles=(Role.ADMIN,),
            description="Issue and revoke keys for integrations acting as a staff user.",
            order=910,
        ),
        NavItem(
            key="webhooks",
            label="Webhooks",
            url_name="webhooks",
            roles=(Role.MANAGER,),
            description="Send order, shipment and stock events to other systems; see every "
            "delivery attempt and retry the ones that failed.",
            order=915,
            active_for=("webhook_detail",),
        ),
        NavItem(
            key="api_docs",
            label="API docs",
            url_name="api_docs",
            roles=(Role.MANAGER,),
            description="The REST API reference (OpenAPI) for integrations.",
            order=920,
        ),
    )


@dataclass(frozen=True)
class GlobalSearch:
    url_name: str
    roles: tuple[Role, ...]
    placeholder: str


_SEARCH: list[GlobalSearch] = []


def register_search(search: GlobalSearch) -> None:
    """The header's search box sends its query (`q`) to this view (the orders app registers it)."""
    _SEARCH[:] = [search]


def search_for(user) -> GlobalSearch | None:
    for search in _SEARCH:
        if user_has_role(user, *search.roles):
            return search
    return None
