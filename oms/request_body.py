"""A request's raw body under a limit of its own.

`DATA_UPLOAD_MAX_MEMORY_SIZE` (Django's 2.5 MB) stays the limit of every form and API body; a
door that must take more (a marketplace's 1,000-line order) reads its body with `read_body`
and its own limit, and anything larger is refused in the API's error envelope (413).
"""

from oms.errors import DomainError


class BodyTooLarge(DomainError):
    """The request body is larger than this endpoint takes."""

    code = "payload_too_large"
    status_code = 413


def read_body(request, *, limit: int) -> bytes:
    """The raw bytes of `request` (a Django HttpRequest), at most `limit` of them.

    The declared length is checked before anything is read; a body that runs past it anyway
    is refused once `limit` + 1 bytes have arrived, so no more than that is ever held.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge(
            f"The body is {declared:,} bytes; this endpoint takes at most {limit:,} bytes."
        )
    body = request.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge(f"The body is over {limit:,} bytes, the most this endpoint takes.")
    return body
