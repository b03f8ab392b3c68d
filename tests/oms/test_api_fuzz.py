"""Schemathesis against the whole API, in-process through the WSGI application.

For every operation in `/api/schema/` it sends hypothesis-generated requests, valid and
invalid (NUL bytes, huge numbers, wrong types, missing fields), with an Admin key, and checks
each answer: never a 5xx, a status code the operation documents, the documented content type,
and a body that matches the documented schema (the error envelope for errors).

Generated identifiers hit nothing, and a 404 stops the request before its body is read, so
valid generated identifiers are often swapped for objects that exist (`real_objects`): bodies
then reach validation and the services. PostgreSQL only: NUL bytes and overflowing integers
fail there, where SQLite stores them.

Bounded and repeatable: a fixed seed, derandomized generation, `MAX_EXAMPLES` fuzzed requests
per operation plus schemathesis's coverage cases (boundary values, each field invalid in turn,
unexpected methods): about 2,500 requests over 38 operations, some 35 s of CPU.
"""

import zlib
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oms.services import api_client_create
from oms.wsgi import application
from orders.services import order_hold
from returns.services import ReturnLineData, return_create
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import UserFactory
from tests.orders.factories import SalesChannelFactory, capture
from tests.returns.factories import shipped_order
from tests.shipping.factories import CarrierFactory, ShippingMethodFactory, ShippingRateFactory

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    application,
    config=schemathesis.Config.from_dict(
        {
            "seed": 20_241_111,
            "suppress-health-check": ["all"],
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    ),
)


@pytest.fixture
def in_test_transaction():
    """Serve requests inside the test's transaction, as Django's test client does: the WSGI
    handler would otherwise close the connection at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key(db, in_test_transaction) -> str:
    _, key = api_client_create(name="fuzzer", user=UserFactory(role="Admin", username="fuzz"))
    return key


@dataclass
class RealObjects:
    """Existing objects per (path prefix, path parameter), and codes per body field name."""

    path: dict[tuple[str, str], list]
    body: dict[str, list]


@pytest.fixture
def real_objects(db, fulfillment_user, support_user) -> RealObjects:
    """A shipped, paid order with a return requested, an open order on hold, stock in a
    warehouse, a carrier with a method, a channel and a spare API key."""
    warehouse = WarehouseFactory(code="EAST", priority=1, country="US", postal_code="07114")
    for sku in ("MUG", "TEE"):
        give_stock(ProductFactory(sku=sku, weight_grams=300), warehouse, 50)
    carrier = CarrierFactory(code="sbx")
    ShippingRateFactory(method=ShippingMethodFactory(carrier=carrier, code="ground"))
    web = SalesChannelFactory(code="web")
    shipped = shipped_order(web, [("MUG", 2), ("TEE", 1)], packer=fulfillment_user)
    rma = return_create(
        order=shipped,
        lines=[ReturnLineData("MUG", 1, "defective")],
        resolution="refund",
        actor=support_user,
    )
    open_order = capture(web, [("MUG", 1)])
    hold = order_hold(order=open_order, reason="manual", actor=support_user)
    spare, _ = api_client_create(name="spare", user=fulfillment_user)
    return RealObjects(
        path={
            ("/api/v1/orders/", "number"): [shipped.number, open_order.number],
            ("/api/v1/orders/", "hold_id"): [hold.pk],
            ("/api/v1/returns/", "number"): [rma.number],
            ("/api/v1/shipments/", "id"): list(shipped.shipments.values_list("pk", flat=True)),
            ("/api/v1/products/", "sku"): ["MUG"],
            ("/api/v1/api-keys/", "id"): [spare.pk],
            ("/api/v1/channels/", "code"): [web.code],
            ("/api/v1/carriers/", "code"): [carrier.code],
        },
        body={
            "channel": [web.code],
            "warehouse": [warehouse.code],
            "sku": ["MUG", "TEE"],
            "shipping_method": ["ground"],
            "user": [fulfillment_user.username],
        },
    )


def pick(values) -> int:
    """0, 1 or 2, following the generated values, so that a run repeats exactly."""
    return zlib.crc32(repr(values).encode()) % 3


def aim_at_real_objects(case, objects: RealObjects) -> None:
    """Swap valid generated identifiers for existing objects, two times in three.

    Invalid values (a case about them) and every third valid one stay as generated.
    """
    components = case.meta.components if case.meta else {}
    path = components.get(ParameterLocation.PATH)
    if path is not None and path.mode == GenerationMode.POSITIVE:
        choice = pick(sorted(case.path_parameters.items()))
        for name in list(case.path_parameters):
            for (prefix, parameter), values in objects.path.items():
                if choice and parameter == name and case.path.startswith(prefix):
                    case.path_parameters[name] = values[(choice - 1) % len(values)]
    body = components.get(ParameterLocation.BODY)
    if body is not None and body.mode == GenerationMode.POSITIVE:
        choice = pick(case.body)
        if choice:
            replace_codes(case.body, objects.body, choice)


def replace_codes(value, codes: dict[str, list], choice: int) -> None:
    """Put an existing code in every string field named like one (`sku`, `warehouse`…)."""
    if isinstance(value, list):
        for item in value:
            replace_codes(item, codes, choice)
    elif isinstance(value, dict):
        for name, item in value.items():
            if name in codes and isinstance(item, str):
                value[name] = codes[name][(choice - 1) % len(codes[name])]
            else:
                replace_codes(item, codes, choice)


@pytest.mark.postgres
@schema.parametrize()
# The objects are made once per operation, and its requests change them as a client would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_its_schema_says(case, admin_key, real_objects: RealObjects):
    aim_at_real_objects(case, real_objects)
    case.call_and_validate(headers={"Authorization": f"Token {admin_key}"}, checks=CHECKS)
