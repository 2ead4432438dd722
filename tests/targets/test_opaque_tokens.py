"""Tokens holding ``+``, ``/`` and ``=`` reach the emulator intact through every transport.

The real service's tokens are base64 (of gzip), and so are the emulator's. In a
query string those three characters must travel percent-encoded: a ``+`` sent raw
reads as a space, a raw ``=`` or ``&`` can split the pair. One emulator backend
serves all three adapters here (in-process, HTTP, boto3 over HTTP), so the test can
plant a token of its choosing through the backend's own storage transaction and
see whether the server read back the very string it issued.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from cogsync.contracts.calls import Call, Err, Ok
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.server import serve_in_thread
from cogsync.emulator.state import DatasetScope, TokenState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.targets import Boto3Target, HttpTarget, InProcessTarget
from cogsync.targets.base import Target

from .conftest import REGION, list_records, replace, update

#: A token of the real service's alphabet, every awkward character more than once.
AWKWARD_TOKEN = "H4sIAAAAAAAA/+3BMQ0AAAgDoHf/0z2+/hQ=+==&a=b%2B"
TRANSPORTS = ("in-process", "http", "boto3")


@pytest.fixture(scope="module")
def backend() -> CognitoSyncBackend:
    return CognitoSyncBackend()


@pytest.fixture(scope="module")
def adapters(backend: CognitoSyncBackend) -> Iterator[dict[str, Target]]:
    with serve_in_thread(backend=backend) as url:
        made: dict[str, Target] = {
            "in-process": InProcessTarget(CognitoSyncApp(backend)),
            "http": HttpTarget(url, region=REGION),
            "boto3": Boto3Target(url, region=REGION),
        }
        yield made
        for target in made.values():
            target.close()


@pytest.fixture(params=TRANSPORTS)
def target(request: pytest.FixtureRequest, adapters: dict[str, Target]) -> Target:
    return adapters[request.param]


def plant_token(backend: CognitoSyncBackend, ids: dict[str, str], token: str) -> None:
    """Issue ``token`` for the dataset as ListRecords would, through the storage's own API."""
    scope = DatasetScope(ids["IdentityPoolId"], ids["IdentityId"], ids["DatasetName"])
    with backend.storage.write() as tx:
        tx.add_token(TokenState(token, scope, time.time()), keep=backend.max_tokens_per_dataset)


def ok_body(target: Target, call: Call) -> dict[str, Any]:
    outcome = target.send(call).outcome
    assert isinstance(outcome, Ok), outcome
    return outcome.body


def test_a_session_token_in_the_query_comes_back_as_the_same_token(
    target: Target, backend: CognitoSyncBackend, ids: dict[str, str]
) -> None:
    plant_token(backend, ids, AWKWARD_TOKEN)
    body = ok_body(target, list_records(ids, SyncSessionToken=AWKWARD_TOKEN))
    # The emulator hands back a token it holds as unspent for this dataset, and a new
    # one for anything else: the same string means it read the query intact.
    assert body["SyncSessionToken"] == AWKWARD_TOKEN


def test_a_mangled_session_token_would_not_come_back(
    target: Target, backend: CognitoSyncBackend, ids: dict[str, str]
) -> None:
    """The check above can fail: the token as a raw '+' would read it (as a space) is unknown."""
    plant_token(backend, ids, AWKWARD_TOKEN)
    body = ok_body(target, list_records(ids, SyncSessionToken=AWKWARD_TOKEN.replace("+", " ")))
    assert body["SyncSessionToken"] != AWKWARD_TOKEN


def test_a_session_token_in_the_body_carries_a_write(
    target: Target, backend: CognitoSyncBackend, ids: dict[str, str]
) -> None:
    plant_token(backend, ids, AWKWARD_TOKEN)
    outcome = target.send(update(ids, AWKWARD_TOKEN, [replace("k", "v", 0)])).outcome
    assert isinstance(outcome, Ok) and outcome.body["Records"][0]["SyncCount"] == 1
    spent = target.send(update(ids, AWKWARD_TOKEN, [replace("k", "w", 1)])).outcome
    assert isinstance(spent, Err) and spent.error_type == "InvalidParameterException"


def test_issued_session_tokens_round_trip_through_the_query(
    target: Target, ids: dict[str, str]
) -> None:
    """The emulator's own tokens, until every awkward character has made the trip."""
    seen: set[str] = set()
    for _ in range(200):
        issued = ok_body(target, list_records(ids))["SyncSessionToken"]
        again = ok_body(target, list_records(ids, SyncSessionToken=issued))["SyncSessionToken"]
        assert again == issued
        seen |= set(issued) & set("+/=")
        if seen == set("+/="):
            return
    pytest.fail(f"200 tokens held only {sorted(seen)} of + / =")


def test_record_cursors_are_followed_to_the_end_through_the_query(
    target: Target, ids: dict[str, str]
) -> None:
    token = ok_body(target, list_records(ids))["SyncSessionToken"]
    # Keys of every length, so the cursors (which carry the last key) differ in length
    # and some need base64 padding.
    keys = [f"key-{i:02d}-" + "x" * i for i in range(40)]
    ok_body(target, update(ids, token, [replace(k, "v" * i, 0) for i, k in enumerate(keys)]))
    listed: list[str] = []
    cursors: list[str] = []
    call = list_records(ids, MaxResults=1)
    while True:
        body = ok_body(target, call)
        listed += [record["Key"] for record in body["Records"]]
        if "NextToken" not in body:
            break
        cursors.append(body["NextToken"])
        call = list_records(ids, MaxResults=1, NextToken=body["NextToken"])
    assert listed == keys
    assert set("".join(cursors)) >= set("+/="), "no cursor put an awkward character to the test"


def test_dataset_cursors_are_followed_to_the_end_through_the_query(
    target: Target, ids: dict[str, str]
) -> None:
    names = [f"set-{i}" for i in range(6)]
    for name in names:
        scoped = {**ids, "DatasetName": name}
        token = ok_body(target, list_records(scoped))["SyncSessionToken"]
        ok_body(target, update(scoped, token, [replace("k", "v", 0)]))
    owner = {"IdentityPoolId": ids["IdentityPoolId"], "IdentityId": ids["IdentityId"]}
    listed: list[str] = []
    call = Call("ListDatasets", {**owner, "MaxResults": 1})
    while True:
        body = ok_body(target, call)
        listed += [dataset["DatasetName"] for dataset in body["Datasets"]]
        if "NextToken" not in body:
            break
        call = Call("ListDatasets", {**owner, "MaxResults": 1, "NextToken": body["NextToken"]})
    assert listed == names


def test_the_in_process_request_carries_the_token_percent_encoded(
    adapters: dict[str, Target], backend: CognitoSyncBackend, ids: dict[str, str]
) -> None:
    target = adapters["in-process"]
    assert isinstance(target, InProcessTarget)
    plant_token(backend, ids, AWKWARD_TOKEN)
    ok_body(target, list_records(ids, SyncSessionToken=AWKWARD_TOKEN))
    environ = target.last_environ
    assert environ is not None
    assert "syncSessionToken=H4sIAAAAAAAA%2F%2B3BMQ0AAAgDoHf%2F0z2%2B%2FhQ%3D%2B%3D%3D%26a%3Db%252B" in (
        environ["QUERY_STRING"]
    )
