"""The background runner: a web process without a broker does its tasks in a thread of its own.

With `OMS_TASK_RUNNER=background` (the default without `REDIS_URL`) there is no worker. Running
a task inside `.delay()` (Celery's eager mode) would make the request that committed the work
send the email and POST the webhooks itself, and one slow mail server or receiver would hold
the request, and the person waiting on it, for as long as it takes. Instead, a web process
(`oms/wsgi.py` calls `serve()`) starts one daemon thread that, as a worker and beat would:

- runs the tasks the process sends with `.delay()` / `.apply_async()`, no earlier than their
  countdown or eta. It runs them as a worker does (`request.is_eager` is False), not as eager
  mode does: a retry is scheduled for later instead of run at once, and another process's lease
  on owed work (gunicorn runs several, each with its runner) is respected;
- sends the periodic tasks of `CELERY_BEAT_SCHEDULE` at their intervals (numbers of seconds,
  timedeltas or Celery schedules), the first one interval after the start, as beat does. The
  queue lives in memory only: a stopped process loses it, and the next one's sweeps find the
  work still owed in the database;
- closes its database connections after each task, so it holds no connection or transaction
  while it waits.

A task that raises is logged (by Celery's tracer, as in a worker), and the thread goes on.

Other processes (`manage.py migrate`, `seed_demo`, `check`, the shell, the test suite) never
start it: their tasks run in the caller as before, so a command has done its work when it
returns, and no thread keeps it alive or dies with work in hand when it exits.
"""

import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import celery
from celery.app.trace import build_tracer
from celery.result import AsyncResult
from celery.schedules import maybe_schedule
from celery.utils import uuid
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from kombu import serialization

from oms.celery import app as celery_app

logger = logging.getLogger(__name__)

HOSTNAME = f"background@{socket.gethostname()}"


class Task(celery.Task):
    """The base of every OMS task (`oms/celery.py`): while this process's runner runs, sending a
    task hands it to the runner; otherwise Celery sends it to the broker or runs it eagerly."""

    def apply_async(self, args=None, kwargs=None, **options):
        if runner.running:
            return runner.submit(self, args, kwargs, **options)
        return super().apply_async(args, kwargs, **options)


@dataclass(order=True)
class _Job:
    due: float  # time.monotonic()
    order: int  # first come, first served among jobs due together
    run: Callable[[], None] = field(compare=False)


class BackgroundRunner:
    def __init__(self) -> None:
        self._jobs: list[_Job] = []  # a heap, soonest first
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._beat_schedule: dict | None = None
        self._tracers: dict[str, Callable] = {}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, beat_schedule: dict) -> None:
        """Start the thread; it sends the periodic tasks of `beat_schedule` (the shape of
        CELERY_BEAT_SCHEDULE; `{}` for none)."""
        if self.running:
            return
        with self._wake:
            self._stopping = False
            self._jobs.clear()
        self._beat_schedule = beat_schedule
        for entry in beat_schedule.values():
            self._add_periodic(entry)
        self._thread = threading.Thread(target=self._loop, name="oms-background", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Stop after the task in hand. Waiting jobs are dropped: their work is owed in the
        database, and the next runner's sweeps find it."""
        with self._wake:
            self._stopping = True
            self._jobs.clear()
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)
        self._beat_schedule = None

    def submit(self, task: celery.Task, args=None, kwargs=None, **options) -> AsyncResult:
        """Queue `task` to run after its countdown or eta, with the arguments a broker would
        deliver (through the task's serializer: what a worker could not take fails here)."""
        content_type, encoding, data = serialization.dumps(
            (args or (), kwargs or {}), task.serializer
        )
        args, kwargs = serialization.loads(data, content_type, encoding, accept=[content_type])
        task_id = options.get("task_id") or uuid()
        retries = options.get("retries") or 0
        eta = options.get("eta")
        delay = _seconds_until(eta) if eta else options.get("countdown") or 0
        self._add(lambda: self._execute(task, task_id, args, kwargs, retries), delay)
        return task.AsyncResult(task_id)

    def _add(self, run: Callable[[], None], delay: float) -> None:
        with self._wake:
            due = time.monotonic() + max(0.0, delay)
            heapq.heappush(self._jobs, _Job(due, next(self._order), run))
            self._wake.notify()

    def _add_periodic(self, entry: dict) -> None:
        """Send the entry's task every interval, as beat does (whether or not the last one ran)."""
        schedule = maybe_schedule(entry["schedule"], app=celery_app)

        def send() -> None:
            self._add(send, schedule.remaining_estimate(schedule.now()).total_seconds())
            task = celery_app.tasks[entry["task"]]
            self.submit(task, entry.get("args"), entry.get("kwargs"), **entry.get("options", {}))

        self._add(send, schedule.remaining_estimate(schedule.now()).total_seconds())

    def _loop(self) -> None:
        # Periodic tasks are sent by name: load every app's tasks module first. (Not Celery's
        # `import_default_modules`: it sets Django up again, logging included, and runs checks.)
        autodiscover_modules("tasks")
        while True:
            with self._wake:
                while not self._stopping and not self._next_is_due():
                    self._wake.wait(self._jobs[0].due - time.monotonic() if self._jobs else None)
                if self._stopping:
                    return
                job = heapq.heappop(self._jobs)
            try:
                job.run()
            except Exception:
                logger.exception("The background runner could not run a job")
            finally:
                connections.close_all()

    def _next_is_due(self) -> bool:
        return bool(self._jobs) and self._jobs[0].due <= time.monotonic()

    def _execute(self, task: celery.Task, task_id: str, args, kwargs, retries: int) -> None:
        """Run the task as a worker would. Celery's tracer logs a failure; a retry goes through
        `apply_async`, so back into this runner, after its countdown."""
        if task.name not in self._tracers:
            self._tracers[task.name] = build_tracer(task.name, task, app=task.app)
        request = {
            "id": task_id,
            "task": task.name,
            "args": args,
            "kwargs": kwargs,
            "retries": retries,
            "is_eager": False,
            "hostname": HOSTNAME,
            "delivery_info": {"is_eager": False},
        }
        self._tracers[task.name](task_id, args, kwargs, request)

    def _restart_after_fork(self) -> None:
        """A forked child (gunicorn `--preload`) has none of its parent's threads, and a lock the
        parent's thread held stays held: a runner that ran starts afresh."""
        if self._beat_schedule is not None:
            self._wake, self._jobs, self._thread = threading.Condition(), [], None
            self.start(beat_schedule=self._beat_schedule)


def _seconds_until(eta: datetime | str) -> float:
    if isinstance(eta, str):
        eta = datetime.fromisoformat(eta)
    if timezone.is_naive(eta):
        eta = eta.replace(tzinfo=UTC)  # Celery reads a naive eta in its timezone, UTC here
    return (eta - timezone.now()).total_seconds()


runner = BackgroundRunner()
os.register_at_fork(after_in_child=runner._restart_after_fork)


def serve() -> None:
    """This process serves requests (`oms/wsgi.py`): with `OMS_TASK_RUNNER=background`, its tasks
    and the periodic sweeps run in the background runner."""
    if settings.OMS_TASK_RUNNER == "background":
        runner.start(beat_schedule=settings.CELERY_BEAT_SCHEDULE)
