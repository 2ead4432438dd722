"""Two small sequential specs and reference servers for the linearizability tests.

A compare-and-set register and a sync-count dataset, each with a server that meets it;
tests/unit/test_linearizability*.py and tests/unit/test_history_recorder.py use them.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
IDENTITY = "us-east-1:11111111-1111-1111-1111-111111111111"
CONFLICT = "ResourceConflictException"


# ----------------------------------------------------------------- a CAS register


def get(register: str = "r") -> Call:
    return Call("Get", {"Register": register})


def put(value: int, register: str = "r") -> Call:
    return Call("Put", {"Register": register, "Value": value})


def cas(expected: int, value: int, register: str = "r") -> Call:
    return Call("CompareAndSet", {"Register": register, "Expected": expected, "Value": value})


class RegisterSpec:
    """Registers start at 0. State: the frozenset of values the register may hold."""

    def initial(self) -> frozenset[int]:
        return frozenset({0})

    def partition(self, call: Call) -> Hashable:
        return call.params["Register"]

    def step(self, state: frozenset[int], call: Call, outcome: Outcome) -> frozenset[int] | None:
        p = call.params
        if call.operation == "Get":
            if isinstance(outcome, Ok):
                value = outcome.body.get("Value")
                return frozenset({value}) if value in state else None
            return state
        if call.operation == "Put":
            if isinstance(outcome, Ok):
                return frozenset({p["Value"]})
            if isinstance(outcome, Unknown):
                return state | {p["Value"]}
            return state
        if call.operation == "CompareAndSet":
            if isinstance(outcome, Ok):
                return frozenset({p["Value"]}) if p["Expected"] in state else None
            if isinstance(outcome, Err):
                rest = state - {p["Expected"]}
                return rest or None
            return state | {p["Value"]} if p["Expected"] in state else state
        raise ValueError(f"RegisterSpec does not know {call.operation}")

    def read_only(self, call: Call, outcome: Outcome) -> bool:
        """Reads and refusals only narrow the candidate values (steps are monotone)."""
        return call.operation == "Get" or isinstance(outcome, Err)

    def explain(self, state: frozenset[int], call: Call, outcome: Outcome) -> str:
        held = " or ".join(str(v) for v in sorted(state))
        p = call.params
        if call.operation == "Get":
            return f"the read returned {outcome.body.get('Value')!r} but the register held {held}"
        if isinstance(outcome, Ok):
            return (f"the compare-and-set expecting {p['Expected']} succeeded but the register "
                    f"held {held}")
        return f"the compare-and-set expecting {p['Expected']} failed but the register held {held}"

    def describe(self, call: Call, outcome: Outcome) -> str:
        p = call.params
        if call.operation == "Get":
            seen = outcome.body.get("Value") if isinstance(outcome, Ok) else outcome.kind
            return f"read {p['Register']} -> {seen}"
        if call.operation == "Put":
            return f"put {p['Register']}={p['Value']} -> {outcome.kind}"
        return f"cas {p['Register']} {p['Expected']}->{p['Value']} -> {outcome.kind}"


class RegisterServer:
    """A correct, thread-safe register store."""

    def __init__(self) -> None:
        self._values: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> Outcome:
        p = call.params
        with self._lock:
            current = self._values.get(p["Register"], 0)
            if call.operation == "Get":
                return Ok({"Value": current})
            if call.operation == "Put":
                self._values[p["Register"]] = p["Value"]
                return Ok({})
            if current != p["Expected"]:
                return Err("ConditionFailed", 409)
            self._values[p["Register"]] = p["Value"]
            return Ok({})


# ----------------------------------------------------------- a sync-count dataset

World = tuple[int, tuple[tuple[str, str | None, int], ...]]  # (N, sorted (key, value, count))


def update(dataset: str, *patches: tuple[str, str | None, int]) -> Call:
    """UpdateRecords with patches (key, value or None for remove, presented count)."""
    return Call("UpdateRecords", {
        "IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": dataset,
        "SyncSessionToken": "token",
        "RecordPatches": [
            {"Op": "replace", "Key": k, "Value": v, "SyncCount": c} if v is not None
            else {"Op": "remove", "Key": k, "SyncCount": c}
            for k, v, c in patches
        ],
    })


def listing(dataset: str, last_sync_count: int | None = None) -> Call:
    params: dict[str, Any] = {"IdentityPoolId": POOL, "IdentityId": IDENTITY,
                              "DatasetName": dataset}
    if last_sync_count is not None:
        params["LastSyncCount"] = last_sync_count
    return Call("ListRecords", params)


def written(*records: tuple[str, str | None, int]) -> Ok:
    """The answer to a successful UpdateRecords."""
    return Ok({"Records": [_record(k, v, c) for k, v, c in records]})


def listed(count: int, *records: tuple[str, str | None, int]) -> Ok:
    """The answer to a ListRecords: dataset count and records."""
    return Ok({"Records": [_record(k, v, c) for k, v, c in records], "DatasetSyncCount": count,
               "DatasetExists": count > 0, "SyncSessionToken": "token", "Count": len(records)})


def conflict(key: str = "k", server: int = 0, sent: int = 0) -> Err:
    return Err(CONFLICT, 409, f"Current SyncCount for: {key} is: {server} not: {sent}")


def _record(key: str, value: str | None, count: int) -> dict[str, Any]:
    record: dict[str, Any] = {"Key": key, "SyncCount": count}
    if value is not None:
        record["Value"] = value
    return record


def _patches(call: Call) -> list[tuple[str, str | None, int]]:
    return [(p["Key"], p.get("Value") if p.get("Op") == "replace" else None, p["SyncCount"])
            for p in call.params.get("RecordPatches") or ()]


def _mismatch(world: World, patches: list[tuple[str, str | None, int]]) -> tuple | None:
    """The first patch whose presented count differs from its record's: (key, sent, current)."""
    counts = {k: c for k, _, c in world[1]}
    for key, _, sent in patches:
        if sent != counts.get(key, 0):
            return (key, sent, counts.get(key, 0))
    return None


def _apply(world: World, patches: list[tuple[str, str | None, int]]) -> World:
    if not patches:
        return world
    count = world[0] + 1
    records = {k: (v, c) for k, v, c in world[1]}
    for key, value, _ in patches:
        records[key] = (value, count)
    return (count, tuple(sorted((k, v, c) for k, (v, c) in records.items())))


def _as_records(body_records: Any) -> set[tuple[str, str | None, int]] | None:
    try:
        return {(r["Key"], r.get("Value"), r["SyncCount"]) for r in body_records or ()}
    except (KeyError, TypeError):
        return None


class SyncCountSpec:
    """State: a frozenset of candidate worlds (N, records)."""

    def initial(self) -> frozenset[World]:
        return frozenset({(0, ())})

    def partition(self, call: Call) -> Hashable:
        return call.scope

    def order_key(self, call: Call, outcome: Outcome) -> int | None:
        if not isinstance(outcome, Ok):
            return None
        if call.operation == "UpdateRecords":
            records = outcome.body.get("Records") or ()
            count = records[0].get("SyncCount") if records else None
            return count if isinstance(count, int) else None
        if call.operation == "ListRecords":
            count = outcome.body.get("DatasetSyncCount")
            return count if isinstance(count, int) else None
        return None

    def read_only(self, call: Call, outcome: Outcome) -> bool:
        """Listings and refused writes only narrow the candidate worlds (steps are
        pointwise over worlds, hence monotone)."""
        return call.operation == "ListRecords" or isinstance(outcome, Err)

    def step(self, state: frozenset[World], call: Call, outcome: Outcome
             ) -> frozenset[World] | None:
        if call.operation == "UpdateRecords":
            patches = _patches(call)
            if isinstance(outcome, Ok):
                answered = _as_records(outcome.body.get("Records"))
                after = set()
                for world in state:
                    if _mismatch(world, patches) is None:
                        expected = {(k, v, world[0] + 1) for k, v, _ in patches}
                        if answered == expected:
                            after.add(_apply(world, patches))
                return frozenset(after) or None
            if isinstance(outcome, Err):
                if outcome.error_type != CONFLICT:
                    return state  # refused for some other reason: nothing changed
                kept = frozenset(w for w in state if _mismatch(w, patches) is not None)
                return kept or None
            return state | {_apply(w, patches) for w in state if _mismatch(w, patches) is None}
        if call.operation == "ListRecords":
            if not isinstance(outcome, Ok):
                return state
            last = call.params.get("LastSyncCount") or 0
            seen = _as_records(outcome.body.get("Records"))
            count = outcome.body.get("DatasetSyncCount")
            kept = frozenset(
                w for w in state
                if w[0] == count and seen == {r for r in w[1] if r[2] > last}
            )
            return kept or None
        raise ValueError(f"SyncCountSpec does not know {call.operation}")

    def explain(self, state: frozenset[World], call: Call, outcome: Outcome) -> str:
        world = max(state, key=lambda w: (w[0], repr(w[1])))
        also = f" (and in each of the {len(state)} possible states)" if len(state) > 1 else ""
        return self._explain_in(world, call, outcome) + also

    def _explain_in(self, world: World, call: Call, outcome: Outcome) -> str:
        count, records = world
        if call.operation == "UpdateRecords":
            patches = _patches(call)
            if isinstance(outcome, Err):
                return (f"the write was refused as a conflict although every count it presented "
                        f"was current (dataset at {count})")
            miss = _mismatch(world, patches)
            if miss is not None:
                key, sent, current = miss
                if sent < current:
                    return (f"the write presenting count {sent} for {key!r} succeeded although "
                            f"{key!r} was already at count {current}: another write presenting "
                            f"{sent} had already won (a lost update)")
                return (f"the write presenting count {sent} for {key!r} succeeded although "
                        f"{key!r} was only at count {current}")
            answered = sorted(_as_records(outcome.body.get("Records")) or ())
            return (f"the write answered records {answered} but from dataset count {count} "
                    f"it had to answer every patched key at count {count + 1}")
        seen_count = outcome.body.get("DatasetSyncCount")
        if seen_count != count:
            if isinstance(seen_count, int) and seen_count < count:
                return (f"the read saw the dataset at count {seen_count} although writes had "
                        f"already taken it to {count} (a stale read)")
            return (f"the read saw the dataset at count {seen_count} but no write had taken it "
                    f"past {count}")
        seen = {r[0]: r for r in _as_records(outcome.body.get("Records")) or ()}
        current = {r[0]: r for r in records}
        for key, (_, _, seen_at) in sorted(seen.items()):
            actual = current.get(key)
            if actual is not None and actual[2] != seen_at:
                batch = [k for k, r in seen.items() if r[2] == actual[2] and k != key]
                if batch and seen_at < actual[2]:
                    return (f"the read saw {batch[0]!r} at count {actual[2]} but {key!r} at count "
                            f"{seen_at}, though both were written at {actual[2]} by the same "
                            f"batch (a torn batch)")
                return f"the read saw {key!r} at count {seen_at} but it was at count {actual[2]}"
        last = call.params.get("LastSyncCount") or 0
        for key, (_, _, at) in sorted(current.items()):
            batch = [k for k, r in seen.items() if r[2] == at]
            if key not in seen and at > last and batch:
                return (f"the read saw {batch[0]!r} at count {at} but not {key!r}, though both "
                        f"were written at {at} by the same batch (a torn batch)")
        return (f"the read listed {sorted(seen.values())} but the dataset held "
                f"{sorted(current.values())}")

    def describe(self, call: Call, outcome: Outcome) -> str:
        dataset = call.params.get("DatasetName")
        if call.operation == "UpdateRecords":
            patches = ", ".join(f"{k}@{c}" + ("" if v is None else f"={v}")
                                for k, v, c in _patches(call))
            return f"write {dataset} [{patches}] -> {_outcome_words(outcome)}"
        if isinstance(outcome, Ok):
            records = sorted(_as_records(outcome.body.get("Records")) or ())
            shown = ", ".join(f"{k}@{c}" + ("" if v is None else f"={v}") for k, v, c in records)
            return f"read {dataset} -> count {outcome.body.get('DatasetSyncCount')} [{shown}]"
        return f"read {dataset} -> {_outcome_words(outcome)}"


def _outcome_words(outcome: Outcome) -> str:
    if isinstance(outcome, Ok):
        records = outcome.body.get("Records") or ()
        return f"ok (count {records[0]['SyncCount']})" if records else "ok"
    if isinstance(outcome, Err):
        return "conflict" if outcome.error_type == CONFLICT else outcome.error_type
    return f"unknown ({outcome.reason})"


@dataclass
class _Dataset:
    count: int = 0
    records: dict[str, tuple[str | None, int]] | None = None


class SyncCountServer:
    """A correct, thread-safe implementation of the simplified dataset."""

    def __init__(self) -> None:
        self._datasets: dict[Hashable, _Dataset] = {}
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> Outcome:
        with self._lock:
            ds = self._datasets.setdefault(call.scope, _Dataset(0, {}))
            assert ds.records is not None
            if call.operation == "ListRecords":
                last = call.params.get("LastSyncCount") or 0
                return listed(ds.count, *sorted((k, v, c) for k, (v, c) in ds.records.items()
                                                if c > last))
            patches = _patches(call)
            for key, _, sent in patches:
                current = ds.records.get(key, (None, 0))[1]
                if sent != current:
                    return conflict(key, current, sent)
            if not patches:
                return written()
            ds.count += 1
            for key, value, _ in patches:
                ds.records[key] = (value, ds.count)
            return written(*((k, v, ds.count) for k, v, _ in patches))


