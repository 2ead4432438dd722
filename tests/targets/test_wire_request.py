"""Our request builder lays valid calls out exactly as botocore does, invalid ones unchanged."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import prepare_request_dict
from botocore.serialize import create_serializer
from hypothesis import given
from hypothesis import strategies as st

from cogsync.contracts.calls import OPERATIONS, Call
from cogsync.errors import UsageError
from cogsync.targets.wire_request import ROUTES, UnsendableCall, build_request

ENDPOINT = "http://127.0.0.1:9"
SERVICE = botocore.session.get_session().get_service_model("cognito-sync")


def botocore_request(call: Call) -> dict[str, Any]:
    """What botocore's own serializer makes of the call (validation off)."""
    serializer = create_serializer("rest-json", include_validation=False)
    request = serializer.serialize_to_request(
        dict(call.params), SERVICE.operation_model(call.operation)
    )
    prepare_request_dict(request, ENDPOINT)
    return request


texts = st.text(max_size=20)
counts = st.integers(min_value=-(2**63), max_value=2**63 - 1)
patches = st.fixed_dictionaries(
    {"Op": texts, "Key": texts, "SyncCount": counts},
    optional={"Value": texts, "DeviceLastModifiedDate": st.integers(0, 2**33)},
)
ids = {"IdentityPoolId": texts, "IdentityId": texts, "DatasetName": texts}
valid_calls = st.one_of(
    st.builds(
        Call,
        st.just("UpdateRecords"),
        st.fixed_dictionaries(
            ids,
            optional={
                "DeviceId": texts,
                "RecordPatches": st.lists(patches, max_size=3),
                "SyncSessionToken": texts,
                "ClientContext": st.text(st.characters(min_codepoint=32, max_codepoint=126)),
            },
        ),
    ),
    st.builds(
        Call,
        st.just("ListRecords"),
        st.fixed_dictionaries(
            ids,
            optional={
                "LastSyncCount": counts,
                "NextToken": texts,
                "MaxResults": st.integers(-5, 5000),
                "SyncSessionToken": texts,
            },
        ),
    ),
    st.builds(
        Call, st.sampled_from(["DescribeDataset", "DeleteDataset"]), st.fixed_dictionaries(ids)
    ),
    st.builds(
        Call,
        st.just("ListDatasets"),
        st.fixed_dictionaries(
            {"IdentityPoolId": texts, "IdentityId": texts},
            optional={"NextToken": texts, "MaxResults": st.integers(-5, 5000)},
        ),
    ),
)


@given(valid_calls)
def test_valid_calls_match_botocore_byte_for_byte(call: Call) -> None:
    ours = build_request(call)
    theirs = botocore_request(call)
    assert ours.method == theirs["method"]
    assert ENDPOINT + ours.target == theirs["url"]
    assert (ours.body or b"") == theirs["body"]
    assert dict(ours.headers) == {k: v for k, v in theirs["headers"].items() if k != "User-Agent"}


def test_routes_agree_with_the_service_model() -> None:
    for operation in OPERATIONS:
        model = SERVICE.operation_model(operation)
        route = ROUTES[operation]
        assert (route.method, route.path_template) == (
            model.http["method"],
            model.http["requestUri"],
        )
        located = {
            name: member.serialization["name"]
            for name, member in model.input_shape.members.items()
            if member.serialization.get("location") == "querystring"
        }
        assert dict(route.query_names) == located


def test_labels_are_percent_encoded_with_colon_as_3A() -> None:
    call = Call(
        "DescribeDataset",
        {"IdentityPoolId": "us-east-1:a", "IdentityId": "x/y z", "DatasetName": "d.s:1"},
    )
    assert build_request(call).path == (
        "/identitypools/us-east-1%3Aa/identities/x%2Fy%20z/datasets/d.s%3A1"
    )


def test_body_escapes_non_ascii_like_boto3() -> None:
    call = Call(
        "UpdateRecords",
        {
            "IdentityPoolId": "p",
            "IdentityId": "i",
            "DatasetName": "d",
            "SyncSessionToken": "t",
            "RecordPatches": [{"Op": "replace", "Key": "é😀", "SyncCount": 0}],
        },
    )
    body = build_request(call).body
    assert body is not None
    assert b"\\u00e9\\ud83d\\ude00" in body
    assert body.isascii()
    assert build_request(call).headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "params, expected_path_end, body_check",
    [
        ({"DatasetName": 12}, "/datasets/12", lambda b: b["SyncSessionToken"] == "t"),
        ({"DatasetName": None}, "/datasets/None", lambda b: True),
        (
            {"RecordPatches": "not-a-list"},
            "/datasets/d",
            lambda b: b["RecordPatches"] == "not-a-list",
        ),
        (
            {"RecordPatches": [{"Op": 7}]},
            "/datasets/d",
            lambda b: b["RecordPatches"] == [{"Op": 7}],
        ),
        ({"SyncSessionToken": 5}, "/datasets/d", lambda b: b["SyncSessionToken"] == 5),
        ({"Unknown": [1, 2]}, "/datasets/d", lambda b: b["Unknown"] == [1, 2]),
    ],
)
def test_invalid_values_travel_unchanged(
    params: dict[str, Any], expected_path_end: str, body_check: Any
) -> None:
    base = {"IdentityPoolId": "p", "IdentityId": "i", "DatasetName": "d", "SyncSessionToken": "t"}
    request = build_request(Call("UpdateRecords", {**base, **params}))
    assert request.path.endswith(expected_path_end)
    assert request.body is not None
    assert body_check(json.loads(request.body))


def test_missing_members_stay_missing_and_a_missing_label_is_an_empty_segment() -> None:
    request = build_request(Call("UpdateRecords", {"IdentityPoolId": "p", "IdentityId": "i"}))
    assert request.path == "/identitypools/p/identities/i/datasets/"
    assert request.body == b"{}"


def test_query_values_are_stringified_and_percent_encoded() -> None:
    call = Call(
        "ListRecords",
        {
            "IdentityPoolId": "p",
            "IdentityId": "i",
            "DatasetName": "d",
            "LastSyncCount": "abc",
            "MaxResults": 2.5,
            "NextToken": "a+b/=",
            "SyncSessionToken": True,
        },
    )
    assert build_request(call).query_string == (
        "lastSyncCount=abc&maxResults=2.5&nextToken=a%2Bb%2F%3D&syncSessionToken=True"
    )


def test_get_calls_carry_no_body() -> None:
    call = Call("ListDatasets", {"IdentityPoolId": "p", "IdentityId": "i", "RecordPatches": []})
    request = build_request(call)
    assert request.body is None
    assert "Content-Type" not in request.headers


def test_a_value_with_no_json_form_is_unsendable() -> None:
    call = Call(
        "UpdateRecords",
        {"IdentityPoolId": "p", "IdentityId": "i", "DatasetName": "d", "RecordPatches": {1, 2}},
    )
    with pytest.raises(UnsendableCall, match="set"):
        build_request(call)


def test_an_unknown_operation_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="operation"):
        build_request(Call("PutRecord", {}))


@pytest.mark.parametrize("name, encoded", [(".", "%2E"), ("..", "%2E%2E"), ("a.b", "a.b")])
def test_dot_dataset_names_survive_url_normalization(name: str, encoded: str) -> None:
    request = build_request(Call("DescribeDataset", {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2",
                                                     "DatasetName": name}))
    assert request.path.endswith("/datasets/" + encoded)
