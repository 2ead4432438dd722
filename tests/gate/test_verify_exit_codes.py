"""`cogsync verify` end to end: exit 0, 1, 2 and 3 against real targets, and the reports it writes.

Kept fast: --budget quick and a few --properties each.
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import parse_table

QUICK = ("--budget", "quick", "--seed", "7", "--quiet")


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Throttling(BaseHTTPRequestHandler):
    """Answers every request 429 TooManyRequestsException, as a throttled AWS would."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"message": "Rate exceeded"}'
        self.send_response(429)
        self.send_header("x-amzn-ErrorType", "TooManyRequestsException")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


RELEASE = threading.Event()


class HangsAfterTheProbe(BaseHTTPRequestHandler):
    """Answers ListDatasets (the preflight's first call), then never answers a dataset call."""

    def _answer(self) -> None:
        if self.command == "GET" and self.path.split("?")[0].endswith("/datasets"):
            body = b'{"Datasets": [], "Count": 0}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        RELEASE.wait(timeout=30)  # the test sets it when done, so no thread outlives it

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def throttling() -> Iterator[str]:
    yield from _serve(Throttling)


@pytest.fixture
def hanging() -> Iterator[str]:
    RELEASE.clear()
    try:
        yield from _serve(HangsAfterTheProbe)
    finally:
        RELEASE.set()


def test_correct_emulator_exits_0_and_writes_every_report(  # type: ignore[no-untyped-def]
    tmp_path: Path, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    code = cogsync_cli(
        "verify",
        *QUICK,
        "--properties",
        "SYNC-1,CONF-1,LIST-2",
        "--report-json",
        str(reports / "r.json"),
        "--report-junit",
        str(reports / "r.xml"),
        "--report-md",
        str(reports / "r.md"),
    )
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert set(parse_table(out)) == {"SYNC-1", "CONF-1", "LIST-2"}
    assert lines[-1].startswith("reproduce this run: cogsync verify --budget quick")
    assert lines[-1].endswith("--seed 7")
    data = json.loads((reports / "r.json").read_text())
    assert data["gate"]["exit_code"] == 0
    assert {p["id"]: p["status"] for p in data["properties"]} == {
        "SYNC-1": "pass",
        "CONF-1": "pass",
        "LIST-2": "pass",
    }
    suite = ET.parse(reports / "r.xml").getroot()
    assert suite.get("tests") == "3" and suite.get("failures") == "0"
    assert "| SYNC-1 | MUST | pass |" in (reports / "r.md").read_text()


def test_a_mutant_exits_1_with_failures_and_reproduction_scripts(  # type: ignore[no-untyped-def]
    tmp_path: Path, mutant_app: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    repro = tmp_path / "repro"
    code = cogsync_cli(
        "verify",
        *QUICK,
        "--in-process",
        mutant_app,
        "--properties",
        "SYNC-4,LIST-6",
        "--report-dir",
        str(repro),
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "failures:" in out and "  expected:" in out and "  received:" in out
    scripts = sorted(p.name for p in repro.iterdir())
    assert scripts and len(scripts) % 2 == 0
    assert {Path(s).suffix for s in scripts} == {".py", ".sh"}
    assert f"reproduce: python {repro}" in out


def test_a_catalog_mutant_is_caught_exit_1(cogsync_cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    mutant = "cogsync.mutants:stale_replace_accepted"
    # seed 1: the engine shrinks this failure in ~3 s (seed 7 took ~55 s when written)
    args = ("verify", "--budget", "quick", "--seed", "1", "--quiet", "--in-process", mutant)
    assert cogsync_cli(*args, "--properties", "CONF-1") == 1
    out = capsys.readouterr().out
    assert "CONF-1    MUST   fail" in out
    assert out.splitlines()[-2].startswith("1 property: 1 fail")


@pytest.mark.slow  # two engine runs against a mutant, each shrinking its failure: ~15 s
def test_a_baselined_mutant_passes_the_gate_until_the_entry_expires(  # type: ignore[no-untyped-def]
    tmp_path: Path, mutant_app: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "known.toml"
    baseline.write_text('[[known]]\nid = "SYNC-4"\nreason = "values dropped, #12"\n')
    args = (
        "verify",
        *QUICK,
        "--in-process",
        mutant_app,
        "--properties",
        "SYNC-4",
        "--report-dir",
        str(tmp_path / "r"),
    )
    assert cogsync_cli(*args, "--baseline", str(baseline)) == 0
    assert "known" in capsys.readouterr().out
    baseline.write_text(
        '[[known]]\nid = "SYNC-4"\nreason = "values dropped"\nexpires = 2020-01-01\n'
    )
    assert cogsync_cli(*args, "--baseline", str(baseline)) == 1
    captured = capsys.readouterr()
    assert "SYNC-4 expired on 2020-01-01" in captured.out + captured.err


def test_a_throttling_target_is_inconclusive_exit_2(  # type: ignore[no-untyped-def]
    throttling: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    # The deadline keeps the backoff's waits short; the verdict is the same without it.
    code = cogsync_cli(
        "verify", *QUICK, "--endpoint-url", throttling, "--properties", "SYNC-1", "--deadline", "3"
    )
    out = capsys.readouterr().out
    assert code == 2, out
    assert "SYNC-1    MUST   inconclusive" in out
    assert "note: the preflight could not finish: the target kept throttling" in out


def test_a_target_that_hangs_is_inconclusive_exit_2(  # type: ignore[no-untyped-def]
    hanging: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cogsync_cli(
        "verify",
        *QUICK,
        "--endpoint-url",
        hanging,
        "--properties",
        "SYNC-1",
        "--timeout",
        "0.3",
        "--deadline",
        "5",
    )
    assert code == 2, capsys.readouterr().out
