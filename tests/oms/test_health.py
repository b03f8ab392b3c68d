import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from oms.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    WorkerHeartbeat.objects.create(hostname="celery@box", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["workers"][0]["hostname"] == "celery@box"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=15) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("postgres://postgres@127.0.0.1:{dead_port}/oms", id="postgresql-down"),
        pytest.param("sqlite:////nonexistent-dir/{dead_port}/oms.sqlite3", id="sqlite-missing"),
    ],
)
def test_healthz_is_503_when_the_database_is_unreachable(database_url):
    port, dead_port = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "true",
        "DATABASE_URL": database_url.format(dead_port=dead_port),
        "DATABASE_POOL_TIMEOUT": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "oms.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status, body = get_when_up(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert status == 503
    assert b'"status": "unavailable"' in body
    assert b'"database": {"ok": false' in body
