"""A real HTTP server on 127.0.0.1 that records what outbound webhooks send it.

`webhook_receiver` is imported by `tests/conftest.py`, so every app's tests can use it.
"""

import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

STALL_LIMIT_SECONDS = 120


def _set_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: Message  # case-insensitive lookup, like any HTTP server's
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with `statuses` in turn, then 200 with `reply`; records every request.

    After `stall()` it is a slow receiver: each request waits, before it is recorded and
    answered, until `released` is set (`stalled` says one is waiting).
    """

    url: str
    statuses: list[int] = field(default_factory=list)
    reply: bytes = b"ok"
    requests: list[ReceivedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stalled: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=_set_event)

    def stall(self) -> None:
        self.released.clear()


class RecordingHandler(BaseHTTPRequestHandler):
    def _record(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not receiver.released.is_set():
            receiver.stalled.set()
            receiver.released.wait(timeout=STALL_LIMIT_SECONDS)
        with receiver.lock:
            receiver.requests.append(ReceivedRequest(self.command, self.path, self.headers, body))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
        reply = receiver.reply if status < 300 else b"upstream exploded"
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/moved")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_POST = _record
    do_GET = _record

    def log_message(self, format, *args):
        pass


@pytest.fixture
def webhook_receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.receiver
    server.receiver.released.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
