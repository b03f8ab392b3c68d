"""Document numbers as people type or scan them (one copy, for every app).

Orders, shipments, pick lists and returns are numbered `<PREFIX>-<id, six digits or more>`
(SO-000042, RMA-000007). Staff type "42", "rma-7" or the full number; a scanner may send any
case. `numbered` turns each of those into the stored form, so a lookup is one index hit.
"""


def numbered(text: str, prefix: str) -> str:
    """'42', 'sh-42' or 'SH-000042' → 'SH-000042'; anything else as typed (upper case)."""
    upper = text.strip().upper()
    digits = upper.removeprefix(f"{prefix}-")
    if digits.isascii() and digits.isdigit() and len(digits) <= 12:
        return f"{prefix}-{int(digits):06d}"
    return upper
