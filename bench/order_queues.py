"""How fast the order queues and the search stay at a million orders (prints JSON, asserts
nothing).

Run against a PostgreSQL database of its own (it adds rows):

    createdb oms_bench_orders
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench_orders DEBUG=true
    .venv/bin/python manage.py migrate
    ALLOWED_HOSTS=testserver .venv/bin/python bench/order_queues.py --orders 1000000 --setup

`--setup` loads the shop once into a freshly migrated database (`bench/order_queues_data.py`:
COPY, indexes built after, `VACUUM ANALYZE`); later runs reuse it. The timed requests go
through the real queue and search views (URL routing, the view, its queries and the
template), signed in as a support user, each `--repeat` times after a warm-up; median and
worst wall times, the status (302: the search opened the one order or customer it found) and
the number of SQL queries per request are printed. The search is timed in every form a
customer reads out: the phone number in four formats and its last four digits, ids and SKUs in
lower case, part of an email and of a name, the channel's order name, a tracking number and
an RMA number.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.loading import staff_client, timed_request  # noqa: E402
from bench.order_queues_data import Loader  # noqa: E402
from oms.phones import digits_of  # noqa: E402
from orders.models import Order  # noqa: E402
from returns.models import ReturnRequest  # noqa: E402
from shipping.models import Shipment  # noqa: E402


def setup_orders(count: int) -> dict | None:
    """Load the shop unless an earlier run did (its web store has orders)."""
    if Order.objects.filter(channel__code="b-web").exists():
        return None
    with psycopg.connect(settings.DATABASE_URL) as conn:
        return Loader(count).load(conn)


def search_cases() -> list[tuple[str, dict]]:
    """(label, query) for every form of the search, aimed at real rows of the loaded shop: the
    customer of an order from the middle of the history, a web and a Shopify order, a parcel
    and a return."""
    bounds = Order.objects.filter(channel__code="b-web").aggregate(Min("pk"), Max("pk"))
    middle = (bounds["pk__min"] + bounds["pk__max"]) // 2
    theirs = Order.objects.filter(pk__gte=middle).select_related("customer").order_by("pk")[0]
    customer = theirs.customer
    national = digits_of(customer.phone)[-10:]
    area, exchange, line = national[:3], national[3:6], national[6:]
    web = Order.objects.filter(channel__code="b-web").order_by("pk").last()
    shopify = Order.objects.filter(channel__code="b-shopify").order_by("pk").last()
    tracking = Shipment.objects.order_by("pk").last().tracking_number
    rma = ReturnRequest.objects.order_by("pk").last().number
    first, last, email = customer.first_name, customer.last_name, customer.email
    return [
        ("order number", {"q": theirs.number}),
        ("order number, digits only", {"q": str(theirs.pk)}),
        ("email, whole", {"q": email}),
        ("phone 616.234.9992", {"q": f"{area}.{exchange}.{line}"}),
        ("phone 616-234-9992", {"q": f"{area}-{exchange}-{line}"}),
        ("phone 6162349992", {"q": national}),
        ("phone (616) 234-9992", {"q": f"({area}) {exchange}-{line}"}),
        ("phone +1 616 234 9992", {"q": f"+1 {area} {exchange} {line}"}),
        ("phone, last 4 digits", {"q": line}),
        ("external id, lower case", {"q": web.external_id.lower()}),
        ("external id, its start", {"q": web.external_id[:-2].lower()}),
        ("SKU, lower case", {"q": "bq-0042"}),
        ("part of an email", {"q": email.split("@")[0]}),
        ("part of a name", {"q": f"{first} {last[:3]}"}),
        ("last name", {"q": last}),
        ("channel order name", {"q": shopify.channel_order_name}),
        ("tracking number, lower case", {"q": tracking.lower()}),
        ("RMA number, lower case", {"q": rma.lower()}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    loaded = setup_orders(args.orders) if args.setup else None

    client = staff_client("bench-support", "Support")
    queue, search = "/orders/", "/orders/search/"
    since = (timezone.now() - timedelta(days=30)).date().isoformat()
    cases = [
        ("all orders, newest first", queue, {}),
        ("needs attention", queue, {"queue": "attention"}),
        ("ready to fulfill", queue, {"queue": "ready"}),
        ("backordered", queue, {"queue": "backordered"}),
        ("late", queue, {"queue": "late"}),
        ("by channel", queue, {"channel": "b-pos"}),
        ("by status, oldest first", queue, {"status": "shipped", "sort": "oldest"}),
        ("by payment status", queue, {"payment_status": "authorized"}),
        ("placed in the last 30 days", queue, {"date_from": since}),
        ("hold reason", queue, {"queue": "attention", "hold_reason": "fraud_review"}),
        ("has notes", queue, {"has_notes": "on"}),
        ("biggest totals", queue, {"sort": "total"}),
    ]
    for label, params in search_cases():
        cases.append((f"search: {label}", search, params))
        cases.append((f"queue search: {label}", queue, params))
    results = [
        {**timed_request(client, label, path, params, args.repeat, warmup=1), "params": params}
        for label, path, params in cases
    ]
    report = {"orders": Order.objects.count(), "page_size": 50, "results": results}
    if loaded:
        report["setup"] = loaded
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
