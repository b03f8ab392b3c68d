"""Sections the apps above orders add to the customer page (payments' refunds, returns' returns).

Orders may not import those apps, so each registers its section in its `AppConfig.ready`: a
template, and a callable that gives the template its data for one customer. The customer page
(`orders.views.customers`) asks every registered section for its data and includes each one's
template, which reads its data as `section.data` (and the customer as `customer`).

Each section must read a fixed number of rows, whatever the customer has: the customer page's
query count is tested to stay the same with one order or many.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from orders.models import Customer

SectionContext = Callable[[HttpRequest, Customer], dict[str, Any]]


@dataclass(frozen=True)
class CustomerSection:
    key: str
    template: str
    # (request, customer) → the data its template reads.
    context: SectionContext
    # Lower comes first on the page (after the customer's orders).
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    """One section as the page template includes it: `{% include section.template %}`."""

    key: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, CustomerSection] = {}


def register(section: CustomerSection) -> None:
    """Add (or replace, by key) a section of the customer page."""
    _REGISTRY[section.key] = section


def registered() -> list[CustomerSection]:
    return sorted(_REGISTRY.values(), key=lambda section: (section.order, section.key))


def sections_for(request, customer: Customer) -> list[RenderedSection]:
    """Every registered section with its data for this customer, in page order."""
    return [
        RenderedSection(
            key=section.key, template=section.template, data=section.context(request, customer)
        )
        for section in registered()
    ]
