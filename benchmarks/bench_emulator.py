"""Emulator throughput: cogsync against moto, in-process and over HTTP, in one run.

A "pair" is what a client does per sync: for cogsync a ListRecords then an UpdateRecords
with the token and sync count it returned; for moto (the fake most AWS test suites use) a
DynamoDB PutItem then a consistent GetItem. All four run through real boto3 clients with
the same botocore settings and the same number of pairs after the same warm-up:

- mock: cogsync's ``mock_cognito_sync()`` and moto's ``mock_aws()`` (no socket);
- http: cogsync's ``serve_in_thread`` and moto's ``ThreadedMotoServer``, both threaded
  servers on 127.0.0.1 and a free port inside this process.

Each measurement is repeated (``--repeat``) with the four interleaved (which target goes
first alternates by round), the heap is collected before each timing, and the median is
reported, so a noisy neighbour or the garbage one target leaves behind hurts all alike.
The target is cogsync at least as fast as moto in both modes (ratio >= 1). ``--profile``
then profiles cogsync alone (a separate pass, so the timings are never taken under the
profiler) and prints where its time goes.

Run: ``python benchmarks/bench_emulator.py --pairs 1000`` (``--json`` for machine output).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import logging
import platform
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.config import Config

from cogsync.errors import UsageError

REGION = "us-east-1"
MODES = ("mock", "http")
TARGETS = ("cogsync", "moto")
#: Same client settings for every target: no retries (an error must not be hidden).
CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})

Pair = Callable[[], None]


@dataclass(frozen=True)
class Measurement:
    """One target in one mode: how many pairs, how long, and the rate."""

    mode: str
    target: str
    pairs: int
    seconds: float
    pairs_per_second: float


def _client(service: str, endpoint_url: str | None = None) -> Any:
    # Explicit dummy keys: botocore never looks for credentials (no instance metadata call).
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="AKIDBENCHMARK",
        aws_secret_access_key="benchmark-dummy-secret",
        config=CLIENT_CONFIG,
    )


def cogsync_pair(client: Any) -> Pair:
    """A sync cycle on one dataset: list (token and count), then write one key."""
    params = {
        "IdentityPoolId": f"{REGION}:{uuid.uuid4()}",
        "IdentityId": f"{REGION}:{uuid.uuid4()}",
        "DatasetName": "benchmark",
    }
    written = 0

    def pair() -> None:
        nonlocal written
        listed = client.list_records(**params)
        counts = {r["Key"]: r["SyncCount"] for r in listed.get("Records", [])}
        written += 1
        client.update_records(
            **params,
            SyncSessionToken=listed["SyncSessionToken"],
            RecordPatches=[{
                "Op": "replace",
                "Key": "highScore",
                "Value": str(written),
                "SyncCount": counts.get("highScore", 0),
            }],
        )

    return pair


def moto_pair(client: Any) -> Pair:
    """The same shape for DynamoDB: write one item, read it back consistently."""
    table = f"benchmark-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    written = 0

    def pair() -> None:
        nonlocal written
        written += 1
        client.put_item(
            TableName=table, Item={"pk": {"S": "player"}, "highScore": {"S": str(written)}}
        )
        client.get_item(TableName=table, Key={"pk": {"S": "player"}}, ConsistentRead=True)

    return pair


@contextlib.contextmanager
def cogsync_target(mode: str) -> Iterator[Pair]:
    if mode == "mock":
        from cogsync.emulator.mock import mock_cognito_sync

        with mock_cognito_sync():
            yield cogsync_pair(_client("cognito-sync"))
    else:
        from cogsync.emulator.server import serve_in_thread

        with serve_in_thread("127.0.0.1", port=0) as url:
            yield cogsync_pair(_client("cognito-sync", url))


@contextlib.contextmanager
def moto_target(mode: str) -> Iterator[Pair]:
    if mode == "mock":
        from moto import mock_aws

        with mock_aws():
            yield moto_pair(_client("dynamodb"))
    else:
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request to stderr; the emulator does not, so mute it.
        request_log = logging.getLogger("werkzeug")
        level = request_log.level
        request_log.setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield moto_pair(_client("dynamodb", f"http://{host}:{port}"))
        finally:
            server.stop()
            request_log.setLevel(level)


TARGET_FACTORIES: dict[str, Callable[[str], contextlib.AbstractContextManager[Pair]]] = {
    "cogsync": cogsync_target,
    "moto": moto_target,
}


def time_pairs(pair: Pair, pairs: int, warmup: int) -> float:
    """Seconds for ``pairs`` calls of ``pair`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        pair()
    gc.collect()  # start from a clean heap, not the garbage of the previous target
    start = time.perf_counter()
    for _ in range(pairs):
        pair()
    return time.perf_counter() - start


def run_benchmark(*, pairs: int, warmup: int = 50, repeat: int = 3) -> list[Measurement]:
    """Measure the four (mode, target) combinations; the median of ``repeat`` rounds each."""
    if pairs < 1:
        raise UsageError.bad_argument("pairs", pairs, "a whole number of at least 1")
    if warmup < 0:
        raise UsageError.bad_argument("warmup", warmup, "a whole number of at least 0")
    if repeat < 1:
        raise UsageError.bad_argument("repeat", repeat, "a whole number of at least 1")
    seconds: dict[tuple[str, str], list[float]] = {
        (mode, target): [] for mode in MODES for target in TARGETS
    }
    for round_number in range(repeat):
        # Alternate which target goes first, so neither always inherits the other's heap.
        order = TARGETS if round_number % 2 == 0 else TARGETS[::-1]
        for mode in MODES:
            for target in order:
                with TARGET_FACTORIES[target](mode) as pair:
                    seconds[mode, target].append(time_pairs(pair, pairs, warmup))
    results = []
    for (mode, target), runs in seconds.items():
        median = statistics.median(runs)
        results.append(Measurement(mode, target, pairs, median, pairs / median))
    return results


def profile_cogsync(mode: str, *, pairs: int, warmup: int, top: int = 40) -> str:
    """Where cogsync's time goes in ``mode``: a separate profiled pass (cProfile slows
    what it watches, so the timed measurements never run under it)."""
    profiler = cProfile.Profile()
    with cogsync_target(mode) as pair:
        for _ in range(warmup):
            pair()
        profiler.enable()
        for _ in range(pairs):
            pair()
        profiler.disable()
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(top)
    return report.getvalue()


def ratios(results: Sequence[Measurement]) -> dict[str, float]:
    """cogsync pairs/s divided by moto pairs/s, per mode (>= 1 meets the target)."""
    rate = {(m.mode, m.target): m.pairs_per_second for m in results}
    return {mode: rate[(mode, "cogsync")] / rate[(mode, "moto")] for mode in MODES}


def render_table(results: Sequence[Measurement]) -> str:
    lines = [f"{'mode':<6}{'target':<9}{'pairs':>8}{'seconds':>10}{'pairs/s':>10}"]
    for m in results:
        lines.append(
            f"{m.mode:<6}{m.target:<9}{m.pairs:>8}{m.seconds:>10.3f}{m.pairs_per_second:>10.1f}"
        )
    for mode, ratio in ratios(results).items():
        verdict = "meets target" if ratio >= 1 else "BELOW target (moto is faster)"
        lines.append(f"cogsync/moto ({mode}): {ratio:.2f}  {verdict}")
    return "\n".join(lines)


def render_json(results: Sequence[Measurement], settings: dict[str, int]) -> str:
    return json.dumps(
        {
            "settings": settings,
            "python": platform.python_version(),
            "results": [asdict(m) for m in results],
            "ratios": ratios(results),
        },
        indent=2,
    )


def _whole_number(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not allowed: must be a whole number of at least {minimum}"
            )
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench_emulator.py", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--pairs", type=_whole_number(1), default=1000,
                        help="timed pairs per target and mode (default 1000)")
    parser.add_argument("--warmup", type=_whole_number(0), default=50,
                        help="untimed pairs before each timing (default 50)")
    parser.add_argument("--repeat", type=_whole_number(1), default=3,
                        help="rounds; the median is reported (default 3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--profile", action="store_true",
                        help="then profile cogsync in each mode, top functions to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    results = run_benchmark(pairs=args.pairs, warmup=args.warmup, repeat=args.repeat)
    settings = {"pairs": args.pairs, "warmup": args.warmup, "repeat": args.repeat}
    print(render_json(results, settings) if args.json else render_table(results))
    if args.profile:
        for mode in MODES:
            report = profile_cogsync(mode, pairs=args.pairs, warmup=args.warmup)
            print(f"== cogsync, {mode} mode: top functions by cumulative time ==", file=sys.stderr)
            print(report, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
