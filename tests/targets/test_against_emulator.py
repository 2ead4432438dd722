"""Every adapter against the real reference emulator, in-process and over HTTP.

The same call sequence through InProcessTarget, HttpTarget and Boto3Target must
give the same outcomes once the parts that differ by nature (tokens, timestamps,
the identity ids each run uses) are masked.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.server import serve_in_thread
from cogsync.targets import CLIENT_REFUSED, Boto3Target, HttpTarget, InProcessTarget
from cogsync.targets.base import Target

from .conftest import REGION, fresh_token, list_records, new_identity, replace, update

TOKEN_MEMBERS = {"SyncSessionToken", "NextToken"}
TIMESTAMP_MEMBERS = {"CreationDate", "LastModifiedDate"}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serve_in_thread() as url:
        yield url


AdapterFactory = Callable[[], Target]


@pytest.fixture(scope="module")
def adapters(served: str) -> Iterator[dict[str, Target]]:
    """One of each adapter for the module: they are thread-safe and tests use fresh ids."""
    made: dict[str, Target] = {
        "in-process": InProcessTarget.emulator(),
        "http": HttpTarget(served, region=REGION),
        "boto3": Boto3Target(served, region=REGION),
    }
    yield made
    for target in made.values():
        target.close()


@pytest.fixture(params=["in-process", "http", "boto3"])
def target(request: pytest.FixtureRequest, adapters: dict[str, Target]) -> Target:
    return adapters[request.param]


def masked(value: Any, identity: str) -> Any:
    """The outcome's data with tokens, server timestamps and this run's identity masked."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in TOKEN_MEMBERS:
                out[key] = "<token>"
            elif key in TIMESTAMP_MEMBERS:
                out[key] = "<time>" if isinstance(item, (int, float)) else item
            else:
                out[key] = masked(item, identity)
        return out
    if isinstance(value, list):
        return [masked(item, identity) for item in value]
    if isinstance(value, str):
        return value.replace(identity, "<identity>")
    return value


def normalized(outcome: Outcome, identity: str) -> tuple[Any, ...]:
    if isinstance(outcome, Ok):
        return ("ok", outcome.status, masked(outcome.body, identity))
    if isinstance(outcome, Err):
        return ("err", outcome.error_type, outcome.status, masked(outcome.message, identity))
    return ("unknown", outcome.status)


def all_five_operations(target: Target) -> list[tuple[Any, ...]]:
    """A session touching every operation; returns the normalized outcomes."""
    pool, identity = new_identity(), new_identity()
    ids = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": "settings"}
    seen: list[Outcome] = []

    def send(call: Call) -> Any:
        outcome = target.send(call).outcome
        seen.append(outcome)
        return outcome.body if isinstance(outcome, Ok) else None

    token = send(list_records(ids))["SyncSessionToken"]
    send(
        update(
            ids,
            token,
            [
                replace("theme", "dark 🌙 ünïcødé", 0, DeviceLastModifiedDate=1700000000),
                replace("lang", "fr", 0),
            ],
            DeviceId="device-1",
            ClientContext="eyJjbGllbnQiOnt9fQ==",
        )
    )
    stale = send(list_records(ids))["SyncSessionToken"]
    send(update(ids, stale, [replace("theme", "light", 0)]))  # CONF-2: 409
    first_page = send(list_records(ids, MaxResults=1, LastSyncCount=0))
    send(list_records(ids, MaxResults=1, NextToken=first_page["NextToken"]))
    token = send(list_records(ids, LastSyncCount=0))["SyncSessionToken"]
    send(update(ids, token, [{"Op": "remove", "Key": "lang", "SyncCount": 1}], DeviceId="d2"))
    send(list_records(ids, LastSyncCount=1))
    send(Call("DescribeDataset", ids))
    send(Call("ListDatasets", {"IdentityPoolId": pool, "IdentityId": identity, "MaxResults": 5}))
    send(Call("DeleteDataset", ids))
    send(Call("DescribeDataset", ids))
    send(list_records(ids))
    return [normalized(outcome, identity) for outcome in seen]


def test_every_adapter_gets_the_same_outcomes_for_the_same_session(
    adapters: dict[str, Target],
) -> None:
    results = {name: all_five_operations(target) for name, target in adapters.items()}
    kinds = [entry[0] for entry in results["http"]]
    assert kinds.count("ok") >= 10 and ("err", "ResourceConflictException", 409) in [
        entry[:3] for entry in results["http"]
    ]
    assert ("err", "ResourceNotFoundException", 404) in [entry[:3] for entry in results["http"]]
    assert results["in-process"] == results["http"]
    assert results["boto3"] == results["http"]


def test_ok_bodies_carry_numeric_timestamps(target: Target, ids: dict[str, str]) -> None:
    token = fresh_token(target, ids)
    response = target.send(update(ids, token, [replace("k", "v", 0)]))
    assert isinstance(response.outcome, Ok)
    record = response.outcome.body["Records"][0]
    assert isinstance(record["LastModifiedDate"], (int, float))
    assert response.started_at - 1 <= record["LastModifiedDate"] <= response.ended_at + 1
    assert response.raw_body and response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"DatasetName": 10**130}, id="int-DatasetName-too-long"),
        pytest.param({"SyncSessionToken": None}, id="missing-SyncSessionToken"),
        pytest.param({"RecordPatches": [replace("k" * 2000, "v", 0)]}, id="2000-char-key"),
        pytest.param(
            {"RecordPatches": [{"Op": "replace", "Key": "k", "SyncCount": "0"}]},
            id="string-SyncCount",
        ),
        pytest.param({"DeviceId": 42}, id="int-DeviceId"),
    ],
)
def test_invalid_values_reach_the_server_and_come_back_400(
    target: Target, ids: dict[str, str], change: dict[str, Any]
) -> None:
    token = fresh_token(target, ids)
    params = {**ids, "SyncSessionToken": token, "RecordPatches": [replace("k", "v", 0)], **change}
    params = {k: v for k, v in params.items() if v is not None}
    outcome = target.send(Call("UpdateRecords", params)).outcome
    assert isinstance(outcome, Err), outcome
    assert (outcome.error_type, outcome.status) == ("InvalidParameterException", 400)
    # and nothing changed
    after = target.send(list_records(ids)).outcome
    assert isinstance(after, Ok) and after.body["DatasetExists"] is False


@pytest.mark.parametrize("records", ["not-a-list", {"Op": "replace"}, 7])
def test_non_list_record_patches(target: Target, ids: dict[str, str], records: Any) -> None:
    """Our builder carries them to the server (400); boto3's serializer cannot encode them."""
    token = fresh_token(target, ids)
    outcome = target.send(update(ids, token, records)).outcome
    if isinstance(target, Boto3Target):
        assert isinstance(outcome, Unknown) and outcome.reason.startswith(CLIENT_REFUSED)
        assert outcome.status is None
    else:
        assert isinstance(outcome, Err)
        assert (outcome.error_type, outcome.status) == ("InvalidParameterException", 400)


def test_a_small_int_label_travels_as_its_decimal_string(
    target: Target, ids: dict[str, str]
) -> None:
    """The wire erases a path label's type: DatasetName=5 is the valid name "5"."""
    outcome = target.send(list_records({**ids, "DatasetName": 5})).outcome
    assert isinstance(outcome, Ok) and outcome.body["DatasetExists"] is False


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"SyncSessionToken": "t", "RecordPatches": [', b"\xff\xfe", b"[]"],
)
def test_send_raw_malformed_json_is_a_400(
    adapters: dict[str, Target], ids: dict[str, str], body: bytes
) -> None:
    path = "/identitypools/{}/identities/{}/datasets/{}".format(
        *(ids[k].replace(":", "%3A") for k in ("IdentityPoolId", "IdentityId", "DatasetName"))
    )
    for name in ("in-process", "http"):
        target = adapters[name]
        assert target.supports_raw
        response = target.send_raw(
            "POST", path, headers={"Content-Type": "application/json"}, body=body
        )
        assert response.outcome == Err(
            "InvalidParameterException",
            400,
            response.outcome.message,  # type: ignore[union-attr]
        ), name
        assert response.call.operation == "Raw" and response.call.params["path"] == path
    assert not adapters["boto3"].supports_raw


def test_probe_is_none_for_a_running_emulator(target: Target) -> None:
    assert target.probe() is None


def test_in_process_emulator_resets(ids: dict[str, str]) -> None:
    target = InProcessTarget.emulator()
    token = fresh_token(target, ids)
    assert isinstance(target.send(update(ids, token, [replace("k", "v", 0)])).outcome, Ok)
    assert target.supports_reset
    target.reset()
    after = target.send(list_records(ids)).outcome
    assert isinstance(after, Ok) and after.body["DatasetExists"] is False
    target.close()


# -- SigV4 verified by the emulator's optional auth mode ---------------------------------------
ACCESS_KEY, SECRET = "AKIDCOGSYNCAUTH", "cogsync-auth-secret"


@pytest.fixture(scope="module")
def served_with_auth() -> Iterator[str]:
    with serve_in_thread(auth=SigV4Verifier({ACCESS_KEY: SECRET})) as url:
        yield url


def signed_targets(url: str, secret: str) -> dict[str, Target]:
    session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret)
    return {
        "in-process": InProcessTarget.emulator(
            auth={ACCESS_KEY: SECRET}, credentials=(ACCESS_KEY, secret)
        ),
        "http": HttpTarget(url, credentials=(ACCESS_KEY, secret)),
        "boto3": Boto3Target(url, region=REGION, session=session),
    }


def test_the_emulator_verifies_our_signatures(served_with_auth: str, ids: dict[str, str]) -> None:
    good = signed_targets(served_with_auth, SECRET)
    bad = signed_targets(served_with_auth, "wrong-secret")
    try:
        for name in good:
            listed = good[name].send(list_records(ids)).outcome
            assert isinstance(listed, Ok), (name, listed)
            token = listed.body["SyncSessionToken"]
            written = good[name].send(update(ids, token, [replace("k", "v", 0)])).outcome
            assert isinstance(written, Ok), (name, written)
            refused = bad[name].send(list_records(ids)).outcome
            assert isinstance(refused, Err) and refused.status == 403, (name, refused)
            ids = {**ids, "IdentityId": new_identity()}
    finally:
        for target in (*good.values(), *bad.values()):
            target.close()


# -- one HttpTarget, many threads ------------------------------------------------------------
def test_one_http_target_serves_8_threads_of_50_calls(served: str) -> None:
    target = HttpTarget(served, region=REGION)
    try:
        assert_threads_get_their_own_answers(target, threads=8, pairs=25)
    finally:
        target.close()


@pytest.mark.parametrize("name", ["in-process", "boto3"])
def test_other_adapters_serve_threads_too(adapters: dict[str, Target], name: str) -> None:
    assert_threads_get_their_own_answers(adapters[name], threads=4, pairs=10)


def assert_threads_get_their_own_answers(target: Target, *, threads: int, pairs: int) -> None:
    """Each thread lists then writes its own dataset: every answer must be its own."""
    failures: list[str] = []
    writes: dict[str, int] = {}
    pool = new_identity()  # one pool, many identities: the answers differ only by identity

    def worker() -> None:
        identity = new_identity()
        ids = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": "race"}
        count = 0
        for step in range(pairs):  # a list and an update per step
            listed = target.send(list_records(ids)).outcome
            if not isinstance(listed, Ok) or listed.body["DatasetSyncCount"] != count:
                failures.append(f"{identity} list {step}: {listed}")
                return
            key_count = listed.body["Records"][0]["SyncCount"] if listed.body["Records"] else 0
            marker = f"{identity}-{step}"
            patch = replace("k", marker, key_count)
            written = target.send(update(ids, listed.body["SyncSessionToken"], [patch])).outcome
            if not isinstance(written, Ok) or written.body["Records"][0] != {
                **written.body["Records"][0],
                "Value": marker,
                "SyncCount": count + 1,
            }:
                failures.append(f"{identity} write {step}: {written}")
                return
            count += 1
        writes[identity] = count

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(writes.values()) == [pairs] * threads


def test_threads_racing_on_one_key_have_one_winner_per_count(served: str) -> None:
    """Through one shared target, CAS semantics survive: no response is mixed up."""
    target = HttpTarget(served, region=REGION)
    ids = {"IdentityPoolId": new_identity(), "IdentityId": new_identity(), "DatasetName": "cas"}
    tokens = [fresh_token(target, ids) for _ in range(8)]
    outcomes: list[Outcome] = [Unknown("not run")] * 8
    barrier = threading.Barrier(8)

    def worker(index: int) -> None:
        barrier.wait()
        marker = f"writer-{index}-{uuid.uuid4().hex[:6]}"
        outcomes[index] = target.send(update(ids, tokens[index], [replace("k", marker, 0)])).outcome

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, Ok)]
    losers = [o for o in outcomes if isinstance(o, Err)]
    assert len(winners) == 1 and len(losers) == 7
    assert {o.error_type for o in losers} == {"ResourceConflictException"}
    final = target.send(list_records(ids)).outcome
    target.close()
    assert isinstance(final, Ok)
    assert final.body["Records"][0]["Value"] == winners[0].body["Records"][0]["Value"]


def test_a_header_with_cr_lf_is_refused_client_side(target: Target, ids: dict[str, str]) -> None:
    call = update(ids, "token", [replace("k", "v", 0)], ClientContext="line\r\nInjected: yes")
    response = target.send(call)
    assert isinstance(response.outcome, Unknown)
    assert response.outcome.reason.startswith(CLIENT_REFUSED)
    assert response.status is None


def test_a_non_ascii_header_travels_as_utf8_like_boto3(target: Target, ids: dict[str, str]) -> None:
    token = fresh_token(target, ids)
    call = update(ids, token, [replace("k", "v", 0)], ClientContext="ctx é 😀")
    assert isinstance(target.send(call).outcome, Ok)
