"""A TCP proxy on 127.0.0.1 that injects the faults of a :class:`FaultSpec` into HTTP traffic.

Any HTTP/1.1 client can go through it (boto3 with ``endpoint_url``, the AWS CLI with
``--endpoint-url``, the JavaScript SDK's ``endpoint``): requests are forwarded byte for
byte (so SigV4 signatures stay valid), one upstream connection per client connection,
keep-alive on both sides. Every request counts once in the schedule, in arrival order,
across all connections. What each fault does to one request:

- ``drop-request``: the request is not forwarded, and the client's connection is held
  open without a byte of answer until the client gives up (or the proxy stops). Holding,
  rather than closing, is what a lost packet looks like: a client that saw the
  connection close would know at once and retry at once; holding makes it wait for its
  own read timeout, as it would on a real network.
- ``drop-answer``: the request is forwarded and the upstream's whole answer read, then
  withheld: the connection is held as for ``drop-request``.
- ``duplicate``: two copies of the request go upstream on two connections, the second
  sent before the first's answer is read, so they race as an SDK retry after a lost
  answer does when the first attempt is still in flight. The client gets the answer to
  the first copy; the other is logged and discarded.
- ``reset``: the request is forwarded; the client gets the first part of the answer
  (half its body, or half its head when there is no body), then a TCP reset
  (``SO_LINGER`` 0, so the close sends RST instead of FIN).
- ``delay``: the request is held ``delay-seconds`` before it is forwarded; the answer
  is normal.

When the upstream itself fails (refuses, or closes mid-answer) the client's connection is
reset, as if it had talked to the upstream directly; no 502 is made up, since a client
or the kit would take a 5xx for the server's own answer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import random
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from cogsync.errors import InfrastructureError, UsageError
from cogsync.faults.http_wire import (
    BadMessage,
    ClosedBeforeMessage,
    Request,
    Response,
    read_head,
    read_request_body,
    read_response,
)
from cogsync.faults.spec import FaultKind, FaultSchedule, FaultSpec, InjectedFault

LISTEN_HOST = "127.0.0.1"
CONNECT_TIMEOUT_S = 5.0
STOP_JOIN_S = 5.0
RESET_DRAIN_S = 0.05  # at most this long for the partial answer to leave before the RST
_TIOCOUTQ = 0x5411  # Linux: bytes in a socket's send queue


@dataclass(frozen=True)
class FaultEvent:
    """One injected fault, what it hit and what came of it, for the log."""

    fault: InjectedFault
    detail: str
    upstream: tuple[int, ...]  # the status of each answer the upstream gave (two for a duplicate)
    client: int | None  # the status the client was sent, None when it got no whole answer
    at: float  # time.time()

    def as_json(self) -> dict[str, Any]:
        return {"time": datetime.fromtimestamp(self.at, UTC).isoformat(timespec="milliseconds"),
                "index": self.fault.index, "kind": self.fault.kind.value, "request": self.fault.what,
                "upstream": list(self.upstream), "client": self.client, "detail": self.detail}

    def __str__(self) -> str:
        return f"fault #{self.fault.index} {self.fault.kind.value}: {self.fault.what} ({self.detail})"


def parse_upstream(url: str) -> tuple[str, int]:
    """``http://HOST:PORT`` -> (HOST, PORT); anything else is a :class:`UsageError` on ``--upstream``."""
    allowed = "an http://HOST:PORT URL with no path, e.g. http://127.0.0.1:4000"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError.bad_argument("--upstream", url, allowed) from None
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/") or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise UsageError.bad_argument("--upstream", url, allowed)
    return parts.hostname, port or 80


class FaultProxy:
    """The proxy as a library: ``with FaultProxy(url, "drop-answer@3") as proxy: ... proxy.url``.

    Serves from background threads until :meth:`stop` (or the ``with`` block ends).
    ``spec`` is a :class:`FaultSpec` or SPEC text; ``rng`` replaces ``Random(spec.seed)``;
    ``on_fault`` is called with each :class:`FaultEvent` (from a connection's thread).
    """

    def __init__(self, upstream: str, spec: FaultSpec | str = "none", *, port: int = 0,
                 rng: random.Random | None = None, on_fault: Callable[[FaultEvent], None] | None = None,
                 check_upstream: bool = True):
        self.upstream = upstream.rstrip("/")
        self._address = parse_upstream(upstream)
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)
        self.schedule: FaultSchedule = self.spec.schedule(rng)
        self._port = port
        self._on_fault = on_fault
        self._check_upstream = check_upstream
        self._events: list[FaultEvent] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._listener: socket.socket | None = None
        self._bound_port: int | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None  # wakes the accept loop on stop
        self._accept_thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FaultProxy:
        if self._check_upstream:
            self._probe_upstream()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((LISTEN_HOST, self._port))
            listener.listen(128)
        except OSError as exc:
            listener.close()
            raise UsageError.bad_argument("--listen", self._port, f"a free port of {LISTEN_HOST} ({exc})") from None
        self._listener = listener
        self._bound_port = listener.getsockname()[1]
        self._wake = socket.socketpair()
        self._accept_thread = threading.Thread(target=self._accept_loop, name="cogsync-proxy", daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, end every connection (held ones too), wait for the threads."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._wake is not None:
            self._wake[1].send(b"x")
        if self._accept_thread is not None:
            self._accept_thread.join(STOP_JOIN_S)
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(STOP_JOIN_S)
        for sock in (self._listener, *(self._wake or ())):
            if sock is not None:
                sock.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise RuntimeError("the proxy is not started: call start() or use it in a with block")
        return self._bound_port

    @property
    def url(self) -> str:
        return f"http://{LISTEN_HOST}:{self.port}"

    @property
    def log(self) -> list[InjectedFault]:
        """Every fault injected so far, oldest first."""
        return self.schedule.log

    @property
    def events(self) -> list[FaultEvent]:
        """The faults with what came of each (the upstream's status, what the client got)."""
        with self._lock:
            return list(self._events)

    @property
    def requests(self) -> int:
        """How many requests have come through."""
        return self.schedule.requests

    # -- accepting -------------------------------------------------------------------

    def _probe_upstream(self) -> None:
        try:
            socket.create_connection(self._address, timeout=CONNECT_TIMEOUT_S).close()
        except OSError as exc:
            raise InfrastructureError(
                f"--upstream={self.upstream!r} is not reachable ({exc}): start the server first"
            ) from None

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._wake is not None
        while not self._stopping.is_set():
            readable, _, _ = select.select([self._listener, self._wake[0]], [], [])
            if self._wake[0] in readable or self._stopping.is_set():
                return
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            thread = threading.Thread(target=self._serve_connection, args=(client,),
                                      name="cogsync-proxy-connection", daemon=True)
            with self._lock:
                self._sockets.add(client)
                self._threads.add(thread)
            thread.start()

    def _track(self, sock: socket.socket, keep: bool) -> None:
        with self._lock:
            (self._sockets.add if keep else self._sockets.discard)(sock)
        if keep and self._stopping.is_set():  # opened while stop() was shutting the others
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- one client connection -------------------------------------------------------

    def _serve_connection(self, client: socket.socket) -> None:
        upstream = _Upstream(self._address, self._track)
        stream = client.makefile("rb")
        try:
            while not self._stopping.is_set():
                request = self._read_request(client, stream)
                if request is None or not self._answer(client, request, upstream):
                    break
        except OSError:
            pass  # the client went away, or stop() shut the socket
        finally:
            upstream.close()
            stream.close()
            self._track(client, False)
            client.close()
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _read_request(self, client: socket.socket, stream: BinaryIO) -> Request | None:
        try:
            head = read_head(stream)
            if "100-continue" in head.tokens("expect"):
                client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            return read_request_body(stream, head)
        except ClosedBeforeMessage:
            return None
        except BadMessage as exc:
            reason = str(exc).encode("utf-8", "replace")
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                           b"Content-Length: %d\r\n\r\n%s" % (len(reason), reason))
            return None

    def _answer(self, client: socket.socket, request: Request, upstream: _Upstream) -> bool:
        """Forward one request with its fault; True when the client's connection stays open."""
        fault = self.schedule.next_fault(f"{request.method} {request.target}")
        kind = None if fault is None else fault.kind
        if kind is FaultKind.DROP_REQUEST:
            self._record(fault, "not forwarded; the client gets no answer", (), None)
            _hold(client)
            return False
        if kind is FaultKind.DELAY and self._stopping.wait(self.spec.delay_seconds):
            return False
        try:
            if kind is FaultKind.DUPLICATE:
                answer, other = upstream.exchange_twice(request)
            else:
                answer, other = upstream.exchange(request), None
        except (OSError, BadMessage, ClosedBeforeMessage) as exc:
            self._record(fault, f"the upstream failed ({exc}); the client's connection is reset", (), None)
            _reset(client, b"")  # as if the client had talked to the upstream directly
            return False
        if kind is FaultKind.DROP_ANSWER:
            self._record(fault, f"upstream answered {answer.status}; the answer is withheld", (answer.status,), None)
            _hold(client)
            return False
        if kind is FaultKind.RESET:
            data, cut = answer.to_bytes(), answer.split_point()
            self._record(fault, f"upstream answered {answer.status}; reset after {cut} of {len(data)} bytes",
                         (answer.status,), None)
            _reset(client, data[:cut])
            return False
        if kind is FaultKind.DELAY:
            self._record(fault, f"held {self.spec.delay_seconds:g} s before forwarding; upstream answered "
                                f"{answer.status}", (answer.status,), answer.status)
        elif other is not None:
            self._record(fault, f"delivered twice; upstream answered {answer.status} and {other.status}; "
                                f"the client gets {answer.status}", (answer.status, other.status), answer.status)
        client.sendall(answer.to_bytes())
        return request.keep_alive and not answer.closes

    def _record(self, fault: InjectedFault | None, detail: str, upstream: tuple[int, ...],
                client: int | None) -> None:
        if fault is None:  # no fault: the upstream failed on a plain request, nothing to log
            return
        event = FaultEvent(fault, detail, upstream, client, time.time())
        with self._lock:
            self._events.append(event)
        if self._on_fault is not None:
            self._on_fault(event)


class _Upstream:
    """The upstream connection(s) of one client connection, opened on demand."""

    def __init__(self, address: tuple[str, int], track: Callable[[socket.socket, bool], None]):
        self._address = address
        self._track = track
        self._sock: socket.socket | None = None
        self._stream: BinaryIO | None = None

    def _connect(self) -> tuple[socket.socket, BinaryIO]:
        sock = socket.create_connection(self._address, timeout=CONNECT_TIMEOUT_S)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(sock, True)
        return sock, sock.makefile("rb")

    def _idle_connection(self) -> tuple[socket.socket, BinaryIO]:
        """The kept-alive connection, unless the upstream closed it while idle; else a new one."""
        if self._sock is not None:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if readable:  # an idle connection only turns readable when the upstream closed it
                self.close()
        if self._sock is None or self._stream is None:
            self._sock, self._stream = self._connect()
        return self._sock, self._stream

    def exchange(self, request: Request) -> Response:
        sock, stream = self._idle_connection()
        sock.sendall(request.to_bytes())
        try:
            answer = read_response(stream, request.method)
        except BaseException:
            self.close()
            raise
        if answer.closes:
            self.close()
        return answer

    def exchange_twice(self, request: Request) -> tuple[Response, Response]:
        """Both copies sent before either answer is read: they race upstream."""
        sock, stream = self._idle_connection()
        extra, extra_stream = self._connect()
        try:
            data = request.to_bytes()
            sock.sendall(data)
            extra.sendall(data)
            try:
                first = read_response(stream, request.method)
            except BaseException:
                self.close()
                raise
            second = read_response(extra_stream, request.method)
        finally:
            extra_stream.close()
            self._track(extra, False)
            extra.close()
        if first.closes:
            self.close()
        return first, second

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._sock is not None:
            self._track(self._sock, False)
            self._sock.close()
        self._sock = self._stream = None


def _hold(client: socket.socket) -> None:
    """Answer nothing until the client gives up (or the proxy stops); what it sends is ignored."""
    with contextlib.suppress(OSError):
        while client.recv(65536):
            pass


def _reset(client: socket.socket, first_part: bytes) -> None:
    """Send ``first_part`` of an answer, then a TCP reset instead of an orderly close."""
    with contextlib.suppress(OSError):
        if first_part:
            client.sendall(first_part)
            _drain(client)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # The caller closes the socket next: with a zero linger time the close sends RST, not FIN.


def _drain(sock: socket.socket) -> None:
    """Wait (briefly) until the kernel has sent what we wrote: a RST discards unsent bytes."""
    deadline = time.monotonic() + RESET_DRAIN_S
    buffer = bytearray(4)
    while time.monotonic() < deadline:
        try:
            fcntl.ioctl(sock.fileno(), _TIOCOUTQ, buffer)
        except OSError:
            return  # not Linux: the bytes are on loopback already, most likely
        if struct.unpack("i", buffer)[0] == 0:
            return
        time.sleep(0.001)


def fault_log_line(event: FaultEvent) -> str:
    """One JSON line for ``--log FILE``."""
    return json.dumps(event.as_json(), sort_keys=False)
