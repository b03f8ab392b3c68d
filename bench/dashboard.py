"""How the manager dashboard and the order queue hold up from 10,000 to a million orders
(prints JSON, asserts nothing).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DEBUG=true
    ALLOWED_HOSTS=testserver .venv/bin/python bench/dashboard.py --sizes 10000 1000000

Each size gets a scratch database of its own, `oms_bench_dashboard_<size>_<days>d` on the server
`DATABASE_URL` names: created, migrated and loaded when it is missing (or with `--reload`),
reused otherwise; `--drop` removes it at the end. The rows (`bench/dashboard_data.py`) are a
shop taking `--orders-per-day` orders a day (300 by default: 10,000 orders are its last 34
days, a million its last nine years — the history grows, a day's work does not), or with
`--days N` every size squeezed into the last N days (a bigger size is then a busier shop,
and a week holds a hundred times the orders).

Then, for each size, it times `dashboard.selectors.dashboard()` for today, the last 7 days
(the default), the last 30 days and 7 days of one channel, the whole `/dashboard/` request
as a manager when that URL exists, and the order queue pages as a support user: median and
worst of `--repeat` runs after a warm-up, with the SQL queries per call, and the ratio of
the largest size to the smallest. `--explain FILE` writes EXPLAIN (ANALYZE, BUFFERS) of
every dashboard query (all but today) at each size to FILE-<size>.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard_data import Loader  # noqa: E402
from bench.loading import (  # noqa: E402
    create_database,
    database_exists,
    database_size,
    database_url,
    drop_database,
)

PERIODS = (
    ("today", {"period": "today"}, None),
    ("7d", {"period": "7d"}, None),
    ("30d", {"period": "30d"}, None),
    ("7d_one_channel", {"period": "7d"}, "bd-eu"),
)
QUEUES = (
    ("all orders", {}),
    ("needs attention", {"queue": "attention"}),
    ("late", {"queue": "late"}),
)


def size_label(orders: int) -> str:
    if orders % 1_000_000 == 0:
        return f"{orders // 1_000_000}m"
    return f"{orders // 1000}k" if orders % 1000 == 0 else str(orders)


# --- measuring (child) ------------------------------------------------------------------------


def _selector_frame() -> str:
    """The selector function that issued the current query (for per-figure timings)."""
    for frame in reversed(traceback.extract_stack()):
        module = Path(frame.filename)
        if module.name.startswith("selectors") and module.parent.name != "dashboard":
            return f"{module.parent.name}.{frame.name}"
    return "?"


class QueryLog:
    """A `connection.execute_wrapper`: each query's selector, milliseconds and SQL."""

    def __init__(self):
        self.entries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.entries.append((_selector_frame(), elapsed, sql, params))


def measure(repeat: int, explain_to: str | None) -> dict:
    from django.db import connection
    from django.urls import Resolver404, resolve

    from bench.loading import staff_client, timed, timed_request
    from dashboard.periods import period_from
    from dashboard.selectors import dashboard
    from orders.models import SalesChannel

    result = {"dashboard_selectors_ms": {}, "dashboard_request_ms": None}
    plans = []
    for label, params, channel_code in PERIODS:
        period, _ = period_from(params)
        channel = SalesChannel.objects.get(code=channel_code) if channel_code else None

        def run(period=period, channel=channel):
            dashboard(period=period, channel=channel)

        figures = timed(run, repeat, warmup=1)
        log = QueryLog()
        with connection.execute_wrapper(log):
            dashboard(period=period, channel=channel)
        by_selector = defaultdict(float)
        for selector, elapsed, _sql, _params in log.entries:
            by_selector[selector] += elapsed
        figures["by_selector_ms"] = {
            name: round(ms, 1) for name, ms in sorted(by_selector.items(), key=lambda i: -i[1])
        }
        result["dashboard_selectors_ms"][label] = figures
        if explain_to and label != "today":
            with connection.cursor() as cursor:
                for selector, _elapsed, sql, params in log.entries:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    plans.append(f"-- {label} {selector}\n{sql}\n-- {params}\n{plan}\n")
    try:
        resolve("/dashboard/")
    except Resolver404:
        pass
    else:
        manager = staff_client("bench-manager", "Manager")
        result["dashboard_request_ms"] = {
            label: timed_request(
                manager,
                label,
                "/dashboard/",
                {**params, **({"channel": code} if code else {})},
                repeat,
                warmup=1,
            )
            for label, params, code in PERIODS
        }
    support = staff_client("bench-support", "Support")
    result["order_queue_request_ms"] = {
        label: timed_request(support, label, "/orders/", params, repeat, warmup=1)
        for label, params in QUEUES
    }
    if explain_to:
        Path(explain_to).write_text("\n".join(plans))
    return result


def child(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    report = {"orders": args.orders}
    if args.load:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        report["migrate_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        loader = Loader(args.orders, args.days, args.seed)
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            report.update(loader.load(conn))
        report["load_seconds"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum does in a live database: statistics and the visibility map.
            cursor.execute("VACUUM ANALYZE")
        report["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    report.update(measure(args.repeat, args.explain))
    print(json.dumps(report, default=str))


# --- the driver (parent): one scratch database and one child process per size ---------------


def ratio(small, large):
    return round(large / small, 2) if small else None


def ratios(first: dict, last: dict) -> dict:
    """Largest size ÷ smallest, per median."""
    found = {}
    for section in ("dashboard_selectors_ms", "dashboard_request_ms", "order_queue_request_ms"):
        for label, figures in (last.get(section) or {}).items():
            before = (first.get(section) or {}).get(label)
            if before:
                found[f"{section}.{label}"] = ratio(before["median_ms"], figures["median_ms"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument(
        "--orders-per-day",
        type=int,
        default=300,
        help="the shop's daily volume: each size spans as many days as it takes (the history "
        "grows, the day does not)",
    )
    parser.add_argument(
        "--days",
        type=int,
        help="instead, every size spans this many days (a bigger size is a busier shop)",
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reload", action="store_true", help="drop and load again")
    parser.add_argument("--drop", action="store_true", help="drop the databases afterwards")
    parser.add_argument("--explain", metavar="FILE", help="write query plans to FILE-<size>")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--orders", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    server = os.environ.get("DATABASE_URL", "")
    if server and not server.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL server.")
    runs = []
    for orders in args.sizes:
        days = args.days or max(1, math.ceil(orders / args.orders_per_day))
        name = f"oms_bench_dashboard_{size_label(orders)}_{days}d"
        fresh = args.reload or not database_exists(server, name)
        if fresh:
            drop_database(server, name)
            create_database(server, name)
        print(f"{name}: {'loading' if fresh else 'reusing'} {orders:,} orders", file=sys.stderr)
        command = [sys.executable, __file__, "--child", "--orders", str(orders)]
        command += [
            "--days",
            str(days),
            "--repeat",
            str(args.repeat),
            "--seed",
            str(args.seed),
        ]
        if fresh:
            command.append("--load")
        if args.explain:
            command += ["--explain", f"{args.explain}-{size_label(orders)}"]
        env = {**os.environ, "DATABASE_URL": database_url(server, name)}
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        run = json.loads(done.stdout)
        run["days"] = days
        run["database"] = name
        run["database_mb"] = round(database_size(server, name) / 2**20)
        runs.append(run)
        if args.drop:
            drop_database(server, name)
    shape = {"days": args.days} if args.days else {"orders_per_day": args.orders_per_day}
    report = {"cpus": os.cpu_count(), **shape, "runs": runs}
    if len(runs) > 1:
        report["ratio_largest_to_smallest"] = ratios(runs[0], runs[-1])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
