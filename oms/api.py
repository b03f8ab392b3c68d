"""API plumbing shared by every app: key authentication, the role permission, the error envelope.

Every error the API returns has one shape:
`{"error": {"code": "validation_error", "message": "…", "fields": {"lines.0.sku": ["…"]}}}`.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, parsers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.fields import get_error_detail
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from oms.errors import DomainError
from oms.models import ApiClient
from oms.roles import user_has_role
from oms.rows import select_related_models
from oms.validators import escape_non_text, text_problem

# The key's row, unless revoked (the alias t0 is the ApiClient: `oms.rows`).
KEY_LOOKUP = "t0.key_hash = %s AND t0.revoked_at IS NULL"
# Writing last_used_at on every request would make each API call a write; once a minute is enough.
LAST_USED_RESOLUTION_SECONDS = 60


class ServicePrincipal(AnonymousUser):
    """`request.user` for a key with no staff user (a channel's key): authenticated, no role.

    Views that serve such keys (order capture) recognise them through `request.auth`.
    """

    def __init__(self, client: ApiClient):
        self.client = client
        self.username = f"api:{client.name}"

    @property
    def is_authenticated(self) -> bool:
        return True

    def __str__(self) -> str:
        return self.username


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` → the key's user; `request.auth` is the ApiClient."""

    keyword = "Token"
    # What is read with the key in the same query; apps add theirs (`read_with_api_key`).
    related: tuple[str, ...] = ("user",)

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as `Authorization: Token <key>`."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from error
        # Every keyed request asks this; as a queryset, compiling it cost more than running it.
        found = select_related_models(
            ApiClient, self.related, KEY_LOOKUP, [ApiClient.hash_key(key)]
        )
        client = found[0] if found else None
        if client is None or (client.user is not None and not client.user.is_active):
            raise exceptions.AuthenticationFailed("The API key is not valid or was revoked.")
        now = timezone.now()
        if (
            client.last_used_at is None
            or (now - client.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client.user or ServicePrincipal(client), client

    def authenticate_header(self, request):
        return self.keyword


def read_with_api_key(*related: str) -> None:
    """Read these relations of `ApiClient` with every key (one query, not one more each): the
    orders app reads the channel a channel key belongs to. Called from an app's `ready()`."""
    ApiKeyAuthentication.related = tuple(dict.fromkeys((*ApiKeyAuthentication.related, *related)))


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "oms.api.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; keys come from `manage.py create_api_key`.",
        }


# The deepest body the API takes (a return's lines) is three levels; 32 leaves room, and keeps
# every later walk over the data (serializers, error paths, fingerprints) far from Python's
# recursion limit.
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with the body checked before any view sees it.

    Every endpoint takes a JSON object, so anything else (`[1]`, `"s"`, `null`) is refused;
    so is nesting deeper than MAX_JSON_DEPTH (Python's decoder gives up on `[[[[…` 5,000 deep
    with a RecursionError, which DRF let through as a 500), and a string or key that is not
    text (`oms.validators.text_problem`: NUL, which PostgreSQL cannot store, or a control
    character). Each refusal is a 400 `validation_error` naming the field.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            message = "JSON parse error - the body is nested too deeply."
            raise exceptions.ParseError(message) from error
        if not isinstance(data, dict):
            raise exceptions.ValidationError("The body must be a JSON object.")
        check_json_body(data)
        return data


def check_json_body(body: dict) -> None:
    """Raise a ValidationError naming the first field too deep or holding something not text.

    A walk with its own stack: recursion is what a hostile body is built to exhaust.
    """
    pending = [(body, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                f"The body is nested more than {MAX_JSON_DEPTH} levels deep."
            )
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        for key, item in items:
            name = f"{path}.{key}" if path else str(key)
            problem = text_problem(key) if isinstance(key, str) else None
            if problem is None and isinstance(item, str):
                problem = text_problem(item)
            if problem:
                raise exceptions.ValidationError({escape_non_text(name): [problem]})
            if isinstance(item, dict | list):
                pending.append((item, name, depth + 1))


class HasRole(BasePermission):
    """Allow a request when the user holds one of the view's roles.

    Views declare `allowed_roles`, and optionally `read_roles` for GET/HEAD/OPTIONS. A view that
    declares neither is for admins only, so forgetting to declare fails closed.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        roles = getattr(view, "allowed_roles", ())
        if request.method in SAFE_METHODS:
            roles = getattr(view, "read_roles", None) or roles
        return user_has_role(user, *roles)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"lines.0.sku": ["…"]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, value in enumerate(detail):
            if value:
                flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        flat[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


# DRF's own default codes, renamed where the contract names them differently.
ERROR_CODES = {
    "invalid": "validation_error",
    "parse_error": "validation_error",
}


def exception_handler(exc, context):
    """DRF exception handler: every error, ours or DRF's, in the envelope."""
    if isinstance(exc, DomainError):
        body = error_body(exc.code, exc.message, exc.fields)
        body["error"].update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(get_error_detail(exc))
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        general = fields.get("non_field_errors")
        message = general[0] if general else "The request has invalid fields."
        body = error_body("validation_error", message, fields)
    elif isinstance(exc, exceptions.ParseError):
        body = error_body("validation_error", str(exc.detail))
    else:
        code = exc.default_code
        body = error_body(ERROR_CODES.get(code, code), str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)


def json_error_response(
    code: str, message: str, status_code: int, fields: dict | None = None
) -> JsonResponse:
    """The envelope outside DRF (unknown API paths, refused requests, server errors)."""
    return JsonResponse(error_body(code, message, fields), status=status_code)


def api_bad_request(request, exception=None) -> JsonResponse:
    """A request refused before any view (`oms.input_guards`, an unreadable body)."""
    message = getattr(exception, "message", None) or "The request could not be read."
    fields = getattr(exception, "fields", None)
    return json_error_response("validation_error", message, status.HTTP_400_BAD_REQUEST, fields)


def api_not_found(request, exception=None) -> JsonResponse:
    return json_error_response("not_found", "No such API resource.", status.HTTP_404_NOT_FOUND)


def api_server_error(request) -> JsonResponse:
    return json_error_response(
        "server_error", "Something went wrong on our side.", status.HTTP_500_INTERNAL_SERVER_ERROR
    )


class JsonErrorsOnly(BaseContentNegotiation):
    """For endpoints that answer a file (a label PDF) whatever the client accepts: the first
    renderer always, so errors still come back as the JSON envelope."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
