"""Document numbers as people type or scan them (one copy, for every app).

Orders, shipments, pick lists and returns are numbered `<PREFIX>-<id, six digits or more>`
(SO-000042, RMA-000007). Staff type "42", "rma-7" or the full number; a scanner may send any
case. `numbered` turns each of those into the stored form, so a lookup is one index hit.
"""

from django.db import connection

from oms.rows import Pending


def numbered(text: str, prefix: str) -> str:
    """'42', 'sh-42' or 'SH-000042' → 'SH-000042'; anything else as typed (upper case)."""
    upper = text.strip().upper()
    digits = upper.removeprefix(f"{prefix}-")
    if digits.isascii() and digits.isdigit() and len(digits) <= 12:
        return f"{prefix}-{int(digits):06d}"
    return upper


def reserve_id(model) -> int | None:
    """The next id of `model`'s table, taken from its sequence, so the row can be inserted with
    its number already in it (one INSERT, no UPDATE of a unique column right after). None on
    SQLite, whose ids come only from the insert itself."""
    pending = reserve_ids_later((model, 1))
    return None if pending is None else pending.result()[0][0]


def reserve_ids_later(*wanted: tuple) -> Pending | None:
    """For each `(model, count)`, the next `count` ids of the model's table (ascending), taken
    from the sequences in one statement sent now (`oms.rows.Pending`); its result is a list
    of id lists in the same order. None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    taken = ", ".join(
        ["ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s))"]
        * len(wanted)
    )
    params = [
        value
        for model, count in wanted
        for value in (model._meta.db_table, model._meta.pk.column, count)
    ]
    return Pending(f"SELECT {taken}", params, lambda rows: [sorted(ids) for ids in rows[0]])
