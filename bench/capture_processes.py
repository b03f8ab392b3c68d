"""The processes `bench/capture.py` measures: the server it starts itself (`--serve`) and the CPU
time the server, the Celery worker and PostgreSQL spend, read from /proc.

gunicorn runs the `gthread` worker class: the default `sync` worker answers every request with
`Connection: close`, so each client would open a TCP connection per order; `gthread` keeps them
open (`--keep-alive`), which is what a load balancer with upstream keep-alive does.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
KEEP_ALIVE_SECONDS = 30
READY_TIMEOUT = 60.0


# --- CPU time from /proc ---------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system clock ticks) of a live process, or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 3
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit()]


def process_tree(root: int) -> list[int]:
    """`root` and every process below it (gunicorn's workers, Celery's pool children)."""
    children: dict[int, list[int]] = {}
    for pid in _pids():
        if stat := _stat(pid):
            children.setdefault(stat[0], []).append(pid)
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def postgres_database(title: str) -> str | None:
    """The database a PostgreSQL process works for, from its title (`postgres: 15/main: user
    db 127.0.0.1(5432) idle`, `postgres: autovacuum worker db`); None for the server's own
    processes (postmaster, checkpointer, writers, launchers)."""
    if not title.startswith("postgres:"):
        return None
    words = title.split(": ")[-1].split()
    if words[:2] == ["autovacuum", "worker"]:
        return words[2] if len(words) > 2 else None
    if len(words) >= 3 and ("(" in words[2] or words[2] == "[local]"):
        return words[1]
    return None


def postgres_pids(database: str) -> list[int]:
    """The server's own processes and the backends of `database`: backends of other databases
    on a shared server (other people's tests) are left out."""
    pids = []
    for pid in _pids():
        if _comm(pid) == "postgres" and postgres_database(_title(pid)) in (None, database):
            pids.append(pid)
    return pids


@dataclass
class CpuMeter:
    """Samples the CPU time of the app (gunicorn master and workers), the Celery worker, this
    database's PostgreSQL processes and this client process. A process that ends between two
    samples loses its time since the first (pooled connections rarely end mid-phase)."""

    database: str
    app_pid: int | None = None
    worker_pid: int | None = None

    def sample(self) -> dict[str, dict[int, int]]:
        groups = {
            "app": process_tree(self.app_pid) if self.app_pid else [],
            "worker": process_tree(self.worker_pid) if self.worker_pid else [],
            "db": postgres_pids(self.database),
            "client": [os.getpid()],
        }
        return {
            name: {pid: stat[1] for pid in pids if (stat := _stat(pid))}
            for name, pids in groups.items()
        }

    def ms_per_order(self, before: dict, after: dict, orders: int) -> dict[str, float | None]:
        """`<group>_cpu_ms_per_order` for every group this meter can see."""
        report = {}
        unseen = {"app"} if not self.app_pid else set()
        unseen |= {"worker"} if not self.worker_pid else set()
        for name, ticks in after.items():
            if name in unseen:
                report[f"{name}_cpu_ms_per_order"] = None
                continue
            spent = sum(now - before[name].get(pid, 0) for pid, now in ticks.items())
            milliseconds = spent * 1000 / TICKS_PER_SECOND
            report[f"{name}_cpu_ms_per_order"] = round(milliseconds / max(orders, 1), 2)
        return report


# --- the server ------------------------------------------------------------------------------


@dataclass
class Served:
    url: str
    port: int
    app: subprocess.Popen
    worker: subprocess.Popen | None
    logs: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], log: Path) -> subprocess.Popen:
    """In a process group of its own, so stopping it takes its children too."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={"EMAIL_URL": "console://", **os.environ},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the group (gunicorn and Celery shut down cleanly), SIGKILL if it lingers."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait_until(ready, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{log.read_text()[-3000:]}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _worker_answers() -> bool:
    from oms.celery import app

    return bool(app.control.ping(timeout=0.5))


@contextlib.contextmanager
def served(workers: int, threads: int, logs: Path) -> Iterator[Served]:
    """gunicorn on a free 127.0.0.1 port and, when `REDIS_URL` is set, a Celery worker (one
    process), with this process's environment; both stopped on the way out, error or not."""
    port = free_port()
    app_command = [sys.executable, "-m", "gunicorn", "oms.wsgi", "-b", f"127.0.0.1:{port}"]
    app_command += ["-w", str(workers), "-k", "gthread", "--threads", str(threads)]
    app_command += ["--keep-alive", str(KEEP_ALIVE_SECONDS)]
    worker_command = [sys.executable, "-m", "celery", "-A", "oms", "worker"]
    worker_command += ["--concurrency", "1", "--loglevel", "WARNING"]
    app = _start(app_command, logs / "gunicorn.log")
    worker = None
    try:
        if os.environ.get("REDIS_URL"):
            worker = _start(worker_command, logs / "celery.log")
        _wait_until(lambda: _healthy(port), app, logs / "gunicorn.log", "gunicorn")
        if worker:
            _wait_until(_worker_answers, worker, logs / "celery.log", "the Celery worker")
        yield Served(f"http://127.0.0.1:{port}", port, app, worker, logs)
    finally:
        _stop(app)
        if worker:
            _stop(worker)


def wait_for(condition, timeout: float) -> bool:
    """Poll `condition` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())
