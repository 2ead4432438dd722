"""Fixtures for the target adapter tests: ids, calls, and small misbehaving servers.

Every server here binds 127.0.0.1 on a free port and is stopped by its fixture.
Readiness needs no polling: a listening socket accepts as soon as ``listen()``
returns, before the serving thread runs.
"""

from __future__ import annotations

import http.server
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from cogsync.contracts.calls import Call, Ok

REGION = "us-east-1"


def new_identity() -> str:
    return f"{REGION}:{uuid.uuid4()}"


@pytest.fixture
def ids() -> dict[str, str]:
    """A fresh identity pool, identity and dataset for one test."""
    return {
        "IdentityPoolId": new_identity(),
        "IdentityId": new_identity(),
        "DatasetName": f"ds-{uuid.uuid4().hex[:12]}",
    }


def list_records(ids: Mapping[str, Any], **extra: Any) -> Call:
    return Call("ListRecords", {**ids, **extra})


def fresh_token(target: Any, ids: Mapping[str, Any]) -> str:
    """A SyncSessionToken from a ListRecords through ``target`` (which must succeed)."""
    outcome = target.send(list_records(ids)).outcome
    assert isinstance(outcome, Ok), outcome
    token: str = outcome.body["SyncSessionToken"]
    return token


def update(ids: Mapping[str, Any], token: Any, patches: Any, **extra: Any) -> Call:
    params = {**ids, "SyncSessionToken": token, "RecordPatches": patches, **extra}
    return Call("UpdateRecords", params)


def replace(key: str, value: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **extra}


def closed_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def hanging_server() -> Iterator[str]:
    """Accepts connections, reads nothing, never answers. Yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_forever() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        # Wake the blocked accept() with one last connection, then close everything.
        socket.create_connection(listener.getsockname(), timeout=5).close()
        thread.join(timeout=5)
        listener.close()
        for conn in held:
            conn.close()


Answer = tuple[int, dict[str, str], bytes]
Received = tuple[str, str, dict[str, str], bytes]


@dataclass
class CannedServer:
    url: str
    received: list[Received]


@pytest.fixture
def canned_server() -> Iterator[Callable[[Answer], CannedServer]]:
    """A real HTTP server that gives every request the answer it was set up with.

    ``canned_server((500, {"x-amzn-ErrorType": "InternalErrorException"}, b"{}"))``
    starts one; ``.received`` holds (method, path, headers, body) of each request.
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(answer: Answer) -> CannedServer:
        status, headers, body = answer

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(
                    (self.command, self.path, dict(self.headers), self.rfile.read(length))
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                pass

        received: list[Received] = []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return CannedServer(f"http://127.0.0.1:{server.server_address[1]}", received)

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
