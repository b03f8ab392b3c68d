"""Helpers for tests that race real threads against the database."""

import threading
import time

from django.db import connections


def run_concurrently(count: int, work) -> list[tuple[str, object]]:
    """Start `count` threads together; each runs work(i) on its own database connection.

    Returns one ("ok", result) or ("error", exception) per thread, in thread order.
    """
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("missing", None)] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", work(index))
        except Exception as error:  # the outcome under test, recorded per thread
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
