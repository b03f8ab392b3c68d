"""How long a capture holds its stock locks, timed in this process around the three ways
capture takes them (`orders.services.capture_store` and `capture_reads`):
`stock_reserve_guarded` (the one statement that locks and reserves, the usual way),
`lock_levels_by_id` (a plan with a shortfall) and `read_catalog_later(lock=True)` (a capture
run again, planning under locks, after the stock moved).

Two figures per capture, both ending when its COMMIT has returned (a `transaction.on_commit`
callback registered as the locks are taken): `held`, from the moment the locking call returned,
and `from_request`, from the moment it was made, which adds the wait for other captures' locks
and the locking statement itself — an upper bound on how long the locks were held.

The timing wraps the module's functions for the duration of a `with LockWindows():` block and
puts them back afterwards; nothing else changes.
"""

import importlib
import threading
import time

from bench.capture_load import percentile

# Where capture looks each one up: (module, name).
WRAPPED = (
    ("orders.services.capture_store", "stock_reserve_guarded"),
    ("orders.services.capture_store", "lock_levels_by_id"),
    ("orders.services.capture_reads", "read_catalog_later"),
)


class LockWindows:
    def __init__(self) -> None:
        self.held_ms: list[float] = []
        self.from_request_ms: list[float] = []
        self.planned_under_locks = 0
        self._guard = threading.Lock()

    def __enter__(self) -> "LockWindows":
        self._originals = {}
        for module_name, name in WRAPPED:
            module = importlib.import_module(module_name)
            self._originals[(module, name)] = original = getattr(module, name)
            setattr(module, name, self._timed(name, original))
        return self

    def __exit__(self, *exc) -> None:
        for (module, name), original in self._originals.items():
            setattr(module, name, original)

    def _timed(self, name: str, original):
        def timed(*args, **kwargs):
            if name == "read_catalog_later" and not kwargs.get("lock"):
                return original(*args, **kwargs)
            requested = time.perf_counter()
            result = original(*args, **kwargs)
            self._until_commit(requested, time.perf_counter(), name == "read_catalog_later")
            return result

        return timed

    def _until_commit(self, requested: float, locked: float, under_locks: bool) -> None:
        from django.db import transaction

        def committed() -> None:
            now = time.perf_counter()
            with self._guard:
                self.held_ms.append((now - locked) * 1000)
                self.from_request_ms.append((now - requested) * 1000)
                self.planned_under_locks += under_locks

        transaction.on_commit(committed)

    def summary(self) -> dict:
        return self.summarize(self.held_ms, self.from_request_ms, self.planned_under_locks)

    @staticmethod
    def summarize(held: list[float], from_request: list[float], planned_under_locks: int) -> dict:
        def figures(windows: list[float]) -> dict:
            return {
                "p50_ms": round(percentile(windows, 0.50), 2),
                "p95_ms": round(percentile(windows, 0.95), 2),
                "max_ms": round(max(windows, default=0.0), 2),
            }

        return {
            "captures_timed": len(held),
            "held": figures(held),
            "from_request": figures(from_request),
            "planned_under_locks": planned_under_locks,
        }
