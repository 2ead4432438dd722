"""A real threaded HTTP server for the emulator: cheroot, with AWS-shaped errors.

Why cheroot. boto3 UpdateRecords+ListRecords pairs per second against each
candidate (``tests/emulator/server_benchmark.py``: same app and memory storage,
each server in its own process, best of three interleaved 3 s runs, on this 2-core
machine while other work was running on it, so read the ratios, not the values):

=====================================  ===============  ================
server                                 1 client thread  4 client threads
=====================================  ===============  ================
wsgiref + ThreadingMixIn (HTTP/1.0)    290              410
waitress 3.0 (4 threads)               412              879
cheroot 11.1 (16 threads)              468              868
=====================================  ===============  ================

On a quiet moment a single client measured 673 pairs/s against both waitress and
cheroot. wsgiref pays a new TCP connection per request (no keep-alive).

Speed does not separate cheroot from waitress; correctness does. Only cheroot
hands the application the request as soon as its headers are parsed and lets it
read the body itself, which the wire needs to refuse an over-cap body WITHOUT
reading it (WIRE-4). waitress buffers every body before calling the application and
answers an over-cap one with its own plain-text 413; wsgiref speaks HTTP/1.0 only
(no keep-alive, no chunked bodies).

Two small extensions of cheroot's request class keep the wire's promises:
- errors cheroot answers itself (a malformed request line or header, an unknown
  Transfer-Encoding, an unsupported HTTP version, an over-long URI, a full queue)
  get the AWS error shape; client mistakes are 400 InvalidParameterException (never
  a 5xx, WIRE-4) and a full queue is 429 TooManyRequestsException;
- when the application answers ``Connection: close`` (a refused body), the answer is
  sent first and the unread rest of the body is then drained for a bounded time and
  size and thrown away, so the client reads the 400 instead of a connection reset.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cheroot import server as cheroot_server
from cheroot import wsgi as cheroot_wsgi

from cogsync.emulator.errors import (
    InternalErrorException,
    InvalidParameterException,
    ServiceError,
    TooManyRequestsException,
)
from cogsync.emulator.wire import CognitoSyncApp

DEFAULT_THREADS = 16
_DRAIN_SECONDS = 5.0
_DRAIN_BYTES = 256 * 1024 * 1024


def _shaped_error(status: str, detail: str) -> ServiceError:
    code = int(status[:3]) if status[:3].isdigit() else 400
    if code == 503:
        return TooManyRequestsException("The server is busy; retry later")
    if code == 500:
        return InternalErrorException(detail or "Internal error")
    return InvalidParameterException(f"Malformed HTTP request ({status}): {detail}".strip())


class _AwsShapedRequest(cheroot_server.HTTPRequest):
    """cheroot's request, with AWS-shaped server errors and a lingering close."""

    _linger = False

    def simple_response(self, status: Any, msg: Any = "") -> None:
        status = str(status)
        if not status[:1].isdigit() or int(status[:3]) < 400:
            super().simple_response(status, msg)
            return
        detail = msg.decode("latin-1") if isinstance(msg, bytes) else str(msg or "")
        error = _shaped_error(status, detail)
        body = json.dumps({"message": error.message, "__type": error.error_type}).encode()
        head = (
            f"{self.server.protocol} {error.status} {_PHRASES.get(error.status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"x-amzn-ErrorType: {error.error_type}\r\nx-amzn-RequestId: {uuid.uuid4()}\r\n"
            "Connection: close\r\n\r\n"
        )
        self.close_connection = True
        try:
            self.conn.wfile.write(head.encode("latin-1") + body)
        except OSError:
            pass

    def send_headers(self) -> None:
        if any(k.lower() == b"connection" and v.lower() == b"close" for k, v in self.outheaders):
            self.close_connection = True  # cheroot would otherwise read the whole body first
            self._linger = True
        super().send_headers()

    def respond(self) -> None:
        super().respond()
        if self._linger:
            self._drain_unread_body()

    def _drain_unread_body(self) -> None:
        """Read and drop what is left of a refused body, within bounds, so close is clean."""
        try:
            self.conn.wfile.flush()
            self.conn.socket.settimeout(1.0)
            deadline = time.monotonic() + _DRAIN_SECONDS
            budget = _DRAIN_BYTES
            while budget > 0 and time.monotonic() < deadline:
                if getattr(self.rfile, "remaining", 1) <= 0:
                    break
                piece = self.rfile.read(min(65536, budget))
                if not piece:
                    break
                budget -= len(piece)
        except Exception:  # the client went away or sent garbage: nothing left to protect
            pass


_PHRASES = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error"}


class _Connection(cheroot_server.HTTPConnection):
    RequestHandlerClass = _AwsShapedRequest


class EmulatorServer:
    """The emulator over HTTP/1.1 (keep-alive, chunked bodies) on a thread pool."""

    def __init__(
        self,
        app: CognitoSyncApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self.app = app
        self._server = cheroot_wsgi.Server(
            (host, port), app, numthreads=threads, server_name="cogsync-emulator",
            request_queue_size=64, timeout=10, shutdown_timeout=2,
        )
        self._server.ConnectionClass = _Connection
        self._server.max_request_body_size = 0  # the application enforces its own cap
        self._server.max_request_header_size = 1024 * 1024
        self._thread: threading.Thread | None = None
        self._bound = False

    def bind(self) -> None:
        """Listen on the socket (port 0 picks a free port); requests queue until served."""
        if not self._bound:
            self._server.prepare()
            self._bound = True

    @property
    def url(self) -> str:
        host, port = self._server.bind_addr[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called (from another thread)."""
        self.bind()
        self._server.serve()

    def start(self) -> None:
        """Serve from a background thread."""
        self.bind()
        self._thread = threading.Thread(
            target=self._server.serve, name="cogsync-emulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, finish what is in flight, release the socket."""
        if self._bound:
            self._server.stop()
            self._bound = False
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


@contextmanager
def serve_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    storage: Any = None,
    *,
    backend: Any = None,
    limits: Any = None,
    auth: Any = None,
    max_body_bytes: int | None = None,
    threads: int = DEFAULT_THREADS,
) -> Iterator[str]:
    """Serve an emulator from a thread; yields its base URL; stops it on exit.

    ``storage`` is a Storage (default: a fresh in-memory one) unless ``backend`` is
    given; ``limits``, ``auth`` (a SigV4Verifier) and ``max_body_bytes`` as for
    :class:`~cogsync.emulator.wire.CognitoSyncApp`.
    """
    from cogsync.emulator.backend import CognitoSyncBackend

    if backend is None:
        options: dict[str, Any] = {} if limits is None else {"limits": limits}
        backend = CognitoSyncBackend(storage, **options)
    server = EmulatorServer(
        CognitoSyncApp(backend, max_body_bytes=max_body_bytes, auth=auth), host, port,
        threads=threads,
    )
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
