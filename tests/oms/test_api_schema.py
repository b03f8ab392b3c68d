"""`/api/schema/` describes what the API answers: envelopes, error statuses, input constraints.

The fuzz test (`test_api_fuzz.py`) proves responses match the schema; these tests pin the
parts of the schema clients rely on, whatever the fuzzer happens to generate.
"""

import pytest
from rest_framework.test import APIClient

ERROR_REF = "#/components/schemas/Error"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def json_schema(response: dict) -> dict:
    return response["content"]["application/json"]["schema"]


def test_order_list_is_the_cursor_page_it_answers(schema):
    operation = schema["paths"]["/api/v1/orders/"]["get"]
    page = component(schema, json_schema(operation["responses"]["200"])["$ref"])
    assert set(page["properties"]) == {"next", "previous", "results"}
    assert page["properties"]["next"]["nullable"] is True
    assert page["properties"]["results"]["items"]["$ref"].endswith("/Order")
    assert {"cursor", "page_size"} <= {parameter["name"] for parameter in operation["parameters"]}


def test_availability_and_stock_declare_their_envelopes(schema):
    availability = component(
        schema,
        json_schema(schema["paths"]["/api/v1/availability/"]["get"]["responses"]["200"])["$ref"],
    )
    assert set(availability["properties"]) == {"results", "unknown_skus"}
    assert availability["properties"]["unknown_skus"]["items"]["type"] == "string"
    stock = component(
        schema, json_schema(schema["paths"]["/api/v1/stock/"]["get"]["responses"]["200"])["$ref"]
    )
    assert set(stock["properties"]) == {"results"}
    assert stock["properties"]["results"]["items"]["$ref"].endswith("/StockLevel")


def test_an_api_keys_user_is_nullable_for_channel_keys(schema):
    listed = json_schema(schema["paths"]["/api/v1/api-keys/"]["get"]["responses"]["200"])
    key = component(schema, listed["items"]["$ref"])
    assert key["properties"]["user"]["nullable"] is True


def test_every_error_status_answers_the_envelope(schema):
    envelope = schema["components"]["schemas"]["Error"]
    detail = component(schema, envelope["properties"]["error"]["$ref"])
    assert set(detail["required"]) == {"code", "message", "fields"}
    for label, operation in operations(schema):
        errors = {code: body for code, body in operation["responses"].items() if code >= "400"}
        assert errors, label
        for code, body in errors.items():
            assert json_schema(body)["$ref"] == ERROR_REF, (label, code)


def test_every_operation_declares_the_errors_it_can_answer(schema):
    for label, operation in operations(schema):
        declared = set(operation["responses"])
        parameters = operation.get("parameters", [])
        keyed = any(requirement for requirement in operation.get("security", []))
        assert "400" in declared, label  # a NUL in any query string is refused
        assert "401" in declared, label  # a missing or wrong key, or a bad webhook signature
        if keyed:
            assert "403" in declared, label  # every keyed operation checks the role
        if any(parameter["in"] == "path" for parameter in parameters):
            assert "404" in declared, label
        if any(parameter["name"] == "Idempotency-Key" for parameter in parameters):
            assert {"409", "422"} <= declared, label


def test_documented_statuses_of_order_capture(schema):
    responses = schema["paths"]["/api/v1/orders/"]["post"]["responses"]
    assert set(responses) == {"201", "400", "401", "403", "409", "422"}
    assert "duplicate_order" in responses["409"]["description"]


def request_component(schema, path: str, method: str = "post") -> dict:
    body = schema["paths"][path][method]["requestBody"]
    return component(schema, body["content"]["application/json"]["schema"]["$ref"])


def test_input_constraints_are_declared(schema):
    capture = request_component(schema, "/api/v1/orders/")
    assert capture["properties"]["external_id"]["minLength"] == 1
    assert capture["properties"]["lines"]["minItems"] == 1
    line = component(schema, capture["properties"]["lines"]["items"]["$ref"])
    assert line["properties"]["sku"]["minLength"] == 1
    assert line["properties"]["quantity"]["minimum"] == 1
    product = request_component(schema, "/api/v1/products/")
    assert product["properties"]["sku"]["minLength"] == 1
    new_return = request_component(schema, "/api/v1/orders/{number}/returns/")
    assert new_return["properties"]["lines"]["minItems"] == 1
    received = request_component(schema, "/api/v1/returns/{number}/receive/")
    assert received["properties"]["lines"]["minItems"] == 1
    adjustment = request_component(schema, "/api/v1/stock/adjustments/")
    assert adjustment["properties"]["sku"]["minLength"] == 1


def test_request_bodies_leave_out_read_only_fields(schema):
    product = request_component(schema, "/api/v1/products/")
    assert "created_at" not in product["properties"]
