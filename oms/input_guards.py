"""Request-level guards: input no view can use is refused before any view sees it.

PostgreSQL can neither store nor compare text holding a NUL character, so every view that
looked such a value up (`?external_id=a%00b`, `/api/v1/products/a%00b/`, a search box) used to
fail with a 500. No resource is named with a NUL and no person types one: a NUL in the path is
a 404, in the query string or a form field a 400. A JSON body is checked by `oms.api.JSONParser`.

Both answers come from the project's error handlers (`oms.urls`), so the API answers in its
error envelope and the back office with its error pages.
"""

import logging

from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import Http404
from django.urls import get_resolver

from oms.validators import NUL_MESSAGE, escape_non_text

logger = logging.getLogger(__name__)

# Forms of the back office; the API reads JSON (and the channel webhooks their raw bodies).
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefusedInput(BadRequest):
    """A 400 whose message and fields the error handlers show."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def error_response(request, status_code: int, exception: Exception):
    """The project's own error page (or API envelope) for `status_code`."""
    return get_resolver().resolve_error_handler(status_code)(request, exception)


def _field_with_nul(data) -> str | None:
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return escape_non_text(name)
    return None


def _is_form(request) -> bool:
    return (
        request.method == "POST"
        and not request.path.startswith("/api/")
        and request.content_type in FORM_CONTENT_TYPES
    )


class RefuseNulMiddleware:
    """NUL in the path: 404. NUL in the query string or a back-office form: 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return error_response(request, 404, Http404("No page has a NUL in its address."))
        field = _field_with_nul(request.GET)
        if field is None and _is_form(request):
            field = _field_with_nul(request.POST)
        if field is not None:
            refusal = RefusedInput(
                f"“{field}” holds a NUL character, which cannot be stored; nothing was done.",
                fields={field: [NUL_MESSAGE]},
            )
            return error_response(request, 400, refusal)
        return self.get_response(request)


class DataErrorMiddleware:
    """The backstop behind validation: a value the database refuses (a number out of its
    column's range, an impossible date) is the client's 400, not our 500.

    Every door validates against the columns first (`oms.money`, `oms.numbers`,
    `oms.validators`); reaching this means a door missed a check, so it is logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DataError):
            return None
        logger.warning("Refused input the database could not store: %s", exception)
        refusal = RefusedInput(
            "A value is out of range or cannot be stored; the request was refused."
        )
        return error_response(request, 400, refusal)
