"""``cogsync proxy`` as users run it: ready line, fault log lines, clean stop, exit 3 on bad input."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import botocore.exceptions
import pytest

from cogsync.emulator.server import serve_in_thread

from ..clients.proxy_process import proxied, proxy_command
from .test_proxy import IDS, put, records, sync_client


def test_the_command_proxies_logs_each_fault_on_stderr_and_stops_on_sigterm() -> None:
    with serve_in_thread() as upstream, proxied(upstream, "drop-answer@2") as proxy:
        client = sync_client(proxy.url)
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            put(client, "level", "3")
        assert records(client) == {"level": ("3", 1)}
        code, stderr = proxy.stop()
    assert code == 0
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr
    assert lines[0].startswith("cogsync proxy: fault #2 drop-answer: POST /identitypools/")
    assert lines[0].endswith("(upstream answered 200; the answer is withheld)")
    assert lines[1] == "cogsync proxy: stopped after 3 requests, 1 faults injected"


def test_the_log_file_holds_one_json_line_per_fault(tmp_path: Path) -> None:
    log = tmp_path / "faults.jsonl"
    with serve_in_thread() as upstream, proxied(upstream, "drop-request@1,delay@2,delay-seconds=0",
                                                "--log", str(log)) as proxy:
        client = sync_client(proxy.url)
        with pytest.raises(botocore.exceptions.ReadTimeoutError):
            client.list_records(**IDS)
        client.list_records(**IDS)
        code, stderr = proxy.stop()
    assert code == 0 and stderr == "cogsync proxy: stopped after 2 requests, 2 faults injected\n"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["index"], e["kind"]) for e in entries] == [(1, "drop-request"), (2, "delay")]
    assert all(e["request"].startswith("GET /identitypools/") and e["time"] for e in entries)
    assert entries[0]["detail"] == "not forwarded; the client gets no answer"
    assert (entries[0]["upstream"], entries[0]["client"]) == ([], None)
    assert (entries[1]["upstream"], entries[1]["client"]) == ([200], 200)


@pytest.mark.parametrize(("options", "error"), [
    (["--upstream", "http://127.0.0.1:9", "--faults", "drop=0.1"],
     "cogsync: error: --faults='drop=0.1' is not allowed"),
    (["--upstream", "localhost:9"], "cogsync: error: --upstream='localhost:9' is not allowed"),
    (["--upstream", "http://127.0.0.1:9"], "cogsync: error: --upstream='http://127.0.0.1:9' is not reachable"),
])
def test_bad_input_is_one_line_and_exit_3(options: list[str], error: str) -> None:
    done = subprocess.run(proxy_command(*options), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3 and done.stdout == ""
    assert done.stderr.startswith(error) and done.stderr.count("\n") == 1, done.stderr


def test_ctrl_c_stops_the_command_cleanly() -> None:
    with serve_in_thread() as upstream, proxied(upstream, "default") as proxy:
        proxy.process.send_signal(signal.SIGINT)
        proxy.process.wait(timeout=60)  # Ctrl-C alone stops it (stop() would add a SIGTERM)
        code, stderr = proxy.stop()
    assert code == 0 and stderr == "cogsync proxy: stopped after 0 requests, 0 faults injected\n"
