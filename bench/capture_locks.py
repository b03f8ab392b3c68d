"""How long a capture holds its stock locks: from the moment its levels are locked to the end of
its commit, timed in this process around `orders.services.capture_store`'s two ways of taking
them (`lock_levels_by_id` just before the writes; `read_catalog(lock=True)` when a capture runs
again planning under locks after the stock moved).

The timing wraps the module's functions for the duration of a `with LockWindows():` block and
puts them back afterwards; nothing else changes. The end of the commit is seen by a
`transaction.on_commit` callback registered as the locks are taken (callbacks run right after
the COMMIT returns). Thread-safe, though the in-process hot-SKU run uses one per process.
"""

import threading
import time

from bench.capture_load import percentile


class LockWindows:
    def __init__(self) -> None:
        self.windows_ms: list[float] = []
        self.planned_under_locks = 0
        self._guard = threading.Lock()

    def __enter__(self) -> "LockWindows":
        from orders.services import capture_store

        self._module = capture_store
        self._originals = (capture_store.lock_levels_by_id, capture_store.read_catalog)
        lock_levels_by_id, read_catalog = self._originals

        def timed_lock(ids):
            levels = lock_levels_by_id(ids)
            self._until_commit(time.perf_counter())
            return levels

        def timed_read(skus, *, lock):
            catalog = read_catalog(skus, lock=lock)
            if lock:
                with self._guard:
                    self.planned_under_locks += 1
                self._until_commit(time.perf_counter())
            return catalog

        capture_store.lock_levels_by_id, capture_store.read_catalog = timed_lock, timed_read
        return self

    def __exit__(self, *exc) -> None:
        self._module.lock_levels_by_id, self._module.read_catalog = self._originals

    def _until_commit(self, locked_at: float) -> None:
        from django.db import transaction

        def committed() -> None:
            with self._guard:
                self.windows_ms.append((time.perf_counter() - locked_at) * 1000)

        transaction.on_commit(committed)

    def summary(self) -> dict:
        return self.summarize(self.windows_ms, self.planned_under_locks)

    @staticmethod
    def summarize(windows: list[float], planned_under_locks: int) -> dict:
        return {
            "captures_timed": len(windows),
            "p50_ms": round(percentile(windows, 0.50), 2),
            "p95_ms": round(percentile(windows, 0.95), 2),
            "max_ms": round(max(windows, default=0.0), 2),
            "planned_under_locks": planned_under_locks,
        }
