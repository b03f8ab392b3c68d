"""`bench/capture.py` keeps working: a tiny run against gunicorn on a scratch database.

The figures themselves are not asserted (timings belong to the benchmark's printout); what is
asserted is that both phases capture every order, that the report has the keys
bench/README.md documents, and that the run removes what it created.
"""

import json
import socket
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import connection

from tests.concurrency import wait_for
from tests.workers import ROOT, free_port, kill, process_env, start

pytestmark = pytest.mark.postgres


def server_url(database: str) -> str:
    """`database` on the test's PostgreSQL server."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database}"


@pytest.fixture
def scratch_database():
    """A freshly migrated database of this test's own, dropped afterwards."""
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


def test_a_tiny_run_reports_both_phases_and_removes_its_rows(scratch_database, tmp_path):
    # As bench/README.md runs it: gunicorn, no Redis (confirmations sent in the web process).
    env = process_env(DATABASE_URL=scratch_database, REDIS_URL="", EMAIL_URL="console://")
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = start(
        [sys.executable, "-m", "gunicorn", "oms.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        env,
        log,
    )
    try:
        wait_for(lambda: _listening(port) or server.poll() is not None, timeout=60)
        assert server.poll() is None, log.read_text()
        url = f"http://127.0.0.1:{port}"
        done = subprocess.run(
            [sys.executable, "bench/capture.py", "--url", url, "--setup", "-n", "4", "-c", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        kill(server)
    assert done.returncode == 0, done.stderr[-3000:] + log.read_text()[-3000:]
    report = json.loads(done.stdout)

    assert set(report) == {"orders", "concurrency", "api", "plain_sql", "ratio"}
    assert (report["orders"], report["concurrency"]) == (4, 2)
    assert set(report["api"]) == {"seconds", "orders_per_second", "p50_ms", "p95_ms", "errors"}
    assert set(report["plain_sql"]) == {"seconds", "orders_per_second", "errors"}
    for phase in ("api", "plain_sql"):
        assert report[phase]["errors"] == 0
        assert report[phase]["orders_per_second"] > 0
    assert report["ratio"] > 0
    with psycopg.connect(scratch_database) as database:
        left = database.execute(
            "SELECT (SELECT count(*) FROM orders_order), (SELECT count(*) FROM orders_customer),"
            " (SELECT count(*) FROM inventory_product)"
        ).fetchone()
    assert left == (0, 0, 0)
