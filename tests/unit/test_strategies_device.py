"""Device and call sequences, driven by a tiny dictionary "server" written here.

The server keeps just enough of Cognito Sync to answer like it: sync counts, tokens
bound to a dataset and spent by a successful write, 409 on a stale count,
tombstones, pagination, dataset deletion and (small) limits.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

import cogsync.strategies
from cogsync.contracts import constraints as C
from cogsync.contracts import schemas
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.contracts.validation import input_violations
from cogsync.strategies import (
    Bulk,
    Device,
    Edit,
    Identity,
    Scenario,
    Step,
    call_sequences,
    limit_pressure_steps,
    steps,
)
from cogsync.strategies._scenarios import PRESSURE_DATASET

ALICE = Identity("us-east-1:00000000-0000-0000-0000-000000000001",
                 "us-east-1:00000000-0000-0000-0000-0000000000a1")
BOB = Identity("us-east-1:00000000-0000-0000-0000-000000000001",
               "us-east-1:00000000-0000-0000-0000-0000000000b0")
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
SEQUENCES = settings(max_examples=40, database=None, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Dataset:
    count: int = 0
    records: dict[str, tuple[str | None, int]] = field(default_factory=dict)


@dataclass
class DictServer:
    """Cognito Sync in a few dictionaries; ``calls`` records what it was sent."""

    limits: C.Limits = C.DEFAULT_LIMITS
    check: bool = True  # assert every call is valid (schema and input_violations)
    datasets: dict[tuple, Dataset] = field(default_factory=dict)
    tokens: dict[str, tuple[tuple, bool]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=itertools.count)

    def send(self, call: Call) -> Outcome:
        self.calls.append(call)
        if self.check:
            assert input_violations(call) == [], call
            assert schemas.errors(f"{call.operation}Request", call.params) == [], call
        return getattr(self, call.operation)(call.params)

    @staticmethod
    def scope(p: dict) -> tuple:
        return (p["IdentityPoolId"], p["IdentityId"], p["DatasetName"])

    def ListRecords(self, p: dict) -> Outcome:
        scope, since = self.scope(p), p.get("LastSyncCount", 0)
        token = f"token-{next(self._ids)}"
        self.tokens[token] = (scope, False)
        ds = self.datasets.get(scope)
        if ds is None:
            return Ok({"Records": [], "DatasetSyncCount": 0, "DatasetExists": False,
                       "Count": 0, "SyncSessionToken": token})
        if since > ds.count:
            return Err("InvalidParameterException", 400, f"No such SyncCount: {since}")
        matching = sorted(k for k, (_, n) in ds.records.items() if n > since)
        start = int(p.get("NextToken", "0"))
        size = p.get("MaxResults", 1024)
        page = matching[start:start + size]
        body = {
            "Records": [self.record(k, ds) for k in page],
            "DatasetSyncCount": ds.count, "DatasetExists": True,
            "Count": len(matching), "SyncSessionToken": token,
        }
        if start + size < len(matching):
            body["NextToken"] = str(start + size)
        return Ok(body)

    @staticmethod
    def record(key: str, ds: Dataset) -> dict:
        value, count = ds.records[key]
        out = {"Key": key, "SyncCount": count}
        if value is not None:
            out["Value"] = value
        return out

    def UpdateRecords(self, p: dict) -> Outcome:
        scope = self.scope(p)
        issued = self.tokens.get(p["SyncSessionToken"])
        if issued is None or issued[0] != scope or issued[1]:
            return Err("InvalidParameterException", 400, "SyncSessionToken not valid")
        ds = self.datasets.get(scope, Dataset())
        patches = p.get("RecordPatches", [])
        for patch in patches:
            current = ds.records.get(patch["Key"], (None, 0))[1]
            if patch["SyncCount"] != current:
                return Err("ResourceConflictException", 409,
                           f"Current SyncCount for: {patch['Key']} is: {current} "
                           f"not: {patch['SyncCount']}")
        records = dict(ds.records)
        for patch in patches:
            records[patch["Key"]] = (patch.get("Value") if patch["Op"] == "replace" else None,
                                     ds.count + 1)
        live = {k: v for k, (v, _) in records.items() if v is not None}
        owned = {s for s in self.datasets if s[:2] == scope[:2]} | {scope}
        if (len(owned) > self.limits.max_datasets_per_identity
                or len(live) > self.limits.max_records_per_dataset
                or sum(len(k.encode()) + len(v.encode()) for k, v in live.items())
                > self.limits.max_dataset_bytes):
            return Err("LimitExceededException", 400, "limit")
        self.tokens[p["SyncSessionToken"]] = (scope, True)
        if patches:
            ds.count += 1
            ds.records = {k: (v, ds.count if k in {q["Key"] for q in patches} else n)
                          for k, (v, n) in records.items()}
        self.datasets[scope] = ds
        return Ok({"Records": [self.record(q["Key"], ds) for q in patches]})

    def DescribeDataset(self, p: dict) -> Outcome:
        ds = self.datasets.get(self.scope(p))
        if ds is None:
            return Err("ResourceNotFoundException", 404, "no such dataset")
        return Ok({"Dataset": {"DatasetName": p["DatasetName"], "NumRecords": len(ds.records)}})

    def DeleteDataset(self, p: dict) -> Outcome:
        if self.datasets.pop(self.scope(p), None) is None:
            return Err("ResourceNotFoundException", 404, "no such dataset")
        return Ok({"Dataset": {"DatasetName": p["DatasetName"]}})

    def ListDatasets(self, p: dict) -> Outcome:
        names = sorted(s[2] for s in self.datasets if s[:2] == (p["IdentityPoolId"],
                                                                p["IdentityId"]))
        start, size = int(p.get("NextToken", "0")), p.get("MaxResults", 1024)
        body: dict = {"Datasets": [{"DatasetName": n} for n in names[start:start + size]],
                      "Count": len(names)}
        if start + size < len(names):
            body["NextToken"] = str(start + size)
        return Ok(body)


def shape(calls: list[Call]) -> list[tuple]:
    """The parts of calls a test cares about: operation and the counts and token sent."""
    out = []
    for call in calls:
        p = call.params
        if call.operation == "ListRecords":
            out.append(("ListRecords", p.get("LastSyncCount"), p.get("NextToken")))
        elif call.operation == "UpdateRecords":
            out.append(("UpdateRecords", p["SyncSessionToken"],
                        tuple((q["Op"], q["Key"], q["SyncCount"]) for q in p["RecordPatches"])))
        else:
            out.append((call.operation,))
    return out


def write(device: int, *edits: Edit, dataset: str = "scores", **options) -> Step:
    return Step(device, "write", dataset, tuple(edits), **options)


# -- one device ----------------------------------------------------------------------------

def test_a_first_write_lists_then_writes_with_the_listing_token_and_count_zero():
    server, phone = DictServer(), Device(ALICE, "phone")
    phone.run(write(0, Edit("k", "v")), server.send)
    assert shape(server.calls) == [
        ("ListRecords", 0, None),
        ("UpdateRecords", "token-0", (("replace", "k", 0),)),
    ]
    assert server.calls[1].params["DeviceId"] == "phone"
    view = phone.view("scores")
    assert view.sync_count == 1 and view.token is None  # fast-forwarded; token spent
    assert view.records["k"].sync_count == 1


def test_the_next_write_lists_since_the_last_count_and_presents_the_seen_count():
    server, phone = DictServer(), Device(ALICE)
    phone.run(write(0, Edit("k", "v")), server.send)
    phone.run(write(0, Edit("k", "w"), Edit("new", "x")), server.send)
    assert shape(server.calls)[2:] == [
        ("ListRecords", 1, None),
        ("UpdateRecords", "token-1", (("replace", "k", 1), ("replace", "new", 0))),
    ]
    assert phone.view("scores").sync_count == 2


def test_remove_leaves_a_tombstone_and_replace_presents_its_count():
    server, phone = DictServer(), Device(ALICE)
    phone.run(write(0, Edit("k", "v")), server.send)
    phone.run(write(0, Edit("k")), server.send)  # value None: remove
    assert phone.view("scores").records["k"].value is None
    phone.run(write(0, Edit("k", "back")), server.send)
    assert shape(server.calls)[-1] == ("UpdateRecords", "token-2", (("replace", "k", 2),))
    assert server.datasets[(ALICE.pool_id, ALICE.identity_id, "scores")].records["k"] == (
        "back", 3)


def test_listing_follows_next_token_and_keeps_the_last_pages_token():
    server, phone = DictServer(), Device(ALICE)
    phone.run(write(0, *(Edit(k, "v") for k in "abc")), server.send)
    other = Device(ALICE)
    other.run(Step(1, "list", "scores", max_results=2), server.send)
    assert shape(server.calls)[2:] == [("ListRecords", 0, None), ("ListRecords", 0, "2")]
    assert server.calls[2].params["MaxResults"] == 2
    view = other.view("scores")
    assert sorted(view.records) == ["a", "b", "c"]
    assert view.token == "token-2" and view.sync_count == 1


def test_offset_writes_stale_on_purpose_on_the_first_attempt_only():
    server, phone = DictServer(), Device(ALICE)
    phone.run(write(0, Edit("k", "v")), server.send)
    phone.run(write(0, Edit("k", "w", offset=-1)), server.send)
    assert shape(server.calls)[2:] == [
        ("ListRecords", 1, None),
        ("UpdateRecords", "token-1", (("replace", "k", 0),)),  # stale: 409
        ("ListRecords", 1, None),
        ("UpdateRecords", "token-2", (("replace", "k", 1),)),  # retried as seen
    ]


# -- two devices: races, conflicts, deletion -----------------------------------------------

def test_a_stale_write_gets_409_then_relists_and_retries_at_the_fresh_count():
    server = DictServer()
    first, second = Device(ALICE, "one"), Device(ALICE, "two")
    first.run(Step(0, "list", "scores"), server.send)   # token-0
    second.run(Step(1, "list", "scores"), server.send)  # token-1
    first.run(write(0, Edit("k", "mine")), server.send)
    second.run(write(1, Edit("k", "theirs")), server.send)
    assert shape(server.calls)[2:] == [
        ("UpdateRecords", "token-0", (("replace", "k", 0),)),
        ("UpdateRecords", "token-1", (("replace", "k", 0),)),   # stale: 409
        ("ListRecords", 0, None),                               # re-list
        ("UpdateRecords", "token-2", (("replace", "k", 1),)),   # retry, fresh count
    ]
    assert second.view("scores").sync_count == 2


def test_with_theirs_policy_a_conflicting_edit_is_dropped_not_retried():
    server = DictServer()
    first, second = Device(ALICE), Device(ALICE, on_conflict="theirs")
    first.run(Step(0, "list", "scores"), server.send)
    second.run(Step(1, "list", "scores"), server.send)
    first.run(write(0, Edit("k", "mine")), server.send)
    second.run(write(1, Edit("k", "theirs")), server.send)
    assert [c.operation for c in server.calls[3:]] == ["UpdateRecords", "ListRecords"]
    assert second.view("scores").records["k"].value == "mine"


def test_a_device_that_missed_a_write_does_not_fast_forward_its_count():
    server = DictServer()
    first, second = Device(ALICE), Device(ALICE)
    first.run(Step(0, "list", "scores"), server.send)
    second.run(Step(1, "list", "scores"), server.send)
    first.run(write(0, Edit("a", "1")), server.send)    # dataset at 1
    second.run(write(1, Edit("b", "2")), server.send)   # dataset at 2, second saw 0
    assert second.view("scores").sync_count == 0        # must list to learn of "a"
    second.run(Step(1, "list", "scores"), server.send)
    assert shape(server.calls)[-1] == ("ListRecords", 0, None)
    assert second.view("scores").sync_count == 2


def test_after_a_delete_a_device_relists_from_zero_when_its_count_is_gone():
    server = DictServer()
    first, second = Device(ALICE), Device(ALICE)
    first.run(write(0, Edit("k", "v")), server.send)
    first.run(write(0, Edit("k", "w")), server.send)    # dataset at 2
    second.run(Step(1, "list", "scores"), server.send)  # second holds 2
    first.run(Step(0, "delete", "scores"), server.send)
    first.run(write(0, Edit("k", "again")), server.send)  # recreated at 1
    assert first.view("scores").sync_count == 1
    second.run(write(1, Edit("k", "late")), server.send)
    assert shape(server.calls)[-3:] == [
        ("ListRecords", 2, None),      # 400: no such SyncCount
        ("ListRecords", 0, None),      # forget, list from zero
        ("UpdateRecords", "token-5", (("replace", "k", 1),)),
    ]


def test_identities_are_isolated_datasets_of_the_same_name_are_separate():
    server = DictServer()
    Device(ALICE).run(write(0, Edit("k", "v")), server.send)
    bob = Device(BOB)
    bob.run(Step(1, "list", "scores"), server.send)
    assert bob.view("scores").records == {} and bob.view("scores").exists is False


def test_unknown_outcome_ends_the_step_and_drops_the_token():
    phone = Device(ALICE)
    phone.start(write(0, Edit("k", "v")))
    listing = phone.next_call()
    assert listing is not None and listing.operation == "ListRecords"
    phone.absorb(Ok({"Records": [], "DatasetSyncCount": 0, "DatasetExists": False,
                     "SyncSessionToken": "t"}))
    update = phone.next_call()
    assert update is not None and update.params["SyncSessionToken"] == "t"
    phone.absorb(Unknown("timeout"))
    assert phone.next_call() is None and not phone.busy
    assert phone.view("scores").token is None


def test_dataset_deleted_after_requested_count_makes_the_device_list_from_zero():
    phone = Device(ALICE)
    phone.start(Step(0, "list", "scores"))
    first = phone.next_call()
    assert first is not None
    phone.absorb(Ok({"Records": [{"Key": "old", "SyncCount": 9, "Value": "x"}],
                     "DatasetSyncCount": 1, "DatasetExists": True,
                     "DatasetDeletedAfterRequestedSyncCount": True, "SyncSessionToken": "t"}))
    again = phone.next_call()
    assert again is not None and again.params["LastSyncCount"] == 0
    phone.absorb(Ok({"Records": [{"Key": "new", "SyncCount": 1, "Value": "y"}],
                     "DatasetSyncCount": 1, "DatasetExists": True, "SyncSessionToken": "u"}))
    assert sorted(phone.view("scores").records) == ["new"]
    assert phone.next_call() is None


def test_a_device_has_one_call_in_flight():
    phone = Device(ALICE)
    phone.start(Step(0, "describe", "scores"))
    phone.next_call()
    with pytest.raises(ValueError, match="absorb"):
        phone.next_call()
    with pytest.raises(ValueError, match="step="):
        phone.start(Step(0, "describe", "scores"))


def test_list_datasets_pages_through():
    server = DictServer()
    Device(ALICE).run(write(0, Edit("k", "v"), dataset="a"), server.send)
    Device(ALICE).run(write(0, Edit("k", "v"), dataset="b"), server.send)
    before = len(server.calls)
    Device(ALICE).run(Step(0, "list_datasets", max_results=1), server.send)
    pages = server.calls[before:]
    assert [c.params.get("NextToken") for c in pages] == [None, "1"]


def test_bulk_expands_to_exactly_its_byte_total():
    bulk = Bulk(3, 1000, prefix="big")
    edits = bulk.edits()
    assert [e.key for e in edits] == ["big00000", "big00001", "big00002"]
    assert sum(len(e.key.encode()) + len(e.value.encode()) for e in edits) == 1000


# -- whole sequences -----------------------------------------------------------------------

@SEQUENCES
@given(call_sequences(limit_pressure=False))
def test_sequences_drive_devices_to_valid_calls_only(scenario):
    server = DictServer()
    transcript = scenario.run(server.send)  # DictServer.send asserts every call is valid
    assert len(transcript) >= len(scenario.steps)
    for exchange in transcript:
        device = scenario.devices[exchange.device]
        assert exchange.call.params["IdentityId"] == (
            scenario.identities[device.identity].identity_id)


def test_sequences_share_identities_between_devices_and_keep_others_apart():
    scenario = find(call_sequences(identities=2, devices=3), lambda s: True,
                    settings=settings(database=None, phases=[Phase.generate]))
    assert [d.identity for d in scenario.devices] == [0, 1, 0]
    assert len(set(scenario.identities)) == 2


def found(condition, server_limits: C.Limits = C.DEFAULT_LIMITS, draws: int = 600,
          **options) -> Scenario:
    """A scenario whose run against a DictServer meets ``condition``, within ``draws``.

    The budgets are many times the draws these searches need on average, so a miss
    means the strategy stopped making the history happen.
    """
    def holds(scenario):
        server = DictServer(limits=server_limits, check=False)
        return condition(scenario, scenario.run(server.send), server)

    return find(call_sequences(**options), holds,
                settings=settings(database=None, max_examples=draws, deadline=None,
                                  phases=[Phase.generate],
                                  suppress_health_check=list(HealthCheck)))


def errors(transcript, error_type):
    return [x for x in transcript if isinstance(x.outcome, Err)
            and x.outcome.error_type == error_type]


def test_stale_writes_and_conflicts_arise_by_design():
    found(lambda s, t, _: errors(t, "ResourceConflictException"), limit_pressure=False)


def test_resurrection_after_remove_arises_by_design():
    def resurrected(scenario, transcript, _):
        removed = set()
        for x in transcript:
            if x.call.operation == "UpdateRecords" and isinstance(x.outcome, Ok):
                for patch in x.call.params["RecordPatches"]:
                    if patch["Op"] == "remove":
                        removed.add(patch["Key"])
                    elif patch["Key"] in removed:
                        return True
        return False

    found(resurrected, limit_pressure=False)


@pytest.mark.parametrize("operation", ["DeleteDataset", "DescribeDataset", "ListDatasets"])
def test_delete_describe_and_list_datasets_succeed_by_design(operation):
    found(lambda s, t, _: any(x.call.operation == operation and isinstance(x.outcome, Ok)
                              for x in t), limit_pressure=False)


def test_listings_span_several_pages_by_design():
    found(lambda s, t, _: any(x.call.operation == "ListRecords" and "NextToken" in x.call.params
                              for x in t), limit_pressure=False)


def test_a_device_holding_a_count_from_before_a_delete_lists_again_by_design():
    def delete_then_stale(scenario, transcript, _):
        deleted = set()
        for x in transcript:
            if x.call.operation == "DeleteDataset" and isinstance(x.outcome, Ok):
                deleted.add(x.call.scope)
            elif (x.call.operation == "ListRecords" and x.call.scope in deleted
                    and x.call.params["LastSyncCount"] > 0):
                return True  # DS-4 / LIST-3 territory
        return False

    found(delete_then_stale, limit_pressure=False)


def test_lost_update_races_arise_by_design():
    def raced(scenario, transcript, _):
        for a, b in zip(transcript, transcript[1:], strict=False):
            if (a.call.operation == b.call.operation == "UpdateRecords"
                    and a.device != b.device and isinstance(a.outcome, Ok)
                    and errors([b], "ResourceConflictException")):
                return True
        return False

    found(raced, limit_pressure=False)


@pytest.mark.parametrize("limit", ["records", "bytes", "datasets"])
def test_limit_pressure_reaches_each_limit_and_stops_just_past_it(limit):
    small = C.Limits(max_datasets_per_identity=3 if limit == "datasets" else 20,
                     max_records_per_dataset=5, max_dataset_bytes=200)

    def pressed(scenario, transcript, _):
        writes = [x for x in transcript if x.call.operation == "UpdateRecords"]
        for before, after in zip(writes, writes[1:], strict=False):
            if isinstance(before.outcome, Ok) and errors([after], "LimitExceededException"):
                p = before.call.params
                if limit == "records":
                    return len(p["RecordPatches"]) == small.max_records_per_dataset
                if limit == "bytes":
                    return p["DatasetName"] == PRESSURE_DATASET and sum(
                        len(q["Key"]) + len(q.get("Value", "")) for q in p["RecordPatches"]
                    ) == small.max_dataset_bytes
                return p["DatasetName"].startswith("cogsync.burst-")
        return False

    found(pressed, limits=small, server_limits=small, datasets=1, max_steps=12, draws=1200)


@SEQUENCES
@given(steps(devices=2, datasets=["a", "b"], keys=["k", "j"]))
def test_single_steps_for_state_machines(step):
    assert step.device in (0, 1)
    assert step.dataset in ("a", "b", None)
    assert {e.key for e in step.edits} <= {"k", "j"}
    DictServer()  # and a device can run it
    Device(ALICE).run(step, DictServer().send)


@SEQUENCES
@given(limit_pressure_steps(devices=1, limits=C.Limits(2, 3, 100)))
def test_pressure_segments_clean_up_after_themselves(segment):
    assert segment[-1].action == "delete"
    server = DictServer(limits=C.Limits(2, 3, 100))
    device = Device(ALICE)
    for step in segment:
        device.run(step, server.send)
    assert server.datasets == {}


def test_minimal_sequence_is_one_readable_step():
    scenario = find(call_sequences(), lambda s: True,
                    settings=settings(database=None, phases=[Phase.generate]))
    assert len(scenario.steps) == 1
    assert scenario.steps[0].action == "write"
    assert "device 0 write" in str(scenario)
    assert eval(repr(scenario), vars(cogsync.strategies)) == scenario  # pasteable
