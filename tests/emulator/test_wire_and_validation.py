"""WIRE-* and VAL-*: what goes over the wire, and which inputs are refused, through real boto3."""

from __future__ import annotations

import botocore.session
import pytest

from cogsync.contracts import constraints as C
from cogsync.contracts.calls import ERROR_STATUS
from cogsync.contracts.schemas import errors as schema_errors

from .conftest import ACCESS_ERRORS, POOL, Sync, error_of


def _model_errors() -> dict[str, set[str]]:
    model = botocore.session.get_session().get_service_model("cognito-sync")
    return {
        name: {shape.name for shape in model.operation_model(name).error_shapes}
        for name in ("UpdateRecords", "ListRecords", "DescribeDataset", "DeleteDataset",
                     "ListDatasets")
    }


def _provoke_errors(sync: Sync, unvalidated: object) -> None:
    """At least one error answer from every operation."""
    sync.put("k", "v", 0)
    scope = sync.scope()
    calls = [
        lambda: sync.write([{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]),
        lambda: sync.write([], token="made-up"),
        lambda: sync.listing(LastSyncCount=99),
        lambda: sync.listing(NextToken="not-a-cursor"),
        lambda: sync.client.describe_dataset(**sync.scope("missing")),
        lambda: sync.client.delete_dataset(**sync.scope("missing")),
        lambda: sync.client.list_datasets(IdentityPoolId=POOL, IdentityId=sync.identity,
                                          NextToken="bad"),
        lambda: unvalidated.describe_dataset(**{**scope, "DatasetName": "bad name"}),  # type: ignore[attr-defined]
        lambda: unvalidated.delete_dataset(**{**scope, "IdentityId": "nocolon"}),  # type: ignore[attr-defined]
        lambda: unvalidated.list_records(**scope, MaxResults="abc"),  # type: ignore[attr-defined]
    ]
    for call in calls:
        error_of(call)


def test_WIRE_1_success_bodies_fit_the_output_schemas(sync: Sync) -> None:
    sync.listing()  # a dataset that does not exist yet
    sync.put("k", "v", 0)
    sync.write([{"Op": "remove", "Key": "k", "SyncCount": 1},
                {"Op": "replace", "Key": "j", "Value": "w", "SyncCount": 0,
                 "DeviceLastModifiedDate": 1_700_000_000}], DeviceId="device-1")
    sync.listing(MaxResults=1)
    sync.client.describe_dataset(**sync.scope())
    sync.client.list_datasets(IdentityPoolId=POOL, IdentityId=sync.identity)
    sync.client.delete_dataset(**sync.scope())
    seen = {x.operation for x in sync.raw_answers if x.status == 200}
    assert seen == {"UpdateRecords", "ListRecords", "DescribeDataset", "DeleteDataset",
                    "ListDatasets"}
    for answer in sync.raw_answers:
        assert answer.status == 200
        body = answer.json()
        problems = schema_errors(f"{answer.operation}Response", body)
        assert not problems, (answer.operation, [p.message for p in problems])
    timestamps = [
        record[name]
        for x in sync.raw_answers if x.operation in ("UpdateRecords", "ListRecords")
        for record in x.json().get("Records", [])
        for name in ("LastModifiedDate", "DeviceLastModifiedDate") if name in record
    ]
    assert timestamps and all(isinstance(t, (int, float)) for t in timestamps)


def test_WIRE_2_errors_carry_status_error_type_header_and_json_message(
    sync: Sync, unvalidated: object
) -> None:
    _provoke_errors(sync, unvalidated)
    failures = [x for x in sync.raw_answers if x.status >= 300]
    assert {x.status for x in failures} >= {400, 404, 409}
    for answer in failures:
        error_type = answer.headers["x-amzn-errortype"].split(":")[0]
        assert ERROR_STATUS[error_type] == answer.status
        body = answer.json()
        assert isinstance(body["message"], str) and body["message"]
        assert answer.headers.get("x-amzn-requestid")


def test_WIRE_3_each_operation_answers_only_its_listed_error_types(
    sync: Sync, unvalidated: object
) -> None:
    _provoke_errors(sync, unvalidated)
    allowed = _model_errors()
    failures = [x for x in sync.raw_answers if x.status >= 300]
    assert {x.operation for x in failures} == set(allowed)
    for answer in failures:
        error_type = answer.headers["x-amzn-errortype"].split(":")[0]
        assert error_type in allowed[answer.operation] | ACCESS_ERRORS, answer


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii",
        "",  # the empty value is a value, not a removal
        "astral \U0001f600\U0001f9d1\u200d\U0001f680 \U00010348 \U0010fffd",
        "controls \x01\x02\x1f\x7f and escapes \\ \" / \b\f\n\r\t",
        "bidi \u202e\u05d0\u05d1 combining e\u0301 \u2028\u2029 bom \ufeff nbsp \xa0",
        "cjk \u4e2d\u6587 hangul \ud55c\uae00 private \ue000 nonchar \ufffe\uffff",
    ],
    ids=["ascii", "empty", "astral", "controls", "tricky", "cjk-private"],
)
def test_WIRE_5_strings_round_trip_byte_for_byte(sync: Sync, text: str) -> None:
    key = "k" + text[:40] if text else "k"
    written = sync.put(key, text, 0)
    assert (written["Key"], written["Value"]) == (key, text)
    listed = sync.records()[key]
    assert listed["Value"].encode("utf-8") == text.encode("utf-8")
    assert listed["Key"] == key


def test_WIRE_5_nul_characters_also_round_trip(sync: Sync) -> None:
    written = sync.put("nul\x00key", "a\x00b", 0)
    assert written["Value"] == "a\x00b"
    assert sync.records()["nul\x00key"]["Value"] == "a\x00b"


# -- VAL ---------------------------------------------------------------------------------------

_BAD_UPDATES: dict[str, dict[str, object]] = {
    "pool-pattern": {"IdentityPoolId": "no-colon-here"},
    "pool-too-long": {"IdentityPoolId": "us-east-1:" + "a" * 46},
    "pool-empty-suffix": {"IdentityPoolId": "us-east-1:"},
    "identity-uppercase-hex": {"IdentityId": "us-east-1:ABCDEF"},
    "identity-non-ascii-word": {"IdentityId": "us-\xe9ast-1:abc"},
    "identity-newline": {"IdentityId": "us-east-1:abc\n"},
    "dataset-too-long": {"DatasetName": "d" * 129},
    "dataset-space": {"DatasetName": "bad name"},
    "dataset-slash": {"DatasetName": "a/b"},
    "dataset-non-ascii": {"DatasetName": "na\xefve"},
    "device-empty": {"DeviceId": ""},
    "device-too-long": {"DeviceId": "d" * 257},
    "key-empty": {"patch": {"Key": ""}},
    "key-too-long": {"patch": {"Key": "k" * 1025}},
    "key-not-a-string": {"patch": {"Key": 5}},
    "value-too-long": {"patch": {"Value": "v" * 1_048_576}},
    "value-not-a-string": {"patch": {"Value": ["v"]}},
    "op-not-in-enum": {"patch": {"Op": "upsert"}},
    "op-missing": {"patch": {"Op": None}},
    "sync-count-missing": {"patch": {"SyncCount": None}},
    "sync-count-a-string": {"patch": {"SyncCount": "0"}},
    "sync-count-a-float": {"patch": {"SyncCount": 0.5}},
    "token-missing": {"SyncSessionToken": None},
    "token-not-a-string": {"SyncSessionToken": 12},
}


@pytest.mark.parametrize("case", list(_BAD_UPDATES), ids=list(_BAD_UPDATES))
def test_VAL_1_an_update_breaking_a_constraint_is_400_and_changes_nothing(
    sync: Sync, unvalidated: object, case: str
) -> None:
    sync.put("k", "v", 0)
    before = sync.state()
    change = dict(_BAD_UPDATES[case])
    patch: dict[str, object] = {"Op": "replace", "Key": "k", "Value": "new", "SyncCount": 1}
    for name, value in dict(change.pop("patch", {})).items():  # type: ignore[call-overload]
        if value is None:
            patch.pop(name)
        else:
            patch[name] = value
    params: dict[str, object] = {**sync.scope(), "SyncSessionToken": sync.token(),
                                 "RecordPatches": [patch]}
    for name, value in change.items():
        if value is None:
            params.pop(name)
        else:
            params[name] = value
    assert error_of(lambda: unvalidated.update_records(**params))[:2] == (  # type: ignore[attr-defined]
        "InvalidParameterException", 400)
    assert sync.state() == before


_BAD_READS: dict[str, tuple[str, dict[str, object]]] = {
    "list-records-max-results-text": ("list_records", {"MaxResults": "abc"}),
    "list-records-max-results-zero": ("list_records", {"MaxResults": 0}),
    "list-records-last-sync-count-fraction": ("list_records", {"LastSyncCount": "1.5"}),
    "list-records-bad-dataset": ("list_records", {"DatasetName": "bad name"}),
    "describe-bad-identity": ("describe_dataset", {"IdentityId": "us-east-1:XYZ"}),
    "delete-dataset-too-long": ("delete_dataset", {"DatasetName": "d" * 129}),
    "delete-bad-pool": ("delete_dataset", {"IdentityPoolId": "pool"}),
    "list-datasets-bad-pool": ("list_datasets", {"IdentityPoolId": "pool", "DatasetName": None}),
    "list-datasets-max-results-text": ("list_datasets", {"MaxResults": "x", "DatasetName": None}),
}


@pytest.mark.parametrize("case", list(_BAD_READS), ids=list(_BAD_READS))
def test_VAL_1_other_operations_refuse_broken_constraints_too(
    sync: Sync, unvalidated: object, case: str
) -> None:
    sync.put("k", "v", 0)
    before = sync.state()
    method, change = _BAD_READS[case]
    params: dict[str, object] = {**sync.scope(), **change}
    params = {name: value for name, value in params.items() if value is not None}
    call = getattr(unvalidated, method)
    assert error_of(lambda: call(**params))[:2] == ("InvalidParameterException", 400)
    assert sync.state() == before


def _longest_id(prefix_alphabet: str) -> str:
    prefix = (prefix_alphabet * 2)[:20]
    return prefix + ":" + (C.ID_SUFFIX_ALPHABET * 3)[: 55 - 21]


def test_VAL_2_longest_ids_names_keys_and_device_ids_are_accepted(sync: Sync) -> None:
    pool, identity = _longest_id(C.ID_PREFIX_ALPHABET), _longest_id(C.ID_PREFIX_ALPHABET[::-1])
    assert len(pool) == len(identity) == 55
    name = (C.DATASET_NAME_ALPHABET * 2)[:128]
    key = "\U0001f511" * 1024
    scope = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": name}
    token = sync.client.list_records(**scope)["SyncSessionToken"]
    answer = sync.client.update_records(
        **scope, SyncSessionToken=token, DeviceId="\u00e9" * 256,
        RecordPatches=[{"Op": "replace", "Key": key, "Value": "v", "SyncCount": 0}],
    )
    assert answer["Records"][0]["Key"] == key
    assert sync.client.describe_dataset(**scope)["Dataset"]["DatasetName"] == name


def test_VAL_2_shortest_values_are_accepted(sync: Sync) -> None:
    scope = {"IdentityPoolId": "a:0", "IdentityId": "b:1", "DatasetName": "d"}
    token = sync.client.list_records(**scope)["SyncSessionToken"]
    answer = sync.client.update_records(
        **scope, SyncSessionToken=token, DeviceId="x",
        RecordPatches=[{"Op": "replace", "Key": "k", "Value": "", "SyncCount": 0}],
    )
    assert answer["Records"][0]["Value"] == ""
    sync.client.delete_dataset(**scope)


def test_VAL_2_the_longest_value_is_accepted(sync: Sync) -> None:
    value = "v" * 1_048_575  # with the 1-byte key: exactly the 1 MB dataset limit
    assert sync.put("k", value, 0)["Value"] == value


def test_VAL_3_a_negative_sync_count_is_400(sync: Sync) -> None:
    before = sync.state()
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": -1}
    kind, status, message = error_of(lambda: sync.write([patch]))
    assert (kind, status) == ("InvalidParameterException", 400)
    assert "syncCount" in message
    assert sync.state() == before


def test_VAL_4_a_key_twice_in_one_request_is_refused(sync: Sync) -> None:
    patches = [{"Op": "replace", "Key": "k", "Value": "a", "SyncCount": 0},
               {"Op": "remove", "Key": "k", "SyncCount": 0}]
    assert error_of(lambda: sync.write(patches))[:2] == ("InvalidParameterException", 400)
    assert sync.state() == (False, 0, ())


def test_VAL_4_keys_over_128_utf8_bytes_are_accepted(sync: Sync) -> None:
    key = "\u00e9" * 100  # 200 UTF-8 bytes
    assert sync.put(key, "v", 0)["Key"] == key
