"""A mail server for tests: it stands in for the SMTP server, the outside party an email goes to.

It listens on a free local port, speaks enough SMTP for Django's SMTP backend and keeps each
message it took (answered 250 to). Told to, it stalls the next conversation when the client says
DATA, so a test can kill the sender mid-send: that message was never taken, as with a real server
whose client vanished before sending it. It can also refuse one later message (554 after its
data), as a server does that takes some messages of a conversation and not others.
"""

import contextlib
import email
import socketserver
import threading
from email.message import Message

import pytest

STALL_LIMIT_SECONDS = 120


class _Conversation(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.mail.count_connection()
        # OSError: the client died mid-conversation, and nothing was taken.
        with contextlib.suppress(OSError):
            self._converse(self.server.mail)

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def _converse(self, mail: "MailServer") -> None:
        self._reply("220 test-mail ready")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply("250 test-mail")
            elif verb == b"DATA":
                if mail.take_stall():
                    mail.stalled.set()
                    mail.released.wait(timeout=STALL_LIMIT_SECONDS)
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                raw = self._read_message()
                if raw is None:
                    return
                if mail.take(raw):
                    self._reply("250 OK: queued")
                else:
                    self._reply("554 Transaction failed: refused")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self._reply("250 OK")

    def _read_message(self) -> bytes | None:
        lines = []
        while line := self.rfile.readline():
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b"..") else line)
        return None  # the connection dropped before the end of the message


class MailServer:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.stalled = threading.Event()  # a conversation is waiting at DATA
        self.released = threading.Event()  # let it go on
        self._stall_next = False
        self._refuse_at: int | None = None  # refuse the message received this many from now
        self.connections = 0  # the conversations clients opened
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Conversation)
        self._server.daemon_threads = True
        self._server.mail = self
        self.port = self._server.server_address[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def stall_next_message(self) -> None:
        with self._lock:
            self._stall_next = True

    def take_stall(self) -> bool:
        with self._lock:
            stall, self._stall_next = self._stall_next, False
            return stall

    def refuse_message(self, number: int) -> None:
        """Refuse the `number`-th message received from now on (1 is the next one)."""
        with self._lock:
            self._refuse_at = number

    def count_connection(self) -> None:
        with self._lock:
            self.connections += 1

    def take(self, raw: bytes) -> bool:
        """Keep the message, unless it is the one to refuse; True when it was taken."""
        with self._lock:
            if self._refuse_at is not None:
                self._refuse_at -= 1
                if self._refuse_at == 0:
                    self._refuse_at = None
                    return False
            self.messages.append(email.message_from_bytes(raw))
            return True

    def use_for(self, settings) -> None:
        """Point this process's email settings (pytest-django's `settings`) at the server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def mail_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()
