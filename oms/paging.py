"""Keyset pages for back-office lists, and the links between them (one copy, for every app).

A page is "the next N rows after this key in this order", so page 2 000 of 100 000 costs what
page 1 costs and nothing counts the whole table. `keyset_page` reads one page in one query;
`page_links` makes the next / previous / first URLs that keep the request's filters;
`templates/components/pager.html` shows them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import QueryDict


@dataclass(frozen=True)
class KeysetPage:
    items: list
    # The order-field values of the last / first row, when there is a page after / before.
    next_key: tuple | None
    previous_key: tuple | None

    @property
    def is_first(self) -> bool:
        return self.previous_key is None


def _beyond(fields: Sequence[tuple[str, bool]], key: Sequence, *, forward: bool) -> Q:
    """Rows strictly after `key` (forward) or before it, in the lexicographic order of `fields`."""
    conditions = []
    for index, (name, descending) in enumerate(fields):
        lookup = "lt" if descending == forward else "gt"
        equal = {earlier: key[position] for position, (earlier, _) in enumerate(fields[:index])}
        conditions.append(Q(**equal, **{f"{name}__{lookup}": key[index]}))
    return reduce(or_, conditions)


def keyset_page(
    queryset: QuerySet,
    *,
    order: Sequence[str],
    size: int,
    after: Sequence | None = None,
    before: Sequence | None = None,
) -> KeysetPage:
    """One page of `queryset` in `order` (unique overall), after or before a key. One query.

    `order` names fields or annotations, "-" for descending; the last one must make it unique.
    """
    fields = [(name.lstrip("-"), name.startswith("-")) for name in order]

    def key_of(item) -> tuple:
        return tuple(getattr(item, name) for name, _ in fields)

    if before is not None:
        reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in order]
        rows = list(
            queryset.filter(_beyond(fields, before, forward=False)).order_by(*reverse)[: size + 1]
        )
        has_previous, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
    else:
        if after is not None:
            queryset = queryset.filter(_beyond(fields, after, forward=True))
        rows = list(queryset.order_by(*order)[: size + 1])
        has_previous, has_next = after is not None, len(rows) > size
        rows = rows[:size]
    return KeysetPage(
        items=rows,
        next_key=key_of(rows[-1]) if has_next and rows else None,
        previous_key=key_of(rows[0]) if has_previous and rows else None,
    )


def cursor_param(request, name: str) -> str | None:
    value = request.GET.get(name, "").strip()
    return value or None


def page_links(request, page, cursor: Callable[[tuple], str]) -> dict:
    """URLs for the next, previous and first page, keeping the filters of this request."""
    params: QueryDict = request.GET.copy()
    for name in ("after", "before"):
        params.pop(name, None)

    def link(**cursors) -> str:
        query = params.copy()
        for name, value in cursors.items():
            query[name] = value
        return f"?{query.urlencode()}"

    # Back at the start by walking backwards, "first page" would only repeat this page; past
    # the end (a stale link), it is the way back.
    paged = "after" in request.GET or "before" in request.GET
    return {
        "next_url": link(after=cursor(page.next_key)) if page.next_key else "",
        "previous_url": link(before=cursor(page.previous_key)) if page.previous_key else "",
        "first_url": link() if paged and (page.previous_key or not page.items) else "",
        "query_string": params.urlencode(),
    }


def datetime_cursor(key: tuple) -> str:
    """`<id>:<when>` of the row a page starts or ends at, for lists ordered by (a time, id)."""
    when, pk = key
    return f"{pk}:{when.isoformat()}"


def parse_datetime_cursor(text: str | None) -> tuple | None:
    """(when, id) from `datetime_cursor`, or None when the text is not one."""
    pk, separator, raw = (text or "").partition(":")
    if not separator or not (pk.isascii() and pk.isdigit()):
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)), int(pk)
