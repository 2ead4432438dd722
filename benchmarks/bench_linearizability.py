"""Linearizability checker time on generated histories of 1k and 10k operations.

Histories come from a simulation of K devices syncing D datasets of one identity
(one partition per dataset): each device lists a dataset, then writes 1-3 keys
presenting the sync counts it saw (a conflict when another device wrote in
between), again and again. Each call lasts 1-5 ms of simulated time, takes effect
at a random instant inside its interval on a correct server, and a few time out
(Unknown; applied or not). The calls and answers have the real Cognito Sync
shapes (tokens, timestamps), so the same histories can be checked against any spec.

Columns: ``open`` operations (timed out), the ``verdict`` and ``seconds`` of the check,
the configurations ``explored``. With ``--violate``: the verdict on the broken history,
seconds to ``detect`` it (no shrinking), seconds with the witness ``shrunk`` (budget
``--shrink-timeout``), the witness size and whether shrinking finished (``minimal``).

``--spec`` names the spec: ``path/to/file.py:Name`` or ``package.module:Name``; a class
or a no-argument factory is called. The default is the simplified sync-count spec of
the unit tests. ``--violate`` also times the failure path: one refused write is
reported as a success (a lost update) half-way through, and the time includes
shrinking the witness.

Run: ``python benchmarks/bench_linearizability.py`` (``--ops 1000 10000 --clients 2 4 8 16``).
"""

from __future__ import annotations

import argparse
import heapq
import importlib
import importlib.util
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cogsync.conformance.history import History, Operation
from cogsync.conformance.linearizability import check
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = "tests/support/linearizability_specs.py:SyncCountSpec"
POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
IDENTITY = "us-east-1:11111111-1111-1111-1111-111111111111"
KEYS = tuple(f"key{i}" for i in range(6))
EPOCH = 1_700_000_000.0


def load_spec(ref: str) -> Any:
    """``file.py:Name`` or ``module:Name``; classes and factories are called."""
    where, _, name = ref.rpartition(":")
    if not where or not name:
        raise UsageError.bad_argument("--spec", ref, "PATH.py:NAME or MODULE:NAME")
    if where.endswith(".py"):
        path = (ROOT / where) if not Path(where).is_absolute() else Path(where)
        module_name = f"bench_spec_{path.stem}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise UsageError.bad_argument("--spec", ref, "an existing Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    target = getattr(module, name)
    if isinstance(target, type) or (callable(target) and not hasattr(target, "step")):
        return target()
    return target


# ------------------------------------------------------------------- the simulation


@dataclass
class _Dataset:
    count: int = 0
    records: dict[str, tuple[str | None, int, float]] | None = None
    tokens: int = 0


class _Server:
    """A correct dataset store, applied at each call's instant of effect."""

    def __init__(self) -> None:
        self.datasets: dict[str, _Dataset] = {}

    def apply(self, call: Call, now: float) -> Outcome:
        ds = self.datasets.setdefault(call.params["DatasetName"], _Dataset(0, {}))
        assert ds.records is not None
        if call.operation == "ListRecords":
            ds.tokens += 1
            records = [_record(k, v, c, t) for k, (v, c, t) in sorted(ds.records.items())]
            return Ok({"Records": records, "Count": len(records), "DatasetSyncCount": ds.count,
                       "LastModifiedBy": "device", "MergedDatasetNames": [],
                       "DatasetExists": ds.count > 0,
                       "DatasetDeletedAfterRequestedSyncCount": False,
                       "SyncSessionToken": f"{call.params['DatasetName']}-{ds.tokens}"})
        patches = call.params["RecordPatches"]
        for p in patches:
            current = ds.records.get(p["Key"], (None, 0, 0.0))[1]
            if p["SyncCount"] != current:
                return Err("ResourceConflictException", 409,
                           f"Current SyncCount for: {p['Key']} is: {current} not: "
                           f"{p['SyncCount']}")
        ds.count += 1
        for p in patches:
            ds.records[p["Key"]] = (p.get("Value"), ds.count, EPOCH + now)
        return Ok({"Records": [_record(p["Key"], p.get("Value"), ds.count, EPOCH + now)
                               for p in patches]})


def _record(key: str, value: str | None, count: int, when: float) -> dict[str, Any]:
    record: dict[str, Any] = {"Key": key, "SyncCount": count, "LastModifiedDate": when,
                              "LastModifiedBy": "device", "DeviceLastModifiedDate": when}
    if value is not None:
        record["Value"] = value
    return record


def _listing(dataset: str) -> Call:
    return Call("ListRecords", {"IdentityPoolId": POOL, "IdentityId": IDENTITY,
                                "DatasetName": dataset})


def _write(dataset: str, seen: Ok, rng: random.Random, client: int) -> Call:
    counts = {r["Key"]: r["SyncCount"] for r in seen.body["Records"]}
    keys = rng.sample(KEYS, rng.randint(1, 3))
    patches = [
        {"Op": "remove", "Key": k, "SyncCount": counts.get(k, 0)} if rng.random() < 0.1
        else {"Op": "replace", "Key": k, "Value": f"c{client}-{rng.randrange(1000)}",
              "SyncCount": counts.get(k, 0)}
        for k in keys
    ]
    return Call("UpdateRecords", {"IdentityPoolId": POOL, "IdentityId": IDENTITY,
                                  "DatasetName": dataset, "DeviceId": f"device-{client}",
                                  "SyncSessionToken": seen.body["SyncSessionToken"],
                                  "RecordPatches": patches})


def generate(ops: int, clients: int, datasets: int, *, seed: int = 0,
             timeouts: float = 0.01) -> History:
    """A linearizable history of ``ops`` operations by ``clients`` devices."""
    rng = random.Random(seed)
    server = _Server()
    names = [f"dataset-{d}" for d in range(datasets)]
    events: list[tuple[float, int, int, int]] = []  # (time, order, kind, client)
    order = 0
    kind_invoke, kind_effect = 0, 1
    state: dict[int, dict[str, Any]] = {}
    for c in range(clients):
        state[c] = {"last": None, "dataset": rng.choice(names)}
        heapq.heappush(events, (rng.random() * 0.005, order, kind_invoke, c))
        order += 1
    recorded: list[Operation] = []
    issued = 0
    while events:
        now, _, kind, client = heapq.heappop(events)
        s = state[client]
        if kind == kind_invoke:
            if issued >= ops:
                continue
            issued += 1
            last = s["last"]
            if isinstance(last, Ok) and "DatasetSyncCount" in last.body:
                call = _write(s["dataset"], last, rng, client)
            else:
                s["dataset"] = rng.choice(names)
                call = _listing(s["dataset"])
            duration = rng.uniform(0.001, 0.005)
            timed_out = rng.random() < timeouts
            applies = not timed_out or rng.random() < 0.5
            effect_at = now + rng.uniform(0, duration)
            s.update(call=call, invoked=now, completed=now + duration, timed_out=timed_out)
            if applies:
                heapq.heappush(events, (effect_at, order, kind_effect, client))
            else:
                s["outcome"] = Unknown("timeout")
                _complete(s, client, recorded, events, rng, order + 1)
            order += 2
        else:
            outcome = server.apply(s["call"], now)
            s["outcome"] = Unknown("timeout") if s["timed_out"] else outcome
            _complete(s, client, recorded, events, rng, order)
            order += 1
    return History(sorted(recorded, key=lambda op: (op.invoked, op.id)))


def _complete(s: dict[str, Any], client: int, recorded: list[Operation],
              events: list[tuple[float, int, int, int]], rng: random.Random, order: int) -> None:
    """Record the operation; the client's next call starts after it completed."""
    op = Operation(len(recorded), client, s["call"], s["invoked"], s["completed"], s["outcome"])
    recorded.append(op)
    s["last"] = s["outcome"] if s["call"].operation == "ListRecords" else None
    heapq.heappush(events, (s["completed"] + rng.uniform(0, 0.002), order, 0, client))


def inject_lost_update(history: History, rng: random.Random) -> History:
    """Report one refused write from the middle of the history as a success."""
    ops = list(history)
    middle = len(ops) // 2
    candidates = [i for i, op in enumerate(ops[middle:], start=middle)
                  if isinstance(op.outcome, Err)]
    if not candidates:
        raise UsageError.bad_argument("history", history, "a history with a refused write")
    i = candidates[0]
    op = ops[i]
    patches = op.call.params["RecordPatches"]
    fake_count = max(p["SyncCount"] for p in patches) + 1
    body = {"Records": [_record(p["Key"], p.get("Value"), fake_count, EPOCH + op.invoked)
                        for p in patches]}
    ops[i] = Operation(op.id, op.client, op.call, op.invoked, op.completed, Ok(body))
    return History(ops)


# ------------------------------------------------------------------- the table


def run(spec: Any, sizes: Sequence[int], client_counts: Sequence[int], datasets: int,
        violate: bool, timeout: float, seed: int, shrink_timeout: float = 5.0,
        timeouts: float = 0.01) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        for clients in client_counts:
            history = generate(size, clients, datasets, seed=seed, timeouts=timeouts)
            started = time.perf_counter()
            result = check(history, spec, timeout=timeout)
            seconds = time.perf_counter() - started
            row = {"ops": size, "clients": clients, "datasets": datasets,
                   "open": sum(op.is_open for op in history), "verdict": result.ok,
                   "seconds": seconds, "explored": result.explored}
            if violate:
                broken = inject_lost_update(history, random.Random(seed))
                started = time.perf_counter()
                found = check(broken, spec, timeout=timeout, shrink_timeout=0)
                row["violation_verdict"] = found.ok
                row["detect_seconds"] = time.perf_counter() - started
                started = time.perf_counter()
                failed = check(broken, spec, timeout=timeout, shrink_timeout=shrink_timeout)
                row["shrunk_seconds"] = time.perf_counter() - started
                row["witness"] = len(failed.witness) if failed.witness is not None else None
                row["minimal"] = failed.witness_minimal
            rows.append(row)
            print(_format(row), flush=True)
    return rows


HEADER = (f"{'ops':>6} {'clients':>7} {'datasets':>8} {'open':>5} {'verdict':>8} "
          f"{'seconds':>8} {'explored':>9} {'ops/s':>8}")


def _format(row: dict[str, Any]) -> str:
    line = (f"{row['ops']:>6} {row['clients']:>7} {row['datasets']:>8} {row['open']:>5} "
            f"{row['verdict']!s:>8} {row['seconds']:>8.3f} {row['explored']:>9} "
            f"{row['ops'] / row['seconds']:>8.0f}")
    if "violation_verdict" in row:
        line += (f" | {row['violation_verdict']!s:>5} {row['detect_seconds']:>7.3f} "
                 f"{row['shrunk_seconds']:>7.3f} {row['witness']!s:>7} {row['minimal']!s:>7}")
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=DEFAULT_SPEC, help="PATH.py:NAME or MODULE:NAME")
    parser.add_argument("--ops", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 4, 8, 16])
    parser.add_argument("--datasets", type=int, default=4,
                        help="datasets (= partitions) the devices share")
    parser.add_argument("--violate", action="store_true",
                        help="also time a history with one injected lost update")
    parser.add_argument("--timeouts", type=float, default=0.01,
                        help="fraction of calls that time out (Unknown; half of them applied)")
    parser.add_argument("--timeout", type=float, default=300.0, help="checker timeout, seconds")
    parser.add_argument("--shrink-timeout", type=float, default=5.0,
                        help="budget for shrinking the witness of the injected violation")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    spec = load_spec(args.spec)
    print(f"spec: {args.spec}; python {sys.version.split()[0]}")
    print(HEADER + (" | lost?  detect  shrunk witness minimal" if args.violate else ""))
    if not 0 <= args.timeouts <= 1:
        raise UsageError.bad_argument("--timeouts", args.timeouts, "a fraction in [0, 1]")
    run(spec, args.ops, args.clients, args.datasets, args.violate, args.timeout, args.seed,
        args.shrink_timeout, args.timeouts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
