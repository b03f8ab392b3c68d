"""Real processes for tests that kill one mid-work: a Celery worker (or the web server) on this
test's database, and a queue of the test's own so parallel test processes never steal tasks."""

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from oms.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def own_queue():
    """Send tasks to a queue of this test's own, so parallel test processes never steal them."""
    queue = f"test-{uuid.uuid4().hex}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a process working on this test's database (and broker, if any)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": django_settings.REDIS_URL,
    }
    env.update(extra)
    return {name: value for name, value in env.items() if value}


def start(command: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """Start `command` in a process group of its own, so `kill` takes its children too; its
    output goes to `log` (for the failure message of a test whose process exited)."""
    output = log.open("wb") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if log:
            output.close()


def worker_process(queue: str, log: Path | None = None, **env: str) -> subprocess.Popen:
    """A real `celery worker` in its own process, consuming this test's queue."""
    command = [sys.executable, "-m", "celery", "-A", "oms", "worker", "--pool", "solo"]
    command += ["-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"]
    return start([*command, "--loglevel", "WARNING"], process_env(**env), log)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the process and its children: no cleanup runs, as when a machine dies."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def run_embedded(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run Python `code` in a fresh process set up as a bare machine would be: no DATABASE_URL
    or REDIS_URL (a SQLite file under `tmp_path`), only PATH, HOME and LANG from here."""
    environment = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **environment,
            "DJANGO_SETTINGS_MODULE": "oms.settings",
            "DEBUG": "true",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
