"""`cogsync verify` against targets that are not (usable) Cognito Sync servers.

A gate is worth exactly as much as its green. Each server here lives on 127.0.0.1
(a free port) for one test and misbehaves in one way; the gate must say what the
target is in one line, exit with the right status, show no property as ``pass``, and
end within its ``--deadline`` plus a small margin, whatever the server does.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cogsync import cli
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.server import EmulatorServer, serve_in_thread
from cogsync.targets.emulator_app import build_emulator_app

from .conftest import parse_table

#: Seconds a run may take beyond its --deadline (process start-up is not counted:
#: the CLI runs in this process).
MARGIN = 2.0
RUN = ("verify", "--quiet", "--seed", "11", "--budget", "quick")


@dataclass(frozen=True)
class Verdict:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err

    def table_results(self) -> dict[str, str]:
        """property id -> result, from the conformance table on stdout (empty if none)."""
        return {pid: cells[1] for pid, cells in parse_table(self.out).items()}


@pytest.fixture
def verify(capsys: pytest.CaptureFixture[str]) -> Callable[..., Verdict]:
    """Run ``cogsync verify --endpoint-url URL --deadline D ...`` here; exit code, output, time."""

    def run(url: str, deadline: float, *extra: str) -> Verdict:
        started = time.monotonic()
        try:
            code = cli.main([*RUN, "--endpoint-url", url, "--deadline", f"{deadline:g}", *extra])
        except SystemExit as exc:
            code = int(exc.code or 0)
        seconds = time.monotonic() - started
        captured = capsys.readouterr()
        verdict = Verdict(code, captured.out, captured.err, seconds)
        assert "Traceback" not in verdict.text, verdict.text
        assert seconds < deadline + MARGIN, (seconds, verdict.text)
        assert "pass" not in verdict.table_results().values(), verdict.out
        return verdict

    return run


@pytest.fixture(autouse=True)
def wrong_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys that no server here accepts, and no other AWS configuration."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDWRONGWRONGWRONG0")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)


# --- servers ------------------------------------------------------------------------------


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def canned(status: int, headers: dict[str, str], body: bytes) -> type[BaseHTTPRequestHandler]:
    """A handler giving every request the same answer."""

    class Canned(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    return Canned


def aws_error(status: int, error_type: str, message: str) -> type[BaseHTTPRequestHandler]:
    body = json.dumps({"message": message}).encode()
    return canned(status, {"x-amzn-ErrorType": error_type, "Content-Type": "application/json"}, body)


@pytest.fixture
def serve() -> Iterator[Callable[[type[BaseHTTPRequestHandler]], str]]:
    stack: list[Iterator[str]] = []

    def start(handler: type[BaseHTTPRequestHandler]) -> str:
        running = _serve(handler)
        stack.append(running)
        return next(running)

    yield start
    for running in stack:
        next(running, None)


@pytest.fixture
def html_site(tmp_path: Path) -> Iterator[str]:
    """``python -m http.server``: a directory listing, and HTML 404s for everything else."""
    (tmp_path / "index.html").write_text("<html><body>hello</body></html>")

    class Site(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: object) -> None:
            pass

    yield from _serve(Site)


def _raw_listener(on_connection: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP listener that hands each accepted connection to ``on_connection``."""
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
            on_connection(conn)

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        # Wake the blocked accept() with one last connection, then close everything.
        try:
            socket.create_connection(listener.getsockname(), timeout=5).close()
        except OSError:  # the resetting listener resets this one too
            pass
        thread.join(timeout=5)
        listener.close()
        for conn in held:
            conn.close()


@pytest.fixture
def hanging_socket() -> Iterator[str]:
    """Accepts every connection, reads nothing, never answers."""
    yield from _raw_listener(lambda conn: None)


@pytest.fixture
def resetting_socket() -> Iterator[str]:
    """Accepts every connection, reads the request and resets the connection (RST, not FIN)."""

    def reset(conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            conn.recv(65536)
        except OSError:
            pass
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    yield from _raw_listener(reset)


@pytest.fixture
def emulator_with_credentials() -> Iterator[str]:
    """``cogsync serve --credential AKIDEXAMPLE:secret123``: the real emulator checking SigV4."""
    with serve_in_thread(auth=SigV4Verifier({"AKIDEXAMPLE": "secret123"})) as url:
        yield url


def refuse_writes(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The real emulator's app, except that UpdateRecords (POST) is 403 AccessDeniedException."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] != "POST":
            return app(environ, start_response)
        body = b'{"message": "User is not authorized to perform: cognito-sync:UpdateRecords"}'
        start_response("403 Forbidden", [("Content-Type", "application/json"),
                                         ("x-amzn-ErrorType", "AccessDeniedException"),
                                         ("Content-Length", str(len(body)))])
        return [body]

    return guarded


@pytest.fixture
def read_only_emulator() -> Iterator[str]:
    app, handle = build_emulator_app()
    server = EmulatorServer(refuse_writes(app))  # type: ignore[arg-type]
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        handle.close()


# --- exit 3: not a target cogsync can test --------------------------------------------------


def test_refused_credentials_exit_3_naming_the_error_and_how_to_pass_credentials(
    verify: Callable[..., Verdict], serve: Callable[..., str]
) -> None:
    url = serve(aws_error(403, "UnrecognizedClientException",
                          "The security token included in the request is invalid."))
    verdict = verify(url, 10)
    assert verdict.code == 3, verdict.text
    assert verdict.out == ""
    [line] = verdict.err.splitlines()
    assert line.startswith(f"cogsync: error: {url} refused the credentials")
    assert "403 UnrecognizedClientException: The security token included in the request is invalid" in line
    assert "AWS_ACCESS_KEY_ID" in line and "AWS_PROFILE" in line and "--no-sign-request" in line


def test_the_emulator_run_without_its_credentials_exits_3_and_with_them_passes(
    verify: Callable[..., Verdict], emulator_with_credentials: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    verdict = verify(emulator_with_credentials, 10, "--properties", "SYNC-1")
    assert verdict.code == 3, verdict.text
    assert "refused the credentials" in verdict.err
    assert "UnrecognizedClientException" in verdict.err  # the emulator names the unknown key
    # The same server and run with the keys it knows: the preflight lets it through.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret123")
    code = cli.main([*RUN, "--endpoint-url", emulator_with_credentials, "--properties", "SYNC-1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SYNC-1    MUST   pass" in out


def test_refused_writes_exit_3_saying_reads_work_but_writes_do_not(
    verify: Callable[..., Verdict], read_only_emulator: str
) -> None:
    verdict = verify(read_only_emulator, 10)
    assert verdict.code == 3, verdict.text
    [line] = verdict.err.splitlines()
    assert "answers reads but refused a write" in line
    assert "UpdateRecords answered 403 AccessDeniedException" in line


def test_a_plain_web_server_is_not_a_cognito_sync_endpoint_exit_3(
    verify: Callable[..., Verdict], html_site: str
) -> None:
    verdict = verify(html_site, 10)
    assert verdict.code == 3, verdict.text
    [line] = verdict.err.splitlines()
    assert f"{html_site} is not a Cognito Sync endpoint" in line
    assert "HTTP 404" in line and "text/html" in line and "<!DOCTYPE HTML>" in line


def test_bytes_that_are_not_json_are_not_a_cognito_sync_endpoint_exit_3(
    verify: Callable[..., Verdict], serve: Callable[..., str]
) -> None:
    url = serve(canned(200, {"Content-Type": "application/octet-stream"}, b"\x00\x9fGARBAGE\xff\xfe"))
    verdict = verify(url, 10)
    assert verdict.code == 3, verdict.text
    [line] = verdict.err.splitlines()
    assert "is not a Cognito Sync endpoint" in line
    assert "HTTP 200" in line and "application/octet-stream" in line and "GARBAGE" in line


def test_a_server_that_resets_every_connection_exits_3(
    verify: Callable[..., Verdict], resetting_socket: str
) -> None:
    verdict = verify(resetting_socket, 10)
    assert verdict.code == 3, verdict.text
    [line] = verdict.err.splitlines()
    assert f"{resetting_socket} closed the connection without answering ListDatasets" in line


def test_nothing_listening_exits_3(verify: Callable[..., Verdict]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    verdict = verify(f"http://127.0.0.1:{port}", 10)
    assert verdict.code == 3, verdict.text
    [line] = verdict.err.splitlines()
    assert line.startswith(f"cogsync: error: cannot reach http://127.0.0.1:{port}")


# --- exit 2: nothing could be decided --------------------------------------------------------


def test_a_target_that_throttles_everything_is_inconclusive_exit_2(
    verify: Callable[..., Verdict], serve: Callable[..., str]
) -> None:
    url = serve(aws_error(429, "TooManyRequestsException", "Rate exceeded"))
    verdict = verify(url, 4)
    assert verdict.code == 2, verdict.text
    results = verdict.table_results()
    assert results and set(results.values()) <= {"inconclusive", "not-applicable"}, results
    notes = [line for line in verdict.out.splitlines() if line.startswith("note: the preflight")]
    assert len(notes) == 1 and "kept throttling" in notes[0], verdict.out


@pytest.mark.parametrize("timeout", [None, "2"])
def test_a_socket_that_never_answers_is_inconclusive_exit_2_within_the_deadline(
    verify: Callable[..., Verdict], hanging_socket: str, timeout: str | None
) -> None:
    # Without --timeout a request would wait 10 s: the 3 s deadline must cut it.
    verdict = verify(hanging_socket, 3, *(("--timeout", timeout) if timeout else ()))
    assert verdict.code == 2, verdict.text
    results = verdict.table_results()
    assert results and set(results.values()) <= {"inconclusive", "not-applicable"}, results
    notes = [line for line in verdict.out.splitlines() if line.startswith("note: the preflight")]
    assert len(notes) == 1 and "got no answer in time" in notes[0], verdict.out


# --- exit 1: JSON that breaks the contract ---------------------------------------------------


def test_a_server_answering_500_to_everything_fails_wire_4_exit_1(
    verify: Callable[..., Verdict], serve: Callable[..., str]
) -> None:
    url = serve(aws_error(500, "InternalErrorException", "boom"))
    verdict = verify(url, 10)
    assert verdict.code == 1, verdict.text
    results = verdict.table_results()
    assert results["WIRE-4"] == "fail"
    assert {r for pid, r in results.items() if pid != "WIRE-4"} <= {"not-run", "not-applicable"}
    note = next(line for line in verdict.out.splitlines() if line.startswith("note: the preflight"))
    assert note == ("note: the preflight could not complete (ListRecords of a new dataset answered "
                    "HTTP 500 InternalErrorException: boom instead of a SyncSessionToken)")


def test_a_server_answering_an_empty_object_fails_tok_1_exit_1(
    verify: Callable[..., Verdict], serve: Callable[..., str]
) -> None:
    url = serve(canned(200, {"Content-Type": "application/json"}, b"{}"))
    verdict = verify(url, 10)
    assert verdict.code == 1, verdict.text
    results = verdict.table_results()
    assert results["TOK-1"] == "fail" and results["SYNC-1"] == "not-run"
    note = next(line for line in verdict.out.splitlines() if line.startswith("note: the preflight"))
    assert note == ("note: the preflight could not complete (ListRecords of a new dataset "
                    "answered {} without a SyncSessionToken)")
    assert "reproduce: python" in verdict.out  # the preflight's calls are the reproduction
