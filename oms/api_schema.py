"""What `/api/schema/` says about every operation, in one place: the error envelope, the status
codes that answer with it, and the input constraints drf-spectacular cannot see by itself.

Clients generate code from the schema and schemathesis checks every response against it
(`tests/oms/test_api_fuzz.py`), so an operation declares each status it can really answer:
`responses={201: OrderSerializer, **error_responses(400, 401, 403, 409, 422)}`. Input rules
live once, in `oms.validators`; `AutoSchema` writes them into the schema as patterns and enums.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from oms import validators
from oms.currencies import ISO_4217_CURRENCIES

# The error codes each status usually carries; an operation names its own with `codes=`.
ERROR_CODES = {
    400: "validation_error: a field, parameter, header or the JSON itself is invalid "
    "(`fields` names each, e.g. `lines.0.sku`)",
    401: "not_authenticated, authentication_failed: no key, or a key that is not valid",
    403: "permission_denied: the key's role does not allow this",
    404: "not_found",
    409: "invalid_transition, request_in_progress",
    413: "payload_too_large",
    422: "idempotency_key_reused: the same Idempotency-Key came with another body",
}
# `oms.input_guards` answers any API request 400 when its query string holds a NUL (and when
# the database refuses a value a door failed to check), whatever the operation.
ANY_REQUEST_400 = (
    "validation_error: a query parameter holds a NUL character, or a value cannot be stored"
)
# A cursor-paginated list answers 404 to a `cursor` it did not hand out (DRF's CursorPagination).
INVALID_CURSOR = {404: "not_found: the cursor is not one this list handed out"}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable and stable: `insufficient_stock`.")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field path (`lines.0.sku`); empty when no field is at fault.",
    )


class ErrorSerializer(serializers.Serializer):
    """The envelope of every API error (a few codes add details beside `code`)."""

    error = ErrorDetailSerializer()


def error_responses(*statuses: int, codes: dict[int, str] | None = None) -> dict:
    """`responses=` entries for these statuses, each answered with the error envelope.

    `codes` replaces the usual description of a status with the error codes this operation
    answers it with (`{409: "duplicate_order, insufficient_stock, request_in_progress"}`).
    """
    described = {**ERROR_CODES, **(codes or {})}
    return {
        status: OpenApiResponse(ErrorSerializer, description=described[status])
        for status in statuses
    }


# What each of our validator functions accepts, in JSON Schema terms (drf-spectacular reads
# Django's RegexValidator, not a function). Codes and references are matched after DRF strips
# surrounding spaces; currency codes are accepted in either case and stored upper-case.
VALIDATOR_SCHEMAS = (
    (validators.validate_code, {"pattern": f"^{validators.CODE.pattern}$"}),
    (validators.validate_reference, {"pattern": f"^{validators.REFERENCE.pattern}$"}),
    (validators.validate_country_code, {"pattern": "^[A-Za-z]{2}$"}),
    (validators.validate_currency_code, {"enum": sorted(ISO_4217_CURRENCIES)}),
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS), which also knows
    the rules of `oms.validators`, the exact form of a decimal string, the length limits of a
    nested `many=True` serializer (`allow_empty=False` is `minItems: 1`), and that every
    operation may answer 400 (`ANY_REQUEST_400`)."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if schema.get("type") != "string":
            return
        for validator in field.validators:
            for rule, rule_schema in VALIDATOR_SCHEMAS:
                if validator is rule:
                    schema.update(rule_schema)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if "400" not in responses:
            envelope = OpenApiResponse(ErrorSerializer, description=ANY_REQUEST_400)
            responses["400"] = self._get_response_for_code(envelope, "400", direction=direction)
        return dict(sorted(responses.items()))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if not schema:
            return schema
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field, direction)
        if isinstance(field, serializers.ListSerializer) and direction == "request":
            min_items = field.min_length or (0 if field.allow_empty else 1)
            if min_items:
                schema["minItems"] = min_items
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema


def decimal_pattern(field: serializers.DecimalField, direction: str) -> str:
    """A digit before the point and one after it when there is a point (drf-spectacular's
    pattern lets "", "-" and "." through, which DRF refuses), and no minus sign in a request
    when the field refuses negative amounts."""
    negative = direction != "request" or field.min_value is None or field.min_value < 0
    sign = "-?" if negative else ""
    whole = rf"\d{{1,{field.max_whole_digits}}}" if field.max_whole_digits else "0"
    fraction = rf"(?:\.\d{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    return f"^{sign}{whole}{fraction}$"
