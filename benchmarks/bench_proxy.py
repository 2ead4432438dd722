"""The fault proxy's added latency per request, with no faults.

One ``cogsync serve`` and one ``cogsync proxy --faults none`` in front of it, both real
subprocesses as users run them. Two boto3 clients (keep-alive, no retries) send
ListRecords in pairs: one direct, one through the proxy, alternating which goes first.
Reported: the median microseconds per call of each, and the median of the paired
differences (the proxy's cost per request).

    python benchmarks/bench_proxy.py --calls 2000 [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

SERVE_READY = re.compile(r"cogsync emulator listening on (http://127\.0\.0\.1:\d+)")
PROXY_READY = re.compile(r"cogsync proxy: listening on (http://127\.0\.0\.1:\d+) -> ")


@contextmanager
def running(command: list[str], ready: re.Pattern[str]) -> Iterator[str]:
    """Start ``command``; yield the URL of its ready line (read as it comes, no sleep); SIGTERM at the end."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = ready.search(line)
        if match is None:
            raise SystemExit(f"{' '.join(command)} printed {line!r} instead of its ready line")
        yield match.group(1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def client(url: str) -> Any:
    return boto3.client("cognito-sync", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDBENCH", aws_secret_access_key="bench",
                        config=Config(retries={"total_max_attempts": 1}))


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1e6


def measure(calls: int) -> dict[str, float]:
    cli = [sys.executable, "-m", "cogsync.cli"]
    with running([*cli, "serve", "--port", "0"], SERVE_READY) as upstream, \
            running([*cli, "proxy", "--listen", "0", "--upstream", upstream, "--faults", "none"], PROXY_READY) as url:
        ids = {"IdentityPoolId": f"us-east-1:{uuid.uuid4()}", "IdentityId": f"us-east-1:{uuid.uuid4()}",
               "DatasetName": "bench"}
        direct, proxied = client(upstream), client(url)
        for warm in (direct, proxied):  # connections open, endpoint resolved, model loaded
            for _ in range(20):
                warm.list_records(**ids)
        direct_us, proxied_us = [], []
        for number in range(calls):
            pair = [(direct_us, direct), (proxied_us, proxied)]
            for times, which in (pair if number % 2 == 0 else pair[::-1]):
                times.append(timed(lambda which=which: which.list_records(**ids)))
    return {
        "calls": calls,
        "direct_us": statistics.median(direct_us),
        "proxied_us": statistics.median(proxied_us),
        "added_us": statistics.median(p - d for p, d in zip(proxied_us, direct_us, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="ListRecords pairs (default 2000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(args.calls)
    if args.json:
        print(json.dumps(result))
        return
    print(f"| path | median µs per ListRecords |\n|---|---|\n"
          f"| boto3 -> cogsync serve | {result['direct_us']:.0f} |\n"
          f"| boto3 -> cogsync proxy -> cogsync serve | {result['proxied_us']:.0f} |\n"
          f"| **added by the proxy** (median of paired differences) | **{result['added_us']:.0f}** |\n\n"
          f"{args.calls} pairs")


if __name__ == "__main__":
    main()
