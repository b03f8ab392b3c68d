"""Marketplace payloads written from Shopify's and WooCommerce's documented order fields."""

import json
from pathlib import Path

HERE = Path(__file__).parent


def load(name: str) -> dict:
    """A fresh copy of `<name>.json`, for a test to change as it needs."""
    return json.loads((HERE / f"{name}.json").read_text())
