"""Order capture throughput: the REST API under concurrency, against plain SQL as the ceiling.

Against a server (PostgreSQL-backed, the same `DATABASE_URL` as here), the one at `--url` or
one it starts itself with `--serve` (gunicorn, and a Celery worker when `REDIS_URL` is set), it:

1. with `--setup`, creates this run's fixtures through the services: a channel `bench-<tag>`
   with an API key, a warehouse and 40 products with plenty of stock;
2. with `--existing N`, seeds N orders of the same customers placed in the last hour on
   another channel (set-based SQL), so capture is measured beside a big orders table;
3. for each client count in `--clients`, captures N orders through `POST /api/v1/orders/` from
   C client threads (one keep-alive `http.client` connection each), timing every request;
   then does the same writes for N more orders with plain SQL (psycopg 3, C connections, one
   transaction per order), the ceiling; with `--serve`, the CPU time the app, the worker and
   PostgreSQL spent on each phase, per order;
4. counts the SQL statements of a sample of captures run in this process;
5. removes everything the run created (unless `--keep`), and prints one JSON object.

`--in-process` captures through `orders.services.order_capture` in this process instead (no
server); `--hot-sku` sends `--hot-clients` concurrent clients after one SKU with less stock
than orders and checks from the database that the stock stayed exact. `ratio` is the API's
throughput as a fraction of the plain-SQL ceiling. It only talks to 127.0.0.1 and stops by
itself: every loop is bounded by N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms_bench DEBUG=true \\
        .venv/bin/python bench/capture.py --serve --setup -n 1000 --clients 2,8
"""

import argparse
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# In-process hot-SKU runs start a process per client, each with its own connection.
MAX_PROCESSES = 32
sys.path.insert(0, str(ROOT))

from bench.capture_data import (  # noqa: E402
    Fixture,
    api_body,
    create_fixture,
    hot_sku_check,
    plan_hot_orders,
    plan_orders,
    remove_existing,
    remove_fixture,
    seed_existing,
)
from bench.capture_inprocess import (  # noqa: E402
    django_setup,
    hot_sku_in_process,
    in_process,
    statements,
)
from bench.capture_load import run_api  # noqa: E402
from bench.capture_processes import CpuMeter, served, wait_for  # noqa: E402
from bench.capture_sql import run_plain_sql, sql_clients  # noqa: E402


def client_counts(value: str) -> list[int]:
    counts = [int(part) for part in value.split(",") if part.strip()]
    if not counts or not all(1 <= count <= 256 for count in counts):
        raise argparse.ArgumentTypeError("client counts are 1…256, comma-separated")
    return counts


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--serve", action="store_true", help="start (and stop) the server here")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers with --serve")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--logs", type=Path, help="keep the --serve logs in this directory")
    parser.add_argument("-n", "--orders", type=int, default=2000, help="orders per phase")
    parser.add_argument(
        "-c", "--clients", type=client_counts, default=[8], help="clients at once: 8 or 2,8"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="order_capture in this process (with --hot-sku: in --hot-clients processes)",
    )
    parser.add_argument("--hot-sku", action="store_true", help="many clients after one SKU")
    parser.add_argument("--hot-stock", type=int, default=300, help="units of the hot SKU")
    parser.add_argument("--hot-orders", type=int, help="orders for it (default 2 × stock)")
    parser.add_argument("--hot-clients", type=int, default=100, help="clients after it")
    parser.add_argument("--existing", type=int, default=0, help="orders to seed beforehand")
    parser.add_argument("--sample", type=int, default=20, help="captures whose SQL is counted")
    parser.add_argument(
        "--setup",
        action="store_true",
        help="create this run's channel, key, products and stock (required: the script only "
        "writes to the database when told to)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the run's rows in place")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    target = urlsplit(args.url)
    if target.scheme != "http" or target.hostname != "127.0.0.1":
        parser.error("--url must be http://127.0.0.1[:port]: this script only talks to 127.0.0.1")
    database = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not database.scheme.startswith("postgres"):
        parser.error("set DATABASE_URL to the server's PostgreSQL database")
    if database.hostname not in ("127.0.0.1", "localhost", None):
        parser.error("DATABASE_URL must point at 127.0.0.1")
    if not args.setup:
        parser.error("pass --setup: the run creates (and afterwards removes) its own fixtures")
    args.hot_orders = args.hot_orders or 2 * args.hot_stock
    if not 1 <= args.orders <= 1_000_000 or not 0 <= args.existing <= 10_000_000:
        parser.error("-n must be 1…1,000,000 and --existing 0…10,000,000")
    if not (1 <= args.hot_clients <= 256 and 0 <= args.hot_stock <= args.hot_orders <= 100_000):
        parser.error("--hot-clients must be 1…256 and --hot-stock ≤ --hot-orders ≤ 100,000")
    if args.in_process and args.hot_sku and args.hot_clients > MAX_PROCESSES:
        parser.error(f"with --in-process, --hot-clients is at most {MAX_PROCESSES} (processes)")
    if not 1 <= args.sample <= 1000 or not 1 <= args.workers <= 32 or args.threads < 1:
        parser.error("--sample must be 1…1000, --workers 1…32, --threads at least 1")
    return args


# --- through the API -------------------------------------------------------------------------


@contextlib.contextmanager
def server(args):
    """(url, CPU meter, what runs) of the server at --url, or of one started with --serve."""
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    if not args.serve:
        yield args.url, CpuMeter(database), {"url": args.url, "started": False}
        return
    with contextlib.ExitStack() as stack:
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
        logs = args.logs or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        running = stack.enter_context(served(args.workers, args.threads, logs))
        worker_pid = running.worker.pid if running.worker else None
        described = {"url": running.url, "started": True, "worker_class": "gthread"}
        described |= {"workers": args.workers, "threads": args.threads}
        described["celery_worker"] = worker_pid is not None
        yield running.url, CpuMeter(database, running.app.pid, worker_pid), described


def sent(fixture: Fixture, meter: CpuMeter, orders: list[dict]) -> bool:
    """Wait until the server has sent the confirmation each of `orders` owes: the worker, or
    the web process itself without a broker. Only for a server started here."""
    from orders.models import Order

    if not meter.app_pid:
        return True
    owed = Order.objects.filter(
        channel_id=fixture.channel_id,
        external_id__in=[order["external_id"] for order in orders],
        confirmation_due=True,
    )
    return wait_for(lambda: not owed.exists(), timeout=30 + len(orders) * 0.2)


def api_phase(url, fixture: Fixture, meter: CpuMeter, orders: list[dict], clients, timeout):
    """Capture `orders` through the API; CPU sampled until their confirmations are sent."""
    bodies = [api_body(fixture, order) for order in orders]
    before = meter.sample()
    result = run_api(url, fixture.key, bodies, clients, timeout)
    confirmations_sent = sent(fixture, meter, orders)
    cpu = meter.ms_per_order(before, meter.sample(), len(orders) - len(result.errors))
    report = result.summary(len(orders)) | cpu
    if meter.app_pid:
        report["confirmations_sent"] = confirmations_sent
    return result, report


def throughput(args, url, fixture: Fixture, meter: CpuMeter, rng, errors: list) -> list[dict]:
    runs = []
    for clients in args.clients:
        warmup = plan_orders(fixture, 2 * clients, f"warmup{clients}", rng)  # untimed
        api_phase(url, fixture, meter, warmup, clients, args.timeout)
        result, api = api_phase(
            url, fixture, meter, plan_orders(fixture, args.orders, f"api{clients}", rng),
            clients, args.timeout,
        )  # fmt: skip
        sql_orders = plan_orders(fixture, args.orders, f"sql{clients}", rng)
        with sql_clients(clients) as connections:
            before = meter.sample()
            seconds, sql_errors = run_plain_sql(fixture, sql_orders, connections)
            after = meter.sample()
        captured = args.orders - len(sql_errors)
        cpu = meter.ms_per_order(before, after, captured)
        plain_sql = {
            "seconds": round(seconds, 2),
            "orders_per_second": round(captured / seconds, 1),
            "errors": len(sql_errors),
            "db_cpu_ms_per_order": cpu["db_cpu_ms_per_order"],
            "client_cpu_ms_per_order": cpu["client_cpu_ms_per_order"],
        }
        ratio = api["orders_per_second"] / plain_sql["orders_per_second"]
        runs.append(
            {"clients": clients, "api": api, "plain_sql": plain_sql, "ratio": round(ratio, 3)}
        )
        errors.extend(result.errors + sql_errors)
    return runs


def hot_sku(args, url, fixture: Fixture, meter: CpuMeter, rng, errors: list) -> dict:
    warmup = plan_orders(fixture, 2 * min(args.hot_clients, 8), "warmup", rng)  # untimed
    api_phase(url, fixture, meter, warmup, min(args.hot_clients, 8), args.timeout)
    orders = plan_hot_orders(fixture, args.hot_orders, rng)
    result, api = api_phase(url, fixture, meter, orders, args.hot_clients, args.timeout)
    errors.extend(result.errors)
    check = hot_sku_check(fixture, args.hot_stock, result.statuses)
    return {"clients": args.hot_clients, "orders": args.hot_orders, **api, **check}


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.in_process:  # no broker: queued confirmations stay in memory, unsent
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("OMS_TASK_RUNNER", None)
    django_setup()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up when killed, too
    rng, errors = random.Random(args.seed), []
    mode = "hot_sku" if args.hot_sku else "in_process" if args.in_process else "api"
    mode += "_in_process" if args.hot_sku and args.in_process else ""
    report: dict = {"mode": mode, "orders": args.hot_orders if args.hot_sku else args.orders}
    report["machine"] = {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()[0]}
    fixture = create_fixture(uuid.uuid4().hex[:8], args.hot_stock if args.hot_sku else None)
    try:
        if args.existing:
            report["existing"] = seed_existing(fixture, args.existing)
        if args.in_process and args.hot_sku:
            report["hot_sku"] = hot_sku_in_process(args, fixture, rng, errors)
        elif args.in_process:
            report["in_process"] = in_process(args, fixture, rng, errors)
            report["statements"] = statements(fixture, args.sample, rng, errors)
        else:
            with server(args) as (url, meter, described):
                report["server"] = described
                if args.hot_sku:
                    report["hot_sku"] = hot_sku(args, url, fixture, meter, rng, errors)
                else:
                    report["runs"] = throughput(args, url, fixture, meter, rng, errors)
                report["statements"] = statements(fixture, args.sample, rng, errors)
    finally:
        if not args.keep:
            if fixture.seed_channel_id:
                seconds = remove_existing(fixture)
                report.setdefault("existing", {})["remove_seconds"] = round(seconds, 1)
            remove_fixture(fixture)
    report["machine"]["load_average_after"] = os.getloadavg()[0]
    for error in errors[:3]:
        print(f"first errors: {error}", file=sys.stderr)
    print(json.dumps(report))
    return 1 if errors or report.get("hot_sku", {}).get("exact") is False else 0


if __name__ == "__main__":
    sys.exit(main())
