"""Reading the rendered dashboard (and the queue it links to) in tests."""

import re
from html import unescape


def text_of(html: str) -> str:
    """Visible text, tags removed and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def element(html: str, attribute: str, tag: str = "div") -> str:
    """The first `<tag … attribute …>…</tag>` (no nesting of the same tag inside)."""
    found = re.search(rf"<{tag}[^>]*{re.escape(attribute)}[^>]*>.*?</{tag}>", html, re.S)
    assert found, f"no <{tag} {attribute}> on the page"
    return found[0]


def kpi(html: str, key: str) -> str:
    return text_of(element(html, f'data-kpi="{key}"'))


def href_in(fragment: str) -> str:
    return unescape(re.search(r'href="([^"]+)"', fragment)[1])


def listed_orders(html: str) -> set[str]:
    """The order numbers a queue page lists."""
    return set(re.findall(r'href="/orders/(SO-\d+)/"', html))
