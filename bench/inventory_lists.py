"""How fast the inventory list reads stay with a large catalog (prints JSON, asserts nothing).

Run against a PostgreSQL database of its own (it adds rows):

    createdb oms_bench_inventory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench_inventory DEBUG=true \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench_inventory DEBUG=true \\
        .venv/bin/python bench/inventory_lists.py --products 100000 --setup

`--setup` creates the catalog once (products BENCH-000001…, three warehouses, a level and a
matching receipt row per product and warehouse, so the ledger audit stays clean); later runs
reuse it. Each query runs `--repeat` times; the median and worst wall times are printed.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from inventory.models import MovementKind, Product, StockLevel, StockMovement, Warehouse  # noqa: E402
from inventory.selectors import ledger, low_stock, product_list  # noqa: E402

PAGE = 50
BATCH = 5000


def setup_catalog(count: int) -> None:
    rng = random.Random(7)
    warehouses = [
        Warehouse.objects.get_or_create(
            code=code, defaults={"name": code, "country": country, "priority": priority}
        )[0]
        for code, country, priority in (("B-EWR", "US", 1), ("B-LAX", "US", 2), ("B-BER", "DE", 3))
    ]
    existing = Product.objects.filter(sku__startswith="BENCH-").count()
    for start in range(existing, count, BATCH):
        with transaction.atomic():
            products = Product.objects.bulk_create(
                Product(
                    sku=f"BENCH-{number:06d}",
                    name=f"Bench product {number} {rng.choice(['tee', 'mug', 'cap', 'sock'])}",
                    barcode=f"9{number:012d}",
                    reorder_point=rng.choice([0, 5, 10, 20]),
                )
                for number in range(start + 1, min(count, start + BATCH) + 1)
            )
            levels = StockLevel.objects.bulk_create(
                StockLevel(
                    product=product,
                    warehouse=warehouse,
                    on_hand=rng.choice([0, 0, 2, 8, 15, 40, 120]),
                    bin_location=f"A-{rng.randint(1, 40):02}",
                )
                for product in products
                for warehouse in warehouses
            )
            StockMovement.objects.bulk_create(
                StockMovement(
                    stock_level=level,
                    product_id=level.product_id,
                    warehouse_id=level.warehouse_id,
                    kind=MovementKind.RECEIPT,
                    on_hand_delta=level.on_hand,
                    on_hand_after=level.on_hand,
                    allocated_after=0,
                    reference="bench:setup",
                )
                for level in levels
                if level.on_hand
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(label: str, run, repeat: int) -> dict:
    durations = []
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(run())
        durations.append((time.perf_counter() - started) * 1000)
    return {
        "query": label,
        "rows": rows,
        "median_ms": round(statistics.median(durations), 2),
        "max_ms": round(max(durations), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    if args.setup:
        setup_catalog(args.products)

    middle = f"BENCH-{args.products // 2:06d}"
    east = Warehouse.objects.get(code="B-EWR")
    results = [
        timed("products: first page", lambda: list(product_list()[:PAGE]), args.repeat),
        timed(
            "products: page from the middle (keyset sku > X)",
            lambda: list(product_list().filter(sku__gt=middle)[:PAGE]),
            args.repeat,
        ),
        timed("products: search by name", lambda: list(product_list(q="mug")[:PAGE]), args.repeat),
        timed(
            "products: barcode scan",
            lambda: list(product_list(q=f"9{args.products // 3:012d}")[:PAGE]),
            args.repeat,
        ),
        timed(
            "products: one warehouse",
            lambda: list(product_list(warehouse=east)[:PAGE]),
            args.repeat,
        ),
        timed(
            "products: out of stock", lambda: list(product_list(stock="out")[:PAGE]), args.repeat
        ),
        timed("low stock: first page", lambda: list(low_stock()[:PAGE]), args.repeat),
        timed("ledger: first page", lambda: list(ledger()[:PAGE]), args.repeat),
        timed("ledger: one warehouse", lambda: list(ledger(warehouse=east)[:PAGE]), args.repeat),
    ]
    print(
        json.dumps(
            {
                "products": Product.objects.count(),
                "stock_levels": StockLevel.objects.count(),
                "movements": StockMovement.objects.count(),
                "page_size": PAGE,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
