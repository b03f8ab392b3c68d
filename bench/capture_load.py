"""The API clients of `bench/capture.py`: C threads, one keep-alive connection each, posting
planned orders to `POST /api/v1/orders/` until none is left."""

import http.client
import itertools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def in_parallel(count: int, handlers: list) -> float:
    """Hand indexes 0…count-1 to the handlers, one thread each, until none is left; returns the
    seconds it took. On an error or Ctrl-C the threads stop after their current index."""
    cursor, lock, stop = itertools.count(), threading.Lock(), threading.Event()

    def drain(handle) -> None:
        while not stop.is_set():
            with lock:
                index = next(cursor)
            if index >= count:
                return
            handle(index)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(handlers)) as pool:
        futures = [pool.submit(drain, handle) for handle in handlers]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    return time.perf_counter() - started


@dataclass
class ApiResult:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # ms, one per request
    errors: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # the captured orders' `status`
    connections: int = 0  # TCP connections opened: the client count when keep-alive holds

    def summary(self, orders: int) -> dict:
        captured = orders - len(self.errors)
        return {
            "seconds": round(self.seconds, 2),
            "orders_per_second": round(captured / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(self.latencies, 0.50), 1),
            "p95_ms": round(percentile(self.latencies, 0.95), 1),
            "errors": len(self.errors),
            "connections": self.connections,
        }


def run_api(url: str, key: str, bodies: list[bytes], clients: int, timeout: float) -> ApiResult:
    """POST every body once from `clients` threads."""
    target = urlsplit(url)
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    result, lock = ApiResult(), threading.Lock()

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            with lock:
                result.connections += 1

    def client(connection: Connection):
        def post(index: int) -> None:
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders/", bodies[index], headers)
                response = connection.getresponse()
                status, payload = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()  # the next request opens a fresh connection
                status, payload = 0, repr(error).encode()
            result.latencies.append((time.perf_counter() - started) * 1000)
            if status == 201:
                result.statuses.append(json.loads(payload).get("status", ""))
            else:
                result.errors.append(f"{status}: {payload[:200].decode(errors='replace')}")

        return post

    connections = [
        Connection(target.hostname, target.port or 80, timeout=timeout) for _ in range(clients)
    ]
    try:
        result.seconds = in_parallel(len(bodies), [client(c) for c in connections])
    finally:
        for connection in connections:
            connection.close()
    return result
