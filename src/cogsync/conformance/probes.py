"""Directed probes: short fixed call sequences for what random programs rarely reach.

Random device programs (``stateful.py``) find the unexpected; these find the
expected quickly and read like a test someone wrote by hand: a made-up token, a
token reused after it was spent, a listing past the dataset's count, the 21st
dataset, a delete and re-create seen by a device that synced before it. Each probe
runs in its own :class:`Session` on a fresh identity, so when it fails its whole
transcript is the reproduction, and nothing else ran in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session
from cogsync.contracts.calls import Call, Ok
from cogsync.strategies import Identity
from cogsync.targets.base import Response

MADE_UP_TOKEN = "cogsync-made-up-token-0000"
ASTRAL = "\U0001f600\U0001d11e\u00e9\u4e2d"


class Driver:
    """Short names for the calls a probe makes, on one identity."""

    def __init__(self, session: Session, scope: Scope, identity: Identity | None = None):
        self.session = session
        self.scope = scope
        self.identity = identity or scope.identity()

    def ids(self, identity: Identity | None = None) -> dict[str, str]:
        who = identity or self.identity
        return {"IdentityPoolId": who.pool_id, "IdentityId": who.identity_id}

    def list_records(self, dataset: str, identity: Identity | None = None, **params: Any) -> Response:
        return self.session.send(Call("ListRecords", {**self.ids(identity), "DatasetName": dataset, **params}))

    def token(self, dataset: str, identity: Identity | None = None) -> str | None:
        outcome = self.list_records(dataset, identity).outcome
        return outcome.body.get("SyncSessionToken") if isinstance(outcome, Ok) else None

    def write(self, dataset: str, token: str | None, patches: list[dict[str, Any]],
              identity: Identity | None = None, **params: Any) -> Response:
        self.scope.remember(identity or self.identity, dataset)
        body: dict[str, Any] = {**self.ids(identity), "DatasetName": dataset, "RecordPatches": patches}
        if token is not None:
            body["SyncSessionToken"] = token
        body.update(params)
        return self.session.send(Call("UpdateRecords", body))

    def put(self, dataset: str, patches: list[dict[str, Any]], identity: Identity | None = None) -> Response:
        """List for a fresh token, then write."""
        return self.write(dataset, self.token(dataset, identity), patches, identity)

    def describe(self, dataset: str) -> Response:
        return self.session.send(Call("DescribeDataset", {**self.ids(), "DatasetName": dataset}))

    def delete(self, dataset: str) -> Response:
        return self.session.send(Call("DeleteDataset", {**self.ids(), "DatasetName": dataset}))

    def list_datasets(self, **params: Any) -> Response | None:
        """ListDatasets, except on a named identity: its other datasets are unknown to the model."""
        if self.scope.real:
            return None
        return self.session.send(Call("ListDatasets", {**self.ids(), **params}))


def replace(key: str, value: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **extra}


def remove(key: str, count: int) -> dict[str, Any]:
    return {"Op": "remove", "Key": key, "SyncCount": count}


@dataclass(frozen=True)
class Probe:
    name: str
    targets: frozenset[str]  # property ids it is written for
    run: Callable[[Driver], None]
    invents_ids: bool = False  # needs identities cogsync makes up (emulators only)
    heavy: bool = False  # many calls or large bodies: skipped by --budget quick on real AWS


PROBES: list[Probe] = []


ProbeFunction = Callable[[Driver], None]


def probe(*ids: str, invents_ids: bool = False, heavy: bool = False) -> Callable[[ProbeFunction], ProbeFunction]:
    def register(fn: ProbeFunction) -> ProbeFunction:
        PROBES.append(Probe(fn.__name__, frozenset(ids), fn, invents_ids, heavy))
        return fn

    return register


@probe("SYNC-1", "SYNC-2", "SYNC-4", "SYNC-5", "SYNC-7", "LIST-1", "LIST-2", "LIST-6", "TOK-1", "WIRE-1",
       "WIRE-5", "DS-1", "VAL-2")
def first_write_then_delta(d: Driver) -> None:
    ds = d.scope.dataset("scores")
    token = d.token(ds)
    d.write(ds, token, [replace("highScore", "10", 0, DeviceLastModifiedDate=1700000000.5),
                        replace("name" + ASTRAL, ASTRAL * 3, 0)], DeviceId="phone-1")
    d.list_records(ds)
    d.list_records(ds, LastSyncCount=1)
    # LIST-6: the next write must be told apart in time from the first (a server that
    # re-stamps every record with the dataset's date would otherwise look right).
    time.sleep(0.02)
    d.put(ds, [replace("highScore", "11", 1)])
    d.list_records(ds, LastSyncCount=1)
    d.list_records(ds)
    d.describe(ds)
    d.list_datasets()


@probe("CONF-1", "CONF-2", "CONF-4", "CONF-5", "CONF-7", "SYNC-5")
def stale_writes_conflict(d: Driver) -> None:
    ds = d.scope.dataset("conflicts")
    d.put(ds, [replace("k", "v1", 0)])
    d.put(ds, [replace("k", "zero", 0)])  # CONF-2: the key is at 1, one ahead of the 0 sent
    d.put(ds, [replace("k", "v2", 1), replace("new", "n", 0)])  # SYNC-5: a new key in an existing dataset
    d.put(ds, [replace("k", "stale", 1), replace("other", "x", 0)])  # CONF-1, atomic (CONF-4)
    d.put(ds, [replace("other", "x", 0), replace("k", "stale", 1)])  # CONF-4: the stale patch last
    d.put(ds, [replace("k", "zero", 0)])  # CONF-2
    d.put(ds, [replace("k", "ahead", 7)])  # CONF-7 (MAY)
    d.list_records(ds)


@probe("CONF-3", "DEL-1", "DEL-2", "DEL-3", "DS-5")
def tombstones(d: Driver) -> None:
    ds = d.scope.dataset("tombstones")
    d.put(ds, [replace("gone", "v", 0), replace("kept", "w", 0)])
    d.put(ds, [replace("kept", "wider", 1)])  # DS-5: a replace changes bytes, not the record count
    d.describe(ds)  # DS-5, before any tombstone makes the count a MAY (DEL-3)
    d.put(ds, [remove("gone", 0)])  # CONF-3: stale remove
    d.put(ds, [remove("gone", 1)])
    d.list_records(ds, LastSyncCount=1)  # DEL-1: the tombstone shows
    d.describe(ds)  # DS-5
    d.put(ds, [replace("gone", "back", 3)])  # DEL-2
    d.put(ds, [remove("never-was", 0)])  # DEL-3 (MAY)
    d.list_records(ds)


@probe("TOK-2", "TOK-4", "TOK-5")
def session_tokens(d: Driver) -> None:
    ds = d.scope.dataset("tokens")
    d.write(ds, MADE_UP_TOKEN, [replace("k", "v", 0)])  # TOK-2
    d.write(ds, None, [replace("k", "v", 0)])  # TOK-2: missing
    token = d.token(ds)
    d.write(ds, token, [replace("k", "v", 0)])
    d.write(ds, token, [replace("k", "again", 1)])  # TOK-4: spent
    refused = d.token(ds)
    d.write(ds, refused, [replace("k", "stale", 0)])  # refused with 409
    d.write(ds, refused, [replace("k", "after-refusal", 1)])  # TOK-5 (MAY)
    d.list_records(ds)


@probe("TOK-3")
def token_bound_to_dataset(d: Driver) -> None:
    a, b = d.scope.dataset("a"), d.scope.dataset("b")
    token_a = d.token(a)
    d.write(b, token_a, [replace("k", "v", 0)])  # TOK-3
    d.list_records(b)


@probe("ISO-1", invents_ids=True)
def identities_are_isolated(d: Driver) -> None:
    same_pool = d.scope.identity(pool_id=d.identity.pool_id)  # another identity of my pool
    same_id = d.scope.identity(identity_id=d.identity.identity_id)  # my identity id in another pool
    d.put("shared", [replace("k", "mine", 0)])
    for other in (same_pool, same_id):
        d.list_records("shared", identity=other)  # nothing of mine shows
        foreign = d.token("shared", identity=other)
        d.write("shared", foreign, [replace("k", "theirs", 1)])  # a token of another identity
        d.put("shared", [replace("k", "theirs", 0)], identity=other)
        d.list_records("shared")
        d.list_records("shared", identity=other)
    d.list_datasets()


@probe("LIST-3", "LIST-5")
def listing_past_the_count(d: Driver) -> None:
    ds = d.scope.dataset("past")
    d.put(ds, [replace("k", "v", 0)])
    d.list_records(ds, LastSyncCount=5)  # LIST-3
    d.list_records(ds, LastSyncCount=1)
    d.list_records(ds, LastSyncCount=0)


@probe("LIST-4", "LIST-5", "LIST-7")
def pagination(d: Driver) -> None:
    ds = d.scope.dataset("pages")
    d.put(ds, [replace(f"key{i}", f"v{i}", 0) for i in range(5)])
    response = d.list_records(ds, MaxResults=2)
    while isinstance(response.outcome, Ok) and response.outcome.body.get("NextToken"):
        response = d.list_records(ds, MaxResults=2, NextToken=response.outcome.body["NextToken"])
    d.list_records(ds, MaxResults=2, NextToken="cogsync-made-up-next-token")  # LIST-4: invalid token
    d.list_records(ds, MaxResults=0)  # LIST-7 (MAY): refused, or served at some page size


@probe("DS-2", "DS-3", "DS-4", "SYNC-3", "LIST-1")
def delete_and_recreate(d: Driver) -> None:
    ds = d.scope.dataset("lifecycle")
    d.describe(ds)  # DS-2: missing
    d.delete(ds)  # DS-2
    d.put(ds, [replace("a", "1", 0), replace("b", "2", 0)])
    d.put(ds, [replace("a", "1b", 1)])
    d.delete(ds)
    d.list_records(ds)  # DS-3: gone
    d.describe(ds)
    d.put(ds, [replace("c", "3", 0)])  # DS-3: recreated
    d.list_records(ds)  # DS-3: only the new record
    d.list_records(ds, LastSyncCount=2)  # DS-4: a count from before the delete
    d.describe(ds)
    d.list_datasets()


@probe("SYNC-6")
def empty_write(d: Driver) -> None:
    ds = d.scope.dataset("empty")
    d.put(ds, [])
    d.list_records(ds)
    d.put(ds, [replace("k", "v", 0)])
    d.put(ds, [])
    d.list_records(ds)


@probe("VAL-1", "VAL-3", "VAL-4", "CONF-4", "WIRE-4")
def invalid_patches(d: Driver) -> None:
    ds = d.scope.dataset("invalid")
    d.put(ds, [replace("k", "v", 0)])
    d.put(ds, [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": "1"}])  # WIRE-4: a string count
    d.put(ds, [{"Op": "replace", "Key": "k", "Value": 7, "SyncCount": 1}])  # WIRE-4: a number value
    d.put(ds, [{"Op": "replace", "Key": ["k"], "SyncCount": 1}])  # WIRE-4: a list key
    d.put(ds, [replace("k", "negative", -1)])  # VAL-3
    d.put(ds, [{"Op": "upsert", "Key": "k", "Value": "v", "SyncCount": 1}])  # VAL-1: enum
    d.put(ds, [replace("", "v", 1)])  # VAL-1: min length
    d.put(ds, [replace("k" * 1025, "v", 0)])  # VAL-1: max length
    d.put(ds, [replace("dup", "a", 0), replace("dup", "b", 0)])  # VAL-4 (MAY)
    d.put(ds, [replace("k" * 200, "long key", 0)])  # VAL-4 (MAY): over 128 UTF-8 bytes
    d.list_records(ds)


@probe("LIM-1", "LIM-4", invents_ids=True, heavy=True)
def dataset_limit(d: Driver) -> None:
    limit = d.session.model.limits.max_datasets_per_identity
    for i in range(limit):
        d.put(f"ds{i}", [replace("k", "v", 0)])
    d.put(f"ds{limit}", [replace("k", "v", 0)])  # LIM-1
    d.list_datasets()


@probe("LIM-2", heavy=True)
def record_limit(d: Driver) -> None:
    ds = d.scope.dataset("records")
    limit = d.session.model.limits.max_records_per_dataset
    d.put(ds, [replace(f"r{i:05d}", "v", 0) for i in range(limit)])
    d.put(ds, [replace("one-more", "v", 0)])  # LIM-2
    d.list_records(ds, MaxResults=limit + 1)  # LIST-7 (MAY): a page of them all, or the server's largest
    d.put(ds, [remove("r00000", 1)])
    d.put(ds, [replace("one-more", "v", 0)])  # room again (LIM-4 if tombstones count)
    d.describe(ds)


@probe("LIM-3", "WIRE-4", "VAL-2", heavy=True)
def byte_limit(d: Driver) -> None:
    ds = d.scope.dataset("bytes")
    limit = d.session.model.limits.max_dataset_bytes
    chunk = 1048575 // 4  # astral characters: 4 UTF-8 bytes each, 12 on the wire as \\ud83d\\ude00
    big = "\U0001f600" * min(chunk, (limit - 4) // 4)
    d.put(ds, [replace("big", big, 0)])  # WIRE-4: about 3 MiB on the wire
    used = len(big.encode()) + len("big")
    d.put(ds, [replace("p", "x" * max(0, limit - used - 1), 0)])  # exactly at the limit
    d.put(ds, [replace("z", "y", 0)])  # LIM-3: one byte over
    d.describe(ds)


# The probes for neighbours, carried values, range tops, spread limits and lifecycles.
from cogsync.conformance import edge_probes as _edge_probes  # noqa: E402, F401  (registers them)
