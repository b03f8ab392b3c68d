"""A signed body read as JSON we can keep, or the reason in one sentence.

Webhook doors (marketplaces, carriers) keep every signed body whatever it is, then read it.
Python's decoder takes things PostgreSQL's jsonb cannot hold (lone surrogates, `1e400` read as
infinity) or that would exhaust the stack in a later walk (deep nesting), so each is named here
instead of failing somewhere deeper with a 500.
"""

import json
import math


class Unreadable(ValueError):
    """The body is JSON, but not JSON we can keep."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Unreadable(f"The number {text[:40]} is too large for a JSON number.")
    return value


def _reject_constant(name: str):
    raise Unreadable(f"{name} is not a number JSON allows.")


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _problem_in(payload, max_depth: int) -> str:
    """Why the parsed payload cannot be stored ('' when it can); walked without recursion."""
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > max_depth:
            return f"The body is nested more than {max_depth} levels deep."
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not _storable(value):
            return "The body has a lone surrogate (such as \\ud800), which text cannot hold."
    return ""


def read_json(body: bytes, *, max_depth: int) -> tuple[object, str]:
    """(the parsed body, "") or (None, why it is not JSON we can keep as parsed)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, f"The body is not UTF-8 text (byte {error.start} is not)."
    try:
        payload = json.loads(text, parse_float=_finite_float, parse_constant=_reject_constant)
    except Unreadable as error:
        return None, str(error)
    except RecursionError:
        return None, f"The body is nested more than {max_depth} levels deep."
    except ValueError as error:
        return None, f"The body is not JSON ({error})."
    problem = _problem_in(payload, max_depth)
    return (None, problem) if problem else (payload, "")
