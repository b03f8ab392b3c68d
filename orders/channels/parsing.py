"""A marketplace body as the payload we keep: a JSON object PostgreSQL can store, or the reason
not. The body itself is kept whatever it is (as bytes, on the receipt); this decides whether it
can also be read.
"""

from oms.json_bodies import read_json
from oms.validators import without_nul

# Real order payloads nest fewer than ten levels; this leaves room and keeps every recursive
# walk over the payload far from Python's recursion limit.
MAX_DEPTH = 64


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "a string"


def parse_body(body: bytes) -> tuple[dict, str]:
    """(payload, "") for a body we can keep as JSON, else ({}, the reason in one sentence).

    NUL characters, which PostgreSQL refuses in text, become U+FFFD: the raw body keeps them.
    """
    payload, problem = read_json(body, max_depth=MAX_DEPTH)
    if problem:
        return {}, problem
    if not isinstance(payload, dict):
        return {}, f"The body is not a JSON object (it is {_kind(payload)})."
    return without_nul(payload), ""
