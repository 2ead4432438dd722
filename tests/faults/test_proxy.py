"""The fault proxy as a library: each fault kind does what faults_spec says, over real sockets.

Upstreams are real HTTP servers on 127.0.0.1: the reference emulator (boto3 with SigV4
through the proxy) and a small recording server that counts what reaches it. Clients
give up on a withheld answer by their own socket timeout, as a real client does.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from cogsync.emulator.auth import Credential, SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.server import serve_in_thread
from cogsync.emulator.storage import MemoryStorage
from cogsync.errors import InfrastructureError, UsageError
from cogsync.faults import FaultKind, FaultSpec
from cogsync.faults.proxy import FaultProxy

POOL = "us-east-1:00000000-0000-4000-8000-000000000001"
IDENTITY = "us-east-1:00000000-0000-4000-8000-000000000002"
IDS = {"IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": "game"}
GIVE_UP_S = 0.5  # how long the test clients wait for an answer that may never come


class Recorder(http.server.ThreadingHTTPServer):
    """A real HTTP/1.1 upstream that answers every request with its number and keeps them."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.seen: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def _any(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = _dechunk(self.rfile)
        with self.server.lock:
            self.server.seen.append((self.command, self.path, body))
            number = len(self.server.seen)
        answer = json.dumps({"n": number, "echo": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _dechunk(stream: Any) -> bytes:
    body = b""
    while True:
        size = int(stream.readline().split(b";")[0], 16)
        if size == 0:
            stream.readline()
            return body
        body += stream.read(size)
        stream.readline()


@contextmanager
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sync_client(url: str, **keys: str) -> Any:
    return boto3.client(
        "cognito-sync", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id=keys.get("key", "AKIDPROXYTEST"), aws_secret_access_key=keys.get("secret", "s"),
        config=Config(retries={"total_max_attempts": 1}, read_timeout=GIVE_UP_S, connect_timeout=GIVE_UP_S),
    )


def put(client: Any, key: str, value: str, sync_count: int = 0) -> Any:
    token = client.list_records(**IDS)["SyncSessionToken"]
    return client.update_records(**IDS, SyncSessionToken=token, RecordPatches=[
        {"Op": "replace", "Key": key, "Value": value, "SyncCount": sync_count}])


def records(client: Any) -> dict[str, tuple[str | None, int]]:
    return {r["Key"]: (r.get("Value"), r["SyncCount"]) for r in client.list_records(**IDS)["Records"]}


def raw_exchange(url: str, data: bytes, *, timeout: float = GIVE_UP_S) -> tuple[bytes, str]:
    """Send raw bytes, read until the proxy closes, resets or goes quiet; (bytes read, how it ended)."""
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received, "reset"
            except TimeoutError:
                return received, "silence"
            if not chunk:
                return received, "closed"
            received += chunk


def get(path: str, *extra: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *extra, "", ""]).encode()


def test_without_faults_boto3_with_sigv4_gets_what_it_would_get_directly() -> None:
    auth = SigV4Verifier({"AKIDPROXYTEST": Credential("proxy-secret")})
    with serve_in_thread(auth=auth) as upstream, FaultProxy(upstream, "none") as proxy:
        client = sync_client(proxy.url, secret="proxy-secret")
        written = put(client, "level", "3")
        assert [(r["Key"], r["Value"], r["SyncCount"]) for r in written["Records"]] == [("level", "3", 1)]
        assert records(client) == records(sync_client(upstream, secret="proxy-secret")) == {"level": ("3", 1)}
        with pytest.raises(botocore.exceptions.ClientError):  # a wrong signature still fails upstream
            records(sync_client(proxy.url, secret="wrong"))
        assert proxy.requests == 4 and proxy.log == []  # the direct read did not pass


def test_keep_alive_chunked_bodies_and_expect_continue_are_forwarded() -> None:
    with recorder() as upstream, FaultProxy(upstream.url, "none") as proxy:
        chunked = (b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        continued = b"PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
        closing = get("/last", "Connection: close")
        port = proxy.port
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            stream = sock.makefile("rb")
            for request in (get("/a"), chunked):
                sock.sendall(request)
                assert stream.readline().startswith(b"HTTP/1.1 200")
                length = 0
                while (line := stream.readline()) != b"\r\n":
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                stream.read(length)
            sock.sendall(continued)
            assert stream.readline() == b"HTTP/1.1 100 Continue\r\n"
            assert stream.readline() == b"\r\n"
            assert stream.readline().startswith(b"HTTP/1.1 200")
            while stream.readline() != b"\r\n":
                pass
            assert b'"n": 3' in stream.read(len(b'{"n": 3, "echo": "hi"}'))
            sock.sendall(closing)
            rest = stream.read()  # the proxy closes after a Connection: close request
            assert rest.startswith(b"HTTP/1.1 200") and b'"n": 4' in rest
        stream.close()
        assert [(m, p, b) for m, p, b in upstream.seen] == [
            ("GET", "/a", b""), ("POST", "/c", b"abcde"), ("PUT", "/e", b"hi"), ("GET", "/last", b"")]
        assert proxy.requests == 4


def test_drop_request_never_reaches_the_server_and_the_client_gets_nothing() -> None:
    with serve_in_thread() as upstream, FaultProxy(upstream, "drop-request@2") as proxy:
        client = sync_client(proxy.url)
        token = client.list_records(**IDS)["SyncSessionToken"]
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            client.update_records(**IDS, SyncSessionToken=token, RecordPatches=[
                {"Op": "replace", "Key": "level", "Value": "3", "SyncCount": 0}])
        assert records(client) == {}  # never applied
        [event] = proxy.events
        assert (event.fault.index, event.fault.kind) == (2, FaultKind.DROP_REQUEST)
        assert event.fault.what.startswith("POST /identitypools/") and event.fault.what.endswith("/datasets/game")


def test_drop_answer_is_applied_but_the_client_gets_nothing() -> None:
    with serve_in_thread() as upstream, FaultProxy(upstream, "drop-answer@2") as proxy:
        client = sync_client(proxy.url)
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            put(client, "level", "3")
        assert records(client) == {"level": ("3", 1)}  # applied all the same
        assert [(f.index, f.kind) for f in proxy.log] == [(2, FaultKind.DROP_ANSWER)]
        assert (proxy.events[0].upstream, proxy.events[0].client) == ((200,), None)


def test_a_held_connection_is_silent_until_the_client_gives_up() -> None:
    with recorder() as upstream, FaultProxy(upstream.url, "drop-answer@1") as proxy:
        assert raw_exchange(proxy.url, get("/x")) == (b"", "silence")
        assert len(upstream.seen) == 1


def test_stopping_the_proxy_releases_held_connections() -> None:
    with recorder() as upstream:
        proxy = FaultProxy(upstream.url, "drop-request@1").start()
        port = proxy.port
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(get("/held"))
            while not proxy.log:  # the proxy has read the request and holds it
                threading.Event().wait(0.01)
            proxy.stop()
            assert sock.recv(100) == b""  # closed, without an answer
        assert upstream.seen == []


def test_duplicate_delivers_twice_and_the_client_gets_one_answer() -> None:
    with recorder() as upstream, FaultProxy(upstream.url, "duplicate@2") as proxy:
        port = proxy.port
        body = b"payload"
        request = b"POST /w HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n" + body
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            stream = sock.makefile("rb")
            for data in (get("/first"), request, get("/third")):
                sock.sendall(data)
                assert stream.readline() == b"HTTP/1.1 200 OK\r\n"
                length = 0
                while (line := stream.readline()) != b"\r\n":
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                answer = json.loads(stream.read(length))
                assert answer["echo"] == (body.decode() if data is request else "")
            stream.close()
        assert [path for _, path, _ in upstream.seen] == ["/first", "/w", "/w", "/third"]
        assert upstream.seen[1] == upstream.seen[2] == ("POST", "/w", body)
        assert proxy.requests == 3  # the copy is the proxy's, not a request of the client's


def test_a_duplicated_write_applies_once_on_the_emulator() -> None:
    with serve_in_thread() as upstream, FaultProxy(upstream, "duplicate@2") as proxy:
        client = sync_client(proxy.url)
        try:
            put(client, "level", "3")
        except botocore.exceptions.ClientError:
            pass  # the client's answer may be the copy that lost the race
        assert records(client) == {"level": ("3", 1)}
        [event] = proxy.events
        assert len(event.upstream) == 2 and event.upstream.count(200) == 1  # one copy applied, one refused


def test_reset_sends_part_of_the_answer_then_a_tcp_reset() -> None:
    with recorder() as upstream, FaultProxy(upstream.url, "reset@1") as proxy:
        received, ending = raw_exchange(proxy.url, get("/r"))
        assert ending == "reset"
        assert len(upstream.seen) == 1  # delivered
        cut, total = (int(n) for n in proxy.events[0].detail.split("reset after ")[1].split(" bytes")[0].split(" of "))
        assert received.startswith(b"HTTP/1.1 200 OK\r\n") and len(received) == cut < total


def test_reset_reaches_boto3_as_a_connection_error() -> None:
    with serve_in_thread() as upstream, FaultProxy(upstream, "reset@1") as proxy:
        with pytest.raises((botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
            sync_client(proxy.url).list_records(**IDS)


def test_delay_forwards_late_with_a_normal_answer() -> None:
    with recorder() as upstream, FaultProxy(upstream.url, "delay@1,delay-seconds=0.05") as proxy:
        received, _ = raw_exchange(proxy.url, get("/d", "Connection: close"))
        assert received.startswith(b"HTTP/1.1 200 OK") and b'"n": 1' in received
        [event] = proxy.events
        assert event.detail == "held 0.05 s before forwarding; upstream answered 200"
        assert (event.upstream, event.client) == ((200,), 200)


def test_requests_are_counted_across_connections_as_the_schedule_says() -> None:
    spec = FaultSpec.parse("delay=0.5,delay-seconds=0,seed=11")
    expected = spec.schedule()
    wanted = [expected.next() for _ in range(12)]
    with recorder() as upstream, FaultProxy(upstream.url, spec) as proxy:
        for number in range(12):
            raw_exchange(proxy.url, get(f"/{number}", "Connection: close"))
        assert [f.index for f in proxy.log] == [i + 1 for i, kind in enumerate(wanted) if kind]
        assert [f.what for f in proxy.log] == [f"GET /{i}" for i, kind in enumerate(wanted) if kind]


def test_a_failed_upstream_resets_the_client_instead_of_inventing_an_answer() -> None:
    with recorder() as upstream:
        url = upstream.url
    with FaultProxy(url, "none", check_upstream=False) as proxy:
        assert raw_exchange(proxy.url, get("/gone"))[1] == "reset"


def test_bad_upstreams_and_specs_are_usage_errors() -> None:
    for url in ("ftp://127.0.0.1:1", "127.0.0.1:80", "http://127.0.0.1:1/prefix", "http://:80", "http://h:x"):
        with pytest.raises(UsageError, match="--upstream"):
            FaultProxy(url)
    with pytest.raises(UsageError, match="--faults"):
        FaultProxy("http://127.0.0.1:1", "drop=1")
    with recorder() as upstream:
        url = upstream.url
    with pytest.raises(InfrastructureError, match="not reachable"):
        FaultProxy(url).start()


class _AppliesEveryCopy(CognitoSyncBackend):
    """A careless server: tokens are never spent and no patch is ever stale."""

    def spend_token(self, tx: Any, token: str | None) -> None:
        pass

    def is_stale(self, patch: Any, server_count: int) -> bool:
        return False


def test_the_client_tests_checks_catch_a_server_that_applies_a_duplicate_twice() -> None:
    """The judges of tests/clients/test_clients_under_faults.py, against a server they must fail."""
    from ..clients.proxy_process import accepted_out_of_sight, assert_no_write_applied_twice

    for backend, doubled in ((CognitoSyncBackend(MemoryStorage()), False),
                             (_AppliesEveryCopy(MemoryStorage()), True)):
        with serve_in_thread(backend=backend) as upstream, FaultProxy(upstream, "duplicate@2") as proxy:
            client = sync_client(proxy.url)
            believed = 0
            try:
                put(client, "level", "3")
                believed = 1
            except botocore.exceptions.ClientError:
                pass
            count = client.list_records(**IDS)["DatasetSyncCount"]
            log = [event.as_json() for event in proxy.events]
        assert count == believed + accepted_out_of_sight(log) == (2 if doubled else 1)
        if doubled:
            with pytest.raises(AssertionError, match="both copies of a duplicated UpdateRecords were accepted"):
                assert_no_write_applied_twice(log)
        else:
            assert_no_write_applied_twice(log)
