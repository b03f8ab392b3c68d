"""Demo catalog and stock for `manage.py seed_demo`: three warehouses, 200 products.

Deterministic (a fixed random seed) and idempotent: existing SKUs and warehouses are left as
they are, and stock is only received for products that have no ledger yet — through the stock
services, so the ledger explains every unit.
"""

import random
from decimal import Decimal

from django.db import transaction

from inventory import services
from inventory.models import Product, StockLevel, StockMovement, Warehouse
from oms.money import CENT

WAREHOUSES = (
    # code, name, city, postal code, country, priority
    ("EWR", "Newark fulfillment center", "Newark", "07114", "US", 1),
    ("LAX", "Los Angeles warehouse", "Los Angeles", "90021", "US", 2),
    ("BER", "Berlin hub", "Berlin", "10115", "DE", 3),
)

BASES = (
    # code, name, price, grams
    ("TEE", "Organic cotton tee", "24.00", 180),
    ("HOOD", "Fleece hoodie", "59.00", 620),
    ("SOCK", "Merino crew socks", "14.00", 70),
    ("CAP", "Washed canvas cap", "22.00", 110),
    ("TOTE", "Heavy canvas tote", "18.00", 300),
    ("MUG", "Stoneware mug", "16.00", 420),
    ("BOTL", "Insulated bottle", "32.00", 380),
    ("BEAN", "Wool beanie", "26.00", 90),
    ("SCRF", "Lambswool scarf", "48.00", 200),
    ("APRN", "Waxed apron", "42.00", 450),
)
COLORS = (("BLK", "black"), ("NAT", "natural"), ("OLV", "olive"), ("NVY", "navy"))
SIZES = ("XS", "S", "M", "L", "XL")


def ean13(number: int) -> str:
    """A valid EAN-13 in the 200–299 'in-store' range, so it never clashes with real goods."""
    digits = f"2{number:011d}"
    checksum = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - checksum % 10) % 10)


def catalog() -> list[dict]:
    items = []
    for base_index, (code, name, price, grams) in enumerate(BASES):
        for color_index, (color, color_name) in enumerate(COLORS):
            for size_index, size in enumerate(SIZES):
                number = base_index * 100 + color_index * 10 + size_index + 1
                items.append(
                    {
                        "sku": f"{code}-{color}-{size}",
                        "name": f"{name}, {color_name}, {size}",
                        "barcode": ean13(number),
                        "price": Decimal(price),
                        "cost": (Decimal(price) * Decimal("0.42")).quantize(CENT),
                        "weight_grams": grams,
                    }
                )
    return items


@transaction.atomic
def seed_inventory(actor=None) -> dict:
    rng = random.Random(2026)
    warehouses = []
    for code, name, city, postal_code, country, priority in WAREHOUSES:
        warehouse, _ = Warehouse.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "city": city,
                "postal_code": postal_code,
                "country": country,
                "priority": priority,
            },
        )
        warehouses.append(warehouse)

    new_products = []
    for item in catalog():
        product, created = Product.objects.get_or_create(
            sku=item["sku"],
            defaults={**item, "reorder_point": 10, "reorder_quantity": 40},
        )
        if created:
            new_products.append(product)

    # Empty levels first, each with its bin; the receipts below then book the units.
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                product=product,
                warehouse=warehouse,
                bin_location=f"{'ABCDEFGH'[index % 8]}-{index // 8 % 20 + 1:02}-{index % 4 + 1}",
            )
            for index, product in enumerate(new_products)
            for warehouse in warehouses
        ],
        ignore_conflicts=True,
    )
    stocked = set(
        StockMovement.objects.filter(product__in=new_products).values_list("product", flat=True)
    )
    receipts = {warehouse.pk: [] for warehouse in warehouses}
    for product in new_products:
        if product.pk in stocked:
            continue
        profile = rng.random()
        for warehouse in warehouses:
            if profile < 0.08:
                quantity = 0  # out of stock everywhere
            elif profile < 0.25:
                quantity = rng.randint(0, 3)  # low
            else:
                quantity = rng.randint(0, 60) if rng.random() < 0.8 else 0
            if quantity:
                receipts[warehouse.pk].append((product, quantity))
    for warehouse in warehouses:
        if receipts[warehouse.pk]:
            services.stock_receive_lines(
                warehouse=warehouse,
                lines=receipts[warehouse.pk],
                actor=actor,
                reference="seed:opening-stock",
                note="Opening stock for the demo",
            )
    return {"warehouses": len(warehouses), "new_products": len(new_products)}
