"""DUR-1: every acknowledged write survives a restart of the target.

The restarts phase writes to a few datasets of one identity, and at points of the
run's seeded schedule (or after every N writes) has the target killed and restarted
(:mod:`cogsync.targets.restart`), waits until it answers again, and reads every
dataset back. What acknowledged answers said must still hold: each record's value
(a tombstone for a removal) and sync count, and the dataset's sync count. After the
restart, sync counts never go back: a later write's records count above every
count acknowledged before it.

Around a restart some things are allowed and never fail:

- a token issued before the restart may be refused after it (TOK-5): the phase
  lists the dataset again for a fresh token;
- an answer lost to the restart (a timeout, a reset, a 5xx) is an unknown outcome:
  the write may have landed or not, and the read-back accepts either state for the
  keys it patched (never a mix within a record), then carries on from what it read.

The witness: an acknowledged write, then a restart, then a read of that dataset
showing it unchanged (:func:`judge_read_back` decides).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cogsync.conformance.session import Tally
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.failures import Failure, SentCall

#: Writes and restarts of the restarts phase, per budget.
PLANS: dict[str, tuple[int, int]] = {"quick": (40, 3), "ci": (120, 8), "deep": (400, 25)}

DATASETS = 3
KEYS = ("a", "b", "c", "d")

#: What the failure says when every dataset written before a restart is gone after it.
ALL_GONE = ("Every dataset written before the restart was gone after it: the server keeps its data in "
            "memory only (as `cogsync serve --storage memory` does), so a restart loses everything. A "
            "server that must survive restarts keeps its data on disk (`cogsync serve --storage "
            "sqlite:PATH`)")

Held = tuple[str | None, int]  # a record as acknowledged: its value (None: tombstone) and sync count


def restart_points(rng: random.Random, writes: int, restarts: int, every: int | None) -> list[int]:
    """Before which writes (0-based) the target is restarted: after every ``every`` writes,
    or before ``restarts`` writes drawn from the run's seed. Never before the first."""
    if every is not None:
        return list(range(every, writes, every))
    if writes < 2:
        return []
    return sorted(rng.sample(range(1, writes), min(restarts, writes - 1)))


@dataclass
class Dataset:
    """What acknowledged answers say of one dataset, and what the phase holds for it."""

    name: str
    records: dict[str, Held] = field(default_factory=dict)
    count: int = 0  # the highest dataset sync count acknowledged
    unsure: dict[str, str | None] = field(default_factory=dict)  # key -> value of a write with no answer
    token: str | None = None
    acknowledged: SentCall | None = None  # the last acknowledged write, for a failure's steps
    restarted_since_ack: bool = False

    @property
    def written(self) -> bool:
        return bool(self.records or self.unsure)


@dataclass
class Listing:
    """A whole ListRecords read (every page), or None fields when an answer was unknown."""

    exists: bool
    count: int
    records: dict[str, Held]
    token: str | None
    steps: tuple[SentCall, ...]


def describe(held: Held | None) -> str:
    if held is None:
        return "missing"
    value, count = held
    return f"{'a tombstone' if value is None else repr(value)} at SyncCount {count}"


def judge_read_back(dataset: Dataset, listing: Listing) -> list[str]:
    """DUR-1: what the read after a restart shows that the acknowledged writes forbid.

    Empty when every acknowledged record is there with its value and count and the
    dataset's count is as acknowledged. A write whose answer was lost may show as
    applied (its values, at a higher count) or not, for all of its keys alike.
    """
    problems: list[str] = []
    if dataset.records and not listing.exists:
        return [f"dataset {dataset.name!r} is gone (DatasetExists false), though writes to it were "
                f"acknowledged up to SyncCount {dataset.count}"]
    landed, kept = [], []  # keys of the write whose answer was lost: as written, as before
    for key in sorted(set(dataset.records) | set(dataset.unsure)):
        before, now = dataset.records.get(key), listing.records.get(key)
        if key in dataset.unsure:
            tried = dataset.unsure[key]
            if now is not None and now[0] == tried and now[1] > (before[1] if before else 0):
                landed.append(key)
            elif now == before:
                kept.append(key)
            else:
                problems.append(f"{key!r} is {describe(now)}: neither {describe(before)} as acknowledged "
                                f"nor the value {tried!r} of the write whose answer was lost")
        elif now != before:
            problems.append(f"{key!r} is {describe(now)}, acknowledged as {describe(before)}")
    if landed and kept:
        problems.append(f"the write whose answer was lost landed in part: {', '.join(map(repr, landed))} "
                        f"written, {', '.join(map(repr, kept))} not")
    if listing.count < dataset.count:
        problems.append(f"DatasetSyncCount went back to {listing.count} from the acknowledged {dataset.count}")
    elif not dataset.unsure and listing.count != dataset.count:
        problems.append(f"DatasetSyncCount is {listing.count}, acknowledged as {dataset.count}")
    return problems


class RestartsPhase:
    """Writes, restarts, reads back; failures and witnesses go to ``tally``.

    ``send`` sends one call (watched by the engine: deadline, unknown answers);
    ``restart`` kills and restarts the target and returns once it answers again.
    """

    def __init__(self, send: Callable[[Call], Any], restart: Callable[[], None], identity: Any,
                 names: list[str], rng: random.Random, tally: Tally) -> None:
        self.send = send
        self.restart = restart
        self.owner = {"IdentityPoolId": identity.pool_id, "IdentityId": identity.identity_id}
        self.datasets = [Dataset(name) for name in names]
        self.rng = rng
        self.tally = tally
        self.restarts = 0
        self.failed = False

    def run(self, writes: int, points: list[int], tick: Callable[[int], None]) -> None:
        """``writes`` writes, restarting before each one numbered in ``points``, and once
        more at the end when a write was not yet put to the test by a restart."""
        restart_before = set(points)
        for n in range(writes):
            tick(n)
            if n in restart_before:
                self.restart_and_read_back()
            if self.failed:
                return
            self.write(self.rng.choice(self.datasets), n)
            if self.failed:
                return
        if not self.restarts or any(d.written and not d.restarted_since_ack for d in self.datasets):
            self.restart_and_read_back()  # the last writes are put to the test too

    # -- writes --------------------------------------------------------------------------
    def write(self, dataset: Dataset, n: int) -> None:
        """One UpdateRecords (after a listing for a token when none is held)."""
        if dataset.token is None:
            listing = self.read(dataset)
            if listing is None:
                return
            self.adopt(dataset, listing)
        patches = self.patches(dataset, n)
        call = Call("UpdateRecords", {**self.owner, "DatasetName": dataset.name, "SyncSessionToken": dataset.token,
                                      "DeviceId": "durability", "RecordPatches": patches})
        response = self.send(call)
        dataset.token = None  # spent, refused (TOK-5 after a restart: list again) or unknown
        outcome = response.outcome
        if outcome.kind == "unknown":
            dataset.unsure.update({p["Key"]: p.get("Value") for p in patches})
        elif isinstance(outcome, Ok):
            self.acknowledged(dataset, SentCall(call, outcome), outcome.body.get("Records") or [])

    def patches(self, dataset: Dataset, n: int) -> list[dict[str, Any]]:
        patches = []
        for key in self.rng.sample(KEYS, self.rng.randint(1, 2)):
            value, count = dataset.records.get(key, (None, 0))
            if value is not None and self.rng.random() < 0.3:
                patches.append({"Op": "remove", "Key": key, "SyncCount": count})
            else:
                patches.append({"Op": "replace", "Key": key, "Value": f"v{n}", "SyncCount": count})
        return patches

    def acknowledged(self, dataset: Dataset, step: SentCall, records: list[dict[str, Any]]) -> None:
        counts = [int(r.get("SyncCount", 0)) for r in records]
        if dataset.restarted_since_ack and counts and min(counts) <= dataset.count:
            self.fail(dataset, "a sync count went back after a restart",
                      f"every record this write returns counts above {dataset.count}, the dataset's count "
                      "acknowledged before the restart (sync counts never go back)",
                      f"a record at SyncCount {min(counts)}: the count started again below where it was", (step,))
            return
        for record in records:
            dataset.records[record["Key"]] = (record.get("Value"), int(record.get("SyncCount", 0)))
            dataset.unsure.pop(record["Key"], None)
        dataset.count = max([dataset.count, *counts])
        dataset.acknowledged = step
        dataset.restarted_since_ack = False

    # -- restarts and reads --------------------------------------------------------------
    def restart_and_read_back(self) -> None:
        """Restart the target, read every written dataset back, judge each read (DUR-1)."""
        self.restart()
        self.restarts += 1
        before = [d for d in self.datasets if d.written]
        listings = [(d, self.read(d)) for d in before]
        gone = bool(before) and all(lst is not None and not lst.exists for _d, lst in listings)
        for dataset, listing in listings:
            dataset.restarted_since_ack = True
            if listing is None:
                continue  # an unknown answer: this read tells nothing
            problems = judge_read_back(dataset, listing)
            if problems:
                received = "; ".join(problems) + (f". {ALL_GONE}" if gone else "")
                self.fail(dataset, "an acknowledged write did not survive a restart",
                          f"after the restart, dataset {dataset.name!r} as acknowledged: "
                          + ", ".join(f"{k!r} {describe(h)}" for k, h in sorted(dataset.records.items()))
                          + f"; DatasetSyncCount {dataset.count}", received, listing.steps)
                return
            if dataset.records:
                self.tally.witnessed("DUR-1")
            token = dataset.token  # a token from before the restart is kept: TOK-5 may refuse it
            self.adopt(dataset, listing)
            dataset.token = token or listing.token

    def read(self, dataset: Dataset) -> Listing | None:
        """The whole dataset, every page; None when an answer was unknown or refused."""
        steps: list[SentCall] = []
        records: dict[str, Held] = {}
        params: dict[str, Any] = {**self.owner, "DatasetName": dataset.name, "LastSyncCount": 0}
        while True:
            call = Call("ListRecords", dict(params))
            outcome = self.send(call).outcome
            steps.append(SentCall(call, outcome))
            if not isinstance(outcome, Ok):
                return None
            body = outcome.body
            for r in body.get("Records") or []:
                records[r["Key"]] = (r.get("Value"), int(r.get("SyncCount", 0)))
            if not body.get("NextToken"):
                return Listing(bool(body.get("DatasetExists")), int(body.get("DatasetSyncCount", 0)),
                               records, body.get("SyncSessionToken"), tuple(steps))
            params["NextToken"] = body["NextToken"]

    def adopt(self, dataset: Dataset, listing: Listing) -> None:
        """Carry on from what the server holds (an unknown outcome is now known)."""
        dataset.records = dict(listing.records)
        dataset.count = listing.count
        dataset.unsure.clear()
        dataset.token = listing.token

    def fail(self, dataset: Dataset, title: str, expected: str, received: str, steps: tuple[SentCall, ...]) -> None:
        before = (dataset.acknowledged,) if dataset.acknowledged is not None else ()
        self.tally.failures.append(Failure("DUR-1", title, expected, received, before + steps))
        self.failed = True
