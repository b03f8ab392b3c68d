"""Bulk actions the apps above orders add to the order queues (shipping's "Pick list" now).

Orders may not import those apps, so each registers its action in its `AppConfig.ready`: a
label, the URL of its own view, the roles that may use it and the queues it belongs on. The
queue's bulk bar renders each one as a submit button of the bulk form whose `formaction` is that
URL: the ticked orders (`orders=SO-…`) and the queue's filters (`query`) are posted straight to
the other app's view, which answers with its own page. When the person chose every order
matching the filters (`scope=matching`), that view finds them with
`orders.forms.matching_order_numbers(query)`.
"""

from dataclasses import dataclass

from django.urls import reverse

from oms.roles import Role, user_has_role


@dataclass(frozen=True)
class QueueAction:
    key: str
    label: str
    url_name: str
    roles: tuple[Role, ...]
    # The queues (`orders.selectors.QUEUES` keys) whose bulk bar shows it; empty: every queue.
    queues: tuple[str, ...] = ()
    # What the action does, for the button's tooltip.
    description: str = ""
    # Lower comes first in the bar.
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_REGISTRY: dict[str, QueueAction] = {}


def register(action: QueueAction) -> None:
    """Add (or replace, by key) a bulk action."""
    _REGISTRY[action.key] = action


def actions_for(user, queue: str) -> list[QueueAction]:
    """The registered actions this person may use on this queue, in bar order."""
    shown = [
        action
        for action in _REGISTRY.values()
        if (not action.queues or queue in action.queues) and user_has_role(user, *action.roles)
    ]
    return sorted(shown, key=lambda action: (action.order, action.key))
