"""`oms.api_output.BuiltOnce`: fields built once per class, results and errors per request."""

import threading
from decimal import Decimal

import pytest
from rest_framework import serializers

from oms.api_output import BuiltOnce


class LineIn(BuiltOnce, serializers.Serializer):
    sku = serializers.CharField(max_length=8)
    quantity = serializers.IntegerField(min_value=1)


class OrderIn(BuiltOnce, serializers.Serializer):
    reference = serializers.CharField(max_length=10)
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    lines = LineIn(many=True, allow_empty=False)


class LineOut(BuiltOnce, serializers.Serializer):
    sku = serializers.CharField()
    label = serializers.SerializerMethodField()

    def get_label(self, line) -> str:
        return f"{line['sku']} × {line['quantity']}"


class OrderOut(BuiltOnce, serializers.Serializer):
    reference = serializers.CharField()
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    lines = LineOut(many=True)


def order(n: int) -> dict:
    return {
        "reference": f"R{n}",
        "total": Decimal(n) / 4,
        "lines": [{"sku": f"S{n}-{i}", "quantity": i + 1} for i in range(n % 3 + 1)],
    }


def test_fields_are_built_once_per_class():
    first, second = OrderIn(data={}), OrderIn(data={})
    assert first.fields is second.fields
    assert OrderOut().fields is not first.fields


def test_each_instance_represents_its_own_object():
    assert OrderOut(order(1)).data == {
        "reference": "R1",
        "total": "0.25",
        "lines": [{"sku": "S1-0", "label": "S1-0 × 1"}, {"sku": "S1-1", "label": "S1-1 × 2"}],
    }
    assert OrderOut(order(3)).data == {
        "reference": "R3",
        "total": "0.75",
        "lines": [{"sku": "S3-0", "label": "S3-0 × 1"}],
    }


def test_errors_of_one_request_do_not_reach_the_next():
    bad = OrderIn(data={"reference": "x" * 11, "total": "1", "lines": [{"sku": "A"}]})
    assert not bad.is_valid()
    assert bad.errors == {
        "reference": ["Ensure this field has no more than 10 characters."],
        "lines": {0: {"quantity": ["This field is required."]}},
    }
    good = OrderIn(
        data={"reference": "R9", "total": "2.50", "lines": [{"sku": "A", "quantity": 2}]}
    )
    assert good.is_valid(), good.errors
    assert good.validated_data == {
        "reference": "R9",
        "total": Decimal("2.50"),
        "lines": [{"sku": "A", "quantity": 2}],
    }


def test_threads_sharing_the_fields_get_their_own_results():
    OrderIn(data={})  # build the fields before the race
    wrong = []

    def validate_and_represent(n: int) -> None:
        for _ in range(200):
            data = OrderOut(order(n)).data
            payload = {
                **data,
                "lines": [{"sku": line["sku"], "quantity": 5} for line in data["lines"]],
            }
            incoming = OrderIn(data=payload)
            if not incoming.is_valid() or incoming.validated_data["reference"] != f"R{n}":
                wrong.append(n)
            broken = OrderIn(data={**payload, "lines": [{"sku": f"S{n}", "quantity": 0}]})
            if broken.is_valid() or list(broken.errors) != ["lines"]:
                wrong.append(-n)

    threads = [threading.Thread(target=validate_and_represent, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_a_context_is_refused():
    with pytest.raises(TypeError, match="without a context"):
        OrderOut(order(1), context={"request": object()})
