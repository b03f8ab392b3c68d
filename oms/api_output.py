"""Serializers whose fields are built once per class, not once per object.

A DRF serializer builds its fields every time it is instantiated: it deep-copies the declared
fields and, for a `ModelSerializer`, works out the rest from the model. For an order with its
lines, holds, customer and addresses that was about a millisecond of CPU per response, and
0.5 ms more to validate a capture: more than a quarter of what `POST /api/v1/orders/` spent
outside the capture itself. A list page paid it for every row.

`BuiltOnce` keeps the fields of the first instance of each class and hands them to every later
instance (and thread). That is sound where the fields hold no per-request state:
- representing: a field's `to_representation` reads its own settings and the object;
- validating: `run_validation` reads the field's settings and the data, and every result and
  error lives on the root serializer the view made for the request.

It is not sound for fields that read the serializer's context, instance or `partial` flag
(a `UniqueValidator`, `CurrentUserDefault`, a partial update): those would see the first
instance's. `BuiltOnce` refuses a context, so such a serializer cannot be given one by mistake.
"""

import threading

from rest_framework.utils.serializer_helpers import BindingDict

_build_lock = threading.Lock()


class BuiltOnce:
    """Mixin for a `Serializer`/`ModelSerializer` that needs no context: fields built once."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("context"):
            raise TypeError(f"{type(self).__name__} works without a context.")
        super().__init__(*args, **kwargs)

    @property
    def fields(self) -> BindingDict:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            with _build_lock:
                built = cls.__dict__.get("_built_fields")
                if built is None:
                    built = super().fields  # the first instance's, bound to it
                    cls._built_fields = built
        return built
