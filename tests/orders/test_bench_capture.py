"""`bench/capture.py` keeps working: tiny runs of each mode on a scratch database.

The figures themselves are not asserted (timings belong to the benchmark's printout); what is
asserted is that every phase captures every order, that the report has the keys
bench/README.md documents, that the hot-SKU run finds the stock exact, and that each run
removes what it created (the server it started included).
"""

import json
import socket
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

from tests.concurrency import wait_for
from tests.workers import ROOT, free_port, kill, process_env, start

pytestmark = pytest.mark.postgres

CPU_KEYS = {
    "app_cpu_ms_per_order",
    "db_cpu_ms_per_order",
    "worker_cpu_ms_per_order",
    "client_cpu_ms_per_order",
}
API_KEYS = {"seconds", "orders_per_second", "p50_ms", "p95_ms", "errors", "connections"}
SQL_KEYS = {"seconds", "orders_per_second", "errors", "db_cpu_ms_per_order"}
SQL_KEYS |= {"client_cpu_ms_per_order"}


def server_url(database: str) -> str:
    """`database` on the test's PostgreSQL server."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database}"


@pytest.fixture(scope="module")
def scratch_database():
    """A freshly migrated database of this module's own, dropped afterwards: every run
    removes its rows, so the tests share it."""
    name = f"oms_bench_capture_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url("postgres"), autocommit=True) as server:
        server.execute(f"CREATE DATABASE {name}")
    try:
        url = server_url(name)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=ROOT,
            env=process_env(DATABASE_URL=url, REDIS_URL=""),
            check=True,
            timeout=120,
        )
        yield url
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _bench(database: str, *arguments: str, **env: str) -> dict:
    """Run the script with no broker (no Celery worker, no shared queue); its JSON report."""
    done = subprocess.run(
        [sys.executable, "bench/capture.py", "--setup", *arguments],
        cwd=ROOT,
        env=process_env(DATABASE_URL=database, REDIS_URL="", EMAIL_URL="console://", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _rows_left(database: str) -> tuple[int, ...]:
    with psycopg.connect(database) as db:
        return db.execute(
            "SELECT (SELECT count(*) FROM orders_order), (SELECT count(*) FROM orders_customer),"
            " (SELECT count(*) FROM orders_address), (SELECT count(*) FROM inventory_product),"
            " (SELECT count(*) FROM orders_saleschannel)"
        ).fetchone()


def _assert_statements(report: dict, sampled: int) -> None:
    counted = report["statements"]
    assert counted["sampled"] == sampled
    assert 0 < counted["average"] <= counted["max"]
    assert counted["two_line_known_customer"] > 0


@pytest.fixture(scope="module")
def running_server(scratch_database, tmp_path_factory):
    """gunicorn started by hand, as bench/README.md runs it without --serve: no Redis."""
    env = process_env(DATABASE_URL=scratch_database, REDIS_URL="", EMAIL_URL="console://")
    port, log = free_port(), tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = start(
        [sys.executable, "-m", "gunicorn", "oms.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        env,
        log,
    )
    try:
        wait_for(lambda: _listening(port) or server.poll() is not None, timeout=60)
        assert server.poll() is None, log.read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        kill(server)


def test_a_tiny_run_against_a_running_server_reports_both_phases_and_removes_its_rows(
    scratch_database, running_server
):
    report = _bench(
        scratch_database, "--url", running_server, "-n", "4", "-c", "2", "--sample", "2"
    )

    assert set(report) == {"mode", "orders", "machine", "server", "runs", "statements"}
    assert (report["mode"], report["orders"], report["server"]["started"]) == ("api", 4, False)
    [run] = report["runs"]
    assert run["clients"] == 2
    assert set(run["api"]) == API_KEYS | CPU_KEYS
    assert set(run["plain_sql"]) == SQL_KEYS
    for phase in ("api", "plain_sql"):
        assert run[phase]["errors"] == 0
        assert run[phase]["orders_per_second"] > 0
    assert run["api"]["app_cpu_ms_per_order"] is None  # not our server: its pids are unknown
    assert run["ratio"] > 0
    _assert_statements(report, 2)
    assert _rows_left(scratch_database) == (0, 0, 0, 0, 0)


def test_serve_runs_each_client_count_on_keep_alive_connections_and_stops_the_server(
    scratch_database,
):
    report = _bench(scratch_database, "--serve", "--workers", "2", "-n", "4", "--clients", "1,2")

    server = report["server"]
    assert (server["started"], server["worker_class"], server["workers"]) == (True, "gthread", 2)
    assert server["celery_worker"] is False  # no REDIS_URL: the web process sends the emails
    assert [run["clients"] for run in report["runs"]] == [1, 2]
    for run in report["runs"]:
        api = run["api"]
        assert (api["errors"], run["plain_sql"]["errors"]) == (0, 0)
        assert api["connections"] == run["clients"]  # kept alive: one per client
        assert api["confirmations_sent"] is True
        assert api["app_cpu_ms_per_order"] > 0
        assert api["db_cpu_ms_per_order"] >= 0
        assert api["worker_cpu_ms_per_order"] is None
        assert run["plain_sql"]["db_cpu_ms_per_order"] >= 0
    assert not _listening(urlsplit(server["url"]).port)
    assert _rows_left(scratch_database) == (0, 0, 0, 0, 0)


def test_many_clients_after_one_sku_leave_the_stock_exact(scratch_database, running_server):
    report = _bench(
        scratch_database,
        *("--url", running_server, "--hot-sku", "--hot-stock", "5"),
        *("--hot-orders", "10", "--hot-clients", "4", "--sample", "2"),
    )

    hot = report["hot_sku"]
    assert (report["mode"], hot["clients"], hot["orders"], hot["stock"]) == ("hot_sku", 4, 10, 5)
    assert (hot["ready"], hot["backordered"], hot["errors"]) == (5, 5, 0)
    assert hot["level"] == {"on_hand": 5, "allocated": 5}
    assert hot["exact"] is True, hot["checks"]
    assert _rows_left(scratch_database) == (0, 0, 0, 0, 0)


def test_in_process_beside_existing_orders_counts_statements_and_removes_the_seed(
    scratch_database,
):
    report = _bench(
        scratch_database, "--in-process", "-n", "5", "--existing", "50", "--sample", "3"
    )

    assert (report["mode"], report["orders"]) == ("in_process", 5)
    assert report["existing"]["orders"] == 50
    assert set(report["existing"]) == {
        "orders",
        "insert_seconds",
        "vacuum_analyze_seconds",
        "remove_seconds",
    }
    captured = report["in_process"]
    assert captured["errors"] == 0
    assert captured["orders_per_second"] > 0
    assert captured["app_cpu_ms_per_order"] > 0
    _assert_statements(report, 3)
    assert _rows_left(scratch_database) == (0, 0, 0, 0, 0)
    windows = captured["lock_window"]
    assert windows["captures_timed"] == 5  # every capture took its locks once
    assert 0 < windows["held"]["p50_ms"] <= windows["from_request"]["p50_ms"]


def test_hot_sku_in_processes_times_the_lock_windows_and_leaves_the_stock_exact(
    scratch_database,
):
    report = _bench(
        scratch_database,
        *("--in-process", "--hot-sku", "--hot-stock", "3", "--hot-orders", "6"),
        *("--hot-clients", "2"),
    )

    hot = report["hot_sku"]
    assert (report["mode"], hot["processes"], hot["orders"]) == ("hot_sku_in_process", 2, 6)
    assert (hot["ready"], hot["backordered"], hot["errors"]) == (3, 3, 0)
    assert hot["exact"] is True, hot["checks"]
    assert hot["lock_window"]["captures_timed"] == 6
    assert _rows_left(scratch_database) == (0, 0, 0, 0, 0)
