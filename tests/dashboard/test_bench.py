"""`bench/dashboard.py` keeps working: a tiny run loads a scratch database, measures and drops it.

The figures themselves are not asserted (timings belong to the benchmark's printout); what is
asserted is that the script runs end to end and reports what its README promises.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def server_url() -> str:
    """The test server's maintenance database: the script makes its own scratch database."""
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/postgres"


def test_a_tiny_run_loads_measures_and_drops_its_database():
    env = {
        **os.environ,
        "DATABASE_URL": server_url(),
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver",
    }
    done = subprocess.run(
        [
            sys.executable,
            "bench/dashboard.py",
            "--sizes",
            "600",
            "1200",
            "--repeat",
            "1",
            "--orders-per-day",
            "200",
            "--reload",
            "--drop",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)

    assert report["orders_per_day"] == 200
    small, large = report["runs"]
    assert (small["orders"], small["days"]) == (600, 3)
    assert (large["orders"], large["days"]) == (1200, 6)
    assert large["rows"]["order"] == 1200
    for run in report["runs"]:
        assert set(run["dashboard_selectors_ms"]) == {"today", "7d", "30d", "7d_one_channel"}
        assert run["dashboard_selectors_ms"]["7d"]["queries"] <= 18
        assert set(run["order_queue_request_ms"]) == {"all orders", "needs attention", "late"}
        assert run["dashboard_request_ms"]["7d"]["queries"] <= 24
    assert "dashboard_request_ms.7d" in report["ratio_largest_to_smallest"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = ANY(%s)",
            [[run["database"] for run in report["runs"]]],
        )
        (left,) = cursor.fetchone()
    assert left == 0
