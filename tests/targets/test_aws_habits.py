"""The AWS-habits wrapper (tests/support) dresses real answers, and the kit reads them unchanged.

The same calls go to the bare reference emulator and to the wrapped one: the raw
bytes differ in every way the real service's do (nulls, E-notation timestamps,
Coral error types, base64-of-gzip tokens), and the outcomes the targets classify
are the same once tokens and timestamps are masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogsync.contracts.calls import Call, Err, Ok
from cogsync.emulator.apps import reference_app
from cogsync.emulator.server import EmulatorServer
from cogsync.targets import Boto3Target, HttpTarget, InProcessTarget
from cogsync.targets.base import Target
from tests.support import aws_habits, java_double

from .conftest import REGION, list_records, replace, update

ROOT = Path(__file__).resolve().parents[2]
E_NOTATION = re.compile(rb'"(?:LastModifiedDate|CreationDate|DeviceLastModifiedDate)":(-?[0-9.]+E-?[0-9]+)[,}]')


@pytest.fixture(scope="module")
def habits() -> ModuleType:
    return aws_habits


@pytest.fixture(scope="module")
def java() -> ModuleType:
    return java_double


# -- Java's Double.toString ----------------------------------------------------------------
@pytest.mark.parametrize(
    "value, text",
    [(1700574875.82, "1.70057487582E9"), (1.7e9, "1.7E9"), (1e9, "1.0E9"), (1e7, "1.0E7"),
     (9999999.5, "9999999.5"), (0.001, "0.001"), (1e-4, "1.0E-4"), (100.0, "100.0"),
     (0.0, "0.0"), (-1700574875.5, "-1.7005748755E9"), (1e30, "1.0E30")],
)
def test_java_double_writes_what_java_writes(java: ModuleType, value: float, text: str) -> None:
    assert java.java_double(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_double_reads_back_as_the_same_double(value: float) -> None:
    java = java_double
    assert float(java.java_double(value)) == value
    assert json.loads(java.java_double(value)) == value


def test_java_timestamp_keeps_milliseconds(java: ModuleType) -> None:
    assert java.java_timestamp(1700574875.8234567) == "1.700574875823E9"
    assert java.java_timestamp(1700000000) == "1.7E9"


# -- the wrapper ----------------------------------------------------------------------------
def session(target: Target, ids: dict[str, str]) -> list[Any]:
    """One session touching every operation and every habit; the responses."""
    seen = []

    def send(call: Call) -> Any:
        response = target.send(call)
        seen.append(response)
        return response.outcome.body if isinstance(response.outcome, Ok) else None

    owner = {"IdentityPoolId": ids["IdentityPoolId"], "IdentityId": ids["IdentityId"]}
    token = send(list_records(ids))["SyncSessionToken"]  # a missing dataset
    send(update(ids, token, [replace("k", "v", 0, DeviceLastModifiedDate=1700574875.82),
                             replace("j", "w", 0)], DeviceId="device-1"))
    token = send(list_records(ids))["SyncSessionToken"]
    send(update(ids, token, [{"Op": "remove", "Key": "j", "SyncCount": 1}]))
    send(update(ids, token, [replace("k", "x", 1)]))  # a spent token: 400
    token = send(list_records(ids))["SyncSessionToken"]
    send(update(ids, token, [replace("k", "x", 0)]))  # stale: 409
    first = send(list_records(ids, MaxResults=1))
    send(list_records(ids, MaxResults=1, NextToken=first["NextToken"]))
    send(Call("DescribeDataset", ids))
    send(Call("ListDatasets", owner))
    send(Call("DeleteDataset", ids))
    send(Call("DescribeDataset", ids))  # 404
    return seen


def masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<token>" if k in ("SyncSessionToken", "NextToken") else
                "<time>" if k in ("LastModifiedDate", "CreationDate") and isinstance(v, float)
                else masked(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def outcome_view(response: Any) -> Any:
    outcome = response.outcome
    if isinstance(outcome, Ok):
        return ("ok", masked(outcome.body))
    assert isinstance(outcome, Err), outcome
    return ("err", outcome.error_type, outcome.status, outcome.message)


def test_the_kit_reads_the_dressed_answers_as_the_bare_ones(
    habits: ModuleType, ids: dict[str, str]
) -> None:
    bare = session(InProcessTarget(reference_app()), ids)
    dressed = session(InProcessTarget(habits.make_app()), ids)
    assert [outcome_view(r) for r in dressed] == [outcome_view(r) for r in bare]
    assert [r.raw_body for r in dressed] != [r.raw_body for r in bare]


def test_the_dressed_answers_take_every_habit_of_the_real_service(
    habits: ModuleType, ids: dict[str, str]
) -> None:
    responses = session(InProcessTarget(habits.make_app()), ids)
    raw = b"\n".join(r.raw_body for r in responses)
    assert b'"LastModifiedBy":null' in responses[0].raw_body  # ListRecords of a missing dataset
    assert b'"NextToken":null' in responses[0].raw_body
    assert b'"Value":null' in responses[3].raw_body  # the answer to a removal
    assert b'"DeviceLastModifiedDate":null' in raw and b'"MergedDatasetNames":null' in raw
    assert b'"DeviceLastModifiedDate":1.70057487582E9' in responses[1].raw_body
    stamps = E_NOTATION.findall(raw)
    assert len(stamps) >= 10 and all(b"E9" in s for s in stamps)
    assert not re.search(rb'"(?:LastModifiedDate|CreationDate)":[0-9]+\.[0-9]+[,}]', raw)
    tokens = [r.outcome.body[m] for r in responses if isinstance(r.outcome, Ok)
              for m in ("SyncSessionToken", "NextToken") if m in r.outcome.body]
    assert len(tokens) >= 5
    assert all(t.startswith("H4sI") and {"+", "/"} <= set(t) and t.endswith("=") for t in tokens)
    errors = [r for r in responses if r.status and r.status >= 400]
    assert {r.outcome.error_type for r in errors} == {
        "InvalidParameterException", "ResourceConflictException", "ResourceNotFoundException"}
    assert all(r.headers["x-amzn-errortype"].endswith(habits.CORAL_SUFFIX) for r in errors)


@pytest.fixture(scope="module")
def dressed_targets(habits: ModuleType) -> Iterator[dict[str, Target]]:
    app = habits.make_app()
    server = EmulatorServer(app)  # type: ignore[arg-type]  # any WSGI app serves
    server.start()
    made: dict[str, Target] = {"in-process": InProcessTarget(app),
                               "http": HttpTarget(server.url, region=REGION),
                               "boto3": Boto3Target(server.url, region=REGION)}
    try:
        yield made
    finally:
        for target in made.values():
            target.close()
        server.stop()


@pytest.mark.parametrize("transport", ["in-process", "http", "boto3"])
def test_aliased_tokens_come_back_through_every_transport(
    dressed_targets: dict[str, Target], transport: str, ids: dict[str, str]
) -> None:
    target = dressed_targets[transport]
    token = target.send(list_records(ids)).outcome.body["SyncSessionToken"]  # type: ignore[union-attr]
    again = target.send(list_records(ids, SyncSessionToken=token)).outcome
    assert isinstance(again, Ok) and again.body["SyncSessionToken"] == token
    written = target.send(update(ids, token, [replace(f"k{i}", "v", 0) for i in range(3)])).outcome
    assert isinstance(written, Ok), written
    keys, call = [], list_records(ids, MaxResults=1)
    while True:
        page = target.send(call).outcome
        assert isinstance(page, Ok), page
        keys += [r["Key"] for r in page.body["Records"]]
        if "NextToken" not in page.body:
            break
        call = list_records(ids, MaxResults=1, NextToken=page.body["NextToken"])
    assert keys == ["k0", "k1", "k2"]


def test_a_token_the_wrapper_never_issued_reaches_the_emulator_as_sent(
    habits: ModuleType, ids: dict[str, str]
) -> None:
    app = habits.make_app()
    target = InProcessTarget(app)
    target.send(list_records(ids))
    refused = target.send(update(ids, "H4sIAAAA+/made-up=", [replace("k", "v", 0)])).outcome
    assert isinstance(refused, Err) and refused.error_type == "InvalidParameterException"
    assert "SyncSessionToken not valid" in refused.message
