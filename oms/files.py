"""Stored files handed to the browser."""

from django.http import FileResponse


def pdf_response(stored, *, filename: str) -> FileResponse | None:
    """The stored PDF (a FileField's value) to show in the browser, or None when there is none
    or its file is gone from storage: the caller answers its own kind of 404."""
    if not stored:
        return None
    try:
        handle = stored.open("rb")
    except OSError:
        return None
    return FileResponse(handle, content_type="application/pdf", filename=filename)
