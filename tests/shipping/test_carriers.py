"""The carrier interface: the sandbox carrier's tracking numbers and rules, and adapters by name."""

import uuid

import pytest

from inventory.models import Warehouse
from orders.models import Address
from shipping.carriers import get_carrier_adapter
from shipping.carriers.base import CarrierAdapter, LabelRequest, LabelResult, Party, approved
from shipping.carriers.sandbox import SandboxCarrier, luhn_check_digit, tracking_number_for
from shipping.errors import UnknownCarrier

SENDER = Party(name="East warehouse", line1="1 Dock Road", city="Newark", postal_code="07114")


def label_request(*, key=None, weight_grams=1200, postal_code="10115", **ship_to) -> LabelRequest:
    return LabelRequest(
        shipment_number="SH-000001",
        order_number="SO-000001",
        idempotency_key=key or uuid.uuid4().hex,
        method_code="ground",
        method_name="Ground",
        weight_grams=weight_grams,
        ship_from=SENDER,
        ship_to=Party(
            name="Ada Lovelace",
            line1="12 Analytical Row",
            city="Berlin",
            postal_code=postal_code,
            country="DE",
            **ship_to,
        ),
    )


@pytest.fixture
def sandbox():
    return get_carrier_adapter("sandbox")


# --- tracking numbers ---------------------------------------------------------------------


def test_the_check_digit_is_luhns():
    # The textbook example: 7992739871 takes check digit 3.
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("0000000000") == "0"


def test_a_label_gets_a_valid_sandbox_tracking_number(sandbox):
    result = sandbox.create_label(label_request())
    assert result.approved
    number = result.tracking_number
    assert number.startswith("SBX") and len(number) == 14 and number[3:].isdigit()
    assert number[-1] == luhn_check_digit(number[3:13])
    assert sandbox.tracking_number_valid(number)


def test_the_same_key_always_gets_the_same_number(sandbox):
    key = uuid.uuid4().hex
    first = sandbox.create_label(label_request(key=key))
    again = SandboxCarrier().create_label(label_request(key=key))
    assert first.tracking_number == again.tracking_number == tracking_number_for(key)


def test_different_keys_get_different_numbers():
    numbers = {tracking_number_for(f"shipment:{n}:label:1") for n in range(2000)}
    assert len(numbers) == 2000


def test_a_mistyped_tracking_number_is_not_valid(sandbox):
    number = tracking_number_for("shipment:42:label:1")
    wrong_digit = number[:5] + str((int(number[5]) + 1) % 10) + number[6:]
    digits = number[3:]
    swap_at = next(i for i in range(len(digits) - 1) if digits[i] != digits[i + 1])
    swapped = (
        "SBX" + digits[:swap_at] + digits[swap_at + 1] + digits[swap_at] + digits[swap_at + 2 :]
    )
    assert not sandbox.tracking_number_valid(wrong_digit)
    assert not sandbox.tracking_number_valid(swapped)


@pytest.mark.parametrize(
    "number",
    ["", "SBX", "SBX1234567890", "SBX123456789012", "UPS12345678903", "SBX12345A78903", None],
)
def test_other_shapes_are_not_sandbox_tracking_numbers(sandbox, number):
    assert not sandbox.tracking_number_valid(number)


def test_a_scanned_number_is_forgiven_spaces_and_case(sandbox):
    number = tracking_number_for("shipment:7:label:1")
    assert sandbox.tracking_number_valid(f"  {number.lower()}\n")


# --- what the sandbox refuses -------------------------------------------------------------


def test_a_parcel_over_30_kg_is_declined_as_too_heavy(sandbox):
    assert sandbox.create_label(label_request(weight_grams=30_000)).approved
    result = sandbox.create_label(label_request(weight_grams=30_001))
    assert result.declined
    assert result.code == "too_heavy"
    assert "too heavy" in result.reason
    assert result.tracking_number == ""


@pytest.mark.parametrize("postal_code", ["", "   "])
def test_an_address_without_postal_code_is_declined(sandbox, postal_code):
    result = sandbox.create_label(label_request(postal_code=postal_code))
    assert result.declined
    assert result.code == "no_postal_code"


def test_the_area_99999_is_down_every_time(sandbox):
    key = uuid.uuid4().hex
    results = [sandbox.create_label(label_request(key=key, postal_code="99999")) for _ in range(4)]
    assert all(result.transient for result in results)
    assert all(result.tracking_number == "" for result in results)
    assert "down for this area" in results[0].reason


def test_a_parcel_the_carrier_never_takes_is_declined_even_where_it_is_down(sandbox):
    result = sandbox.create_label(label_request(weight_grams=40_000, postal_code="99999"))
    assert result.declined


# --- adapters by name ---------------------------------------------------------------------


def test_the_sandbox_is_registered_by_name(sandbox):
    assert isinstance(sandbox, SandboxCarrier)
    assert sandbox.code == "sandbox"
    assert get_carrier_adapter("sandbox") is sandbox


def test_an_unknown_adapter_is_a_clear_error():
    with pytest.raises(UnknownCarrier, match="no carrier adapter 'pigeon'") as raised:
        get_carrier_adapter("pigeon")
    assert raised.value.code == "validation_error"
    assert raised.value.fields == {"adapter": ["Use one of: sandbox."]}


class FixedCarrier(CarrierAdapter):
    """Another carrier, registered in settings like a live one would be."""

    code = "fixed"
    label = "Fixed"

    def create_label(self, request: LabelRequest) -> LabelResult:
        return approved(f"FIX{request.shipment_number}")

    def tracking_number_valid(self, number: str) -> bool:
        return number.startswith("FIX")


def test_any_adapter_in_settings_drops_in(settings):
    settings.SHIPPING_CARRIERS = {
        **settings.SHIPPING_CARRIERS,
        "fixed": "tests.shipping.test_carriers.FixedCarrier",
    }
    adapter = get_carrier_adapter("fixed")
    assert adapter.create_label(label_request()).tracking_number == "FIXSH-000001"


# --- parties ------------------------------------------------------------------------------


def test_a_party_comes_from_an_order_address_and_prints_its_lines():
    address = Address(
        name="Ada Lovelace",
        company="",
        line1="12 Analytical Row",
        line2="Floor 2",
        city="Newark",
        region="NJ",
        postal_code="07114",
        country="US",
        phone="+1 555 0100",
    )
    party = Party.from_address(address)
    assert party.phone == "+1 555 0100"
    assert party.address_lines() == [
        "Ada Lovelace",
        "12 Analytical Row",
        "Floor 2",
        "Newark NJ 07114",
        "US",
    ]


def test_a_party_comes_from_a_warehouse():
    warehouse = Warehouse(
        code="EAST", name="East", address_line1="1 Dock Road", city="Newark", country="US"
    )
    lines = Party.from_warehouse(warehouse).address_lines()
    assert lines == ["East", "1 Dock Road", "Newark", "US"]
