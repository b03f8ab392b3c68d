"""`bench/capture.py`'s captures in this process: `--in-process` (one thread, timing the
lock windows), `--in-process --hot-sku` (one process per client) and the statement counts every
mode reports. See capture.py for the options and bench/README.md for the figures."""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.capture_data import (
    Fixture,
    capture_request,
    hot_sku_check,
    plan_hot_orders,
    plan_orders,
)
from bench.capture_locks import LockWindows
from bench.capture_processes import CpuMeter

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()


def bench_channel(fixture: Fixture):
    """The run's channel, for captures in this process. Celery stops being eager here, so a
    confirmation is queued (to the broker, or in memory without one), not sent: what is timed
    and counted is the capture, as in a web process."""
    from oms.celery import app
    from orders.models import SalesChannel

    app.conf.task_always_eager = False
    return SalesChannel.objects.get(pk=fixture.channel_id)


def capture_all(channel, fixture: Fixture, orders: list[dict]) -> tuple[float, list[str]]:
    """`order_capture` for each order in turn; returns (seconds, errors)."""
    from django.db import DatabaseError

    from oms.errors import DomainError
    from orders.services import order_capture

    requests = [capture_request(fixture, order) for order in orders]
    errors = []
    started = time.perf_counter()
    for request in requests:
        try:
            order_capture(channel=channel, request=request, source="bench")
        except (DomainError, DatabaseError) as error:
            errors.append(repr(error)[:200])
    return time.perf_counter() - started, errors


def in_process(args, fixture: Fixture, rng, errors: list) -> dict:
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    meter, channel = CpuMeter(database), bench_channel(fixture)
    capture_all(channel, fixture, plan_orders(fixture, 5, "warmup", rng))  # untimed
    orders = plan_orders(fixture, args.orders, "inprocess", rng)
    before = meter.sample()
    with LockWindows() as locks:
        seconds, failed = capture_all(channel, fixture, orders)
    captured = args.orders - len(failed)
    cpu = meter.ms_per_order(before, meter.sample(), captured)
    errors.extend(failed)
    return {
        "seconds": round(seconds, 2),
        "orders_per_second": round(captured / seconds, 1),
        "ms_per_order": round(seconds * 1000 / max(captured, 1), 2),
        "errors": len(failed),
        "app_cpu_ms_per_order": cpu["client_cpu_ms_per_order"],  # this process is the app
        "db_cpu_ms_per_order": cpu["db_cpu_ms_per_order"],
        "lock_window": locks.summary(),
    }


def hot_sku_in_process(args, fixture: Fixture, rng, errors: list) -> dict:
    """`--hot-clients` processes (each with its own connection, as gunicorn's workers) capture
    the hot orders through `order_capture`, timing how long each capture holds the stock locks.
    Processes, not threads: a thread holding row locks can wait on the GIL for the others."""
    import multiprocessing

    capture_all(bench_channel(fixture), fixture, plan_orders(fixture, 5, "warmup", rng))
    orders = plan_hot_orders(fixture, args.hot_orders, rng)
    shares = [(fixture, orders[index :: args.hot_clients]) for index in range(args.hot_clients)]
    context = multiprocessing.get_context("spawn")  # a fresh Django per process, no shared pool
    with context.Pool(args.hot_clients, initializer=_hot_process_setup) as pool:
        pool.map(_ready, range(args.hot_clients), chunksize=1)  # every process set up
        started = time.perf_counter()
        results = pool.starmap(_hot_process_capture, shares, chunksize=1)
        seconds = time.perf_counter() - started
    statuses = [status for result in results for status in result["statuses"]]
    failed = [error for result in results for error in result["errors"]]
    errors.extend(failed)
    return {
        "processes": args.hot_clients,
        "orders": args.hot_orders,
        "seconds": round(seconds, 2),
        "orders_per_second": round(len(statuses) / seconds, 1),
        "errors": len(failed),
        "lock_window": LockWindows.summarize(
            [window for result in results for window in result["held_ms"]],
            [window for result in results for window in result["from_request_ms"]],
            sum(result["planned_under_locks"] for result in results),
        ),
        **hot_sku_check(fixture, args.hot_stock, statuses),
    }


def _hot_process_setup() -> None:
    sys.path.insert(0, str(ROOT))
    django_setup()


def _ready(_: int) -> int:
    time.sleep(0.2)  # long enough that each process takes one
    return os.getpid()


def _hot_process_capture(fixture: Fixture, orders: list[dict]) -> dict:
    from django.db import DatabaseError, connection

    from oms.errors import DomainError
    from orders.services import order_capture

    channel = bench_channel(fixture)
    requests = [capture_request(fixture, order) for order in orders]
    statuses, failed = [], []
    with LockWindows() as locks:
        for request in requests:
            try:
                order = order_capture(channel=channel, request=request, source="bench")
                statuses.append(order.status)
            except (DomainError, DatabaseError) as error:
                failed.append(repr(error)[:200])
    connection.close()
    return {
        "statuses": statuses,
        "errors": failed,
        "held_ms": locks.held_ms,
        "from_request_ms": locks.from_request_ms,
        "planned_under_locks": locks.planned_under_locks,
    }


def statements(fixture: Fixture, sample: int, rng, errors: list) -> dict:
    """SQL statements per `order_capture` in this process, over `sample` planned orders, and
    for a 2-line order of a customer who has ordered before."""
    from django.db import DatabaseError, connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from oms.errors import DomainError
    from orders.services import order_capture

    channel = bench_channel(fixture)

    def counted(order: dict) -> int:
        request = capture_request(fixture, order)
        reset_queries()  # with DEBUG the log is capped: a full one would count nothing
        with CaptureQueriesContext(connection) as queries:
            try:
                order_capture(channel=channel, request=request, source="bench")
            except (DomainError, DatabaseError) as error:
                errors.append(repr(error)[:200])
        # Statements, as tests/orders/test_capture_statements.py counts them: BEGIN and
        # COMMIT (Django logs both) are the transaction around them, not statements.
        return sum(not query["sql"].startswith(("BEGIN", "COMMIT")) for query in queries)

    capture_all(channel, fixture, plan_orders(fixture, 1, "statements-warmup", rng))
    orders = plan_orders(fixture, sample, "statements", rng)
    counts = [counted(order) for order in orders]
    two_lines = {
        "external_id": f"{fixture.tag}-statements-two-lines",
        "email": orders[0]["email"],  # captured just above: a known customer
        "lines": [(fixture.products[0], 1), (fixture.products[1], 2)],
    }
    return {
        "sampled": sample,
        "average": round(sum(counts) / len(counts), 1),
        "max": max(counts),
        "two_line_known_customer": counted(two_lines),
    }
