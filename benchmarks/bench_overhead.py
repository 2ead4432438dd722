"""Kit overhead: checked calls per second over raw calls per second, same in-process target.

Raw: ListRecords + UpdateRecords pairs sent through ``InProcessTarget.send`` only.
Checked: the same pairs through a :class:`cogsync.conformance.session.Session`, which
judges every answer with the model (schemas included) and runs the wire checks.
Both sides run interleaved rounds on fresh emulators; the median round is reported.

    python benchmarks/bench_overhead.py --pairs 500 --rounds 5 [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from collections.abc import Callable

from cogsync.conformance.session import Session
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.model import Model
from cogsync.targets.base import Response
from cogsync.targets.in_process import InProcessTarget


def _pairs(send: Callable[[Call], Response], pairs: int) -> None:
    ids = {"IdentityPoolId": f"us-east-1:{uuid.uuid4()}", "IdentityId": f"us-east-1:{uuid.uuid4()}",
           "DatasetName": "bench"}
    count = 0
    seen: dict[str, int] = {}
    for i in range(pairs):
        listing = send(Call("ListRecords", {**ids, "LastSyncCount": count}))
        assert isinstance(listing.outcome, Ok), listing.outcome
        token = listing.outcome.body["SyncSessionToken"]
        key = f"k{i % 16}"
        patch = {"Op": "replace", "Key": key, "Value": f"v{i}", "SyncCount": seen.get(key, 0)}
        answer = send(Call("UpdateRecords", {**ids, "SyncSessionToken": token, "RecordPatches": [patch]}))
        assert isinstance(answer.outcome, Ok), answer.outcome
        count = answer.outcome.body["Records"][0]["SyncCount"]
        seen[key] = count


def measure(pairs: int, rounds: int) -> dict[str, float]:
    raw_times, checked_times = [], []
    for _ in range(rounds):
        target = InProcessTarget.emulator()
        began = time.perf_counter()
        _pairs(target.send, pairs)
        raw_times.append(time.perf_counter() - began)

        target = InProcessTarget.emulator()
        session = Session(target, Model())
        began = time.perf_counter()
        _pairs(session.send, pairs)
        checked_times.append(time.perf_counter() - began)
        assert not session.tally.failures, session.tally.failures[0]
    raw = 2 * pairs / statistics.median(raw_times)
    checked = 2 * pairs / statistics.median(checked_times)
    return {"raw_calls_per_second": raw, "checked_calls_per_second": checked, "ratio": checked / raw}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.pairs, args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"raw calls/s      {result['raw_calls_per_second']:10.1f}")
        print(f"checked calls/s  {result['checked_calls_per_second']:10.1f}")
        print(f"checked / raw    {result['ratio']:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
