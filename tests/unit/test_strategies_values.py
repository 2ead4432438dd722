"""Valid field values: within the schema, no input violations, boundaries reached,
minimal examples readable."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.contracts import schemas
from cogsync.contracts.calls import Call
from cogsync.contracts.validation import input_violations
from cogsync.strategies import (
    TOKEN_PLACEHOLDER,
    dataset_names,
    device_ids,
    identity_ids,
    identity_pool_ids,
    patch_lists,
    record_keys,
    record_patches,
    record_values,
    sync_counts,
    timestamps,
)
from cogsync.strategies._text import utf16_length

POOL = "us-east-1:23ec4050-6aea-7089-a2dd-08002e000000"
IDENTITY = "us-east-1:13ec4050-6aea-7089-a2dd-08002e000001"
BUDGET = settings(max_examples=100, database=None, deadline=None)


def update_call(**overrides) -> Call:
    params = {
        "IdentityPoolId": POOL,
        "IdentityId": IDENTITY,
        "DatasetName": "scores",
        "SyncSessionToken": TOKEN_PLACEHOLDER,
        "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}],
    }
    params.update(overrides)
    return Call("UpdateRecords", params)


def assert_valid(call: Call) -> None:
    assert input_violations(call) == []
    assert schemas.errors(f"{call.operation}Request", call.params) == []


def patch_with(**members) -> list[dict]:
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}
    patch.update(members)
    return [patch]


def no_nul_no_surrogate(text: str) -> bool:
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


# -- every draw is valid -------------------------------------------------------------------

@BUDGET
@given(identity_pool_ids(), identity_ids(), dataset_names(), device_ids())
def test_ids_names_and_device_ids_are_valid(pool, identity, name, device):
    assert_valid(update_call(IdentityPoolId=pool, IdentityId=identity, DatasetName=name,
                             DeviceId=device))
    assert no_nul_no_surrogate(device)


@BUDGET
@given(record_keys(), record_values(), sync_counts(), timestamps())
def test_keys_values_counts_and_dates_are_valid(key, value, count, date):
    assert_valid(update_call(RecordPatches=patch_with(Key=key, Value=value, SyncCount=count,
                                                      DeviceLastModifiedDate=date)))
    assert no_nul_no_surrogate(key) and no_nul_no_surrogate(value)


@BUDGET
@given(record_keys(), record_values(), device_ids())
def test_strings_fit_their_limit_counted_in_utf16_too(key, value, device):
    assert utf16_length(key) <= C.RECORD_KEY.max_length
    assert utf16_length(value) <= C.RECORD_VALUE.max_length
    assert utf16_length(device) <= C.DEVICE_ID.max_length


@BUDGET
@given(patch_lists())
def test_patch_lists_are_valid_with_distinct_keys(patches):
    assert_valid(update_call(RecordPatches=patches))
    keys = [p["Key"] for p in patches]
    assert len(keys) == len(set(keys))
    for patch in patches:
        assert ("Value" in patch) == (patch["Op"] == "replace")


@BUDGET
@given(patch_lists(size_budget=10))
def test_patch_lists_keep_to_their_size_budget(patches):
    assert sum(len(p.get("Value", "")) for p in patches) <= 10


@BUDGET
@given(record_patches(ops=["remove"]))
def test_remove_patches_have_no_value(patch):
    assert patch["Op"] == "remove" and "Value" not in patch
    assert_valid(update_call(RecordPatches=[patch]))


def test_identity_ids_are_region_colon_lowercase_guid():
    guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    pattern = r"[a-z]{2}-[a-z]+-\d:" + guid

    seen = []

    @BUDGET
    @given(identity_ids(), identity_pool_ids(regions=["eu-west-1"]))
    def collect(identity, pool):
        assert re.fullmatch(pattern, identity)
        assert pool.startswith("eu-west-1:")
        seen.append(identity)

    collect()
    assert len({s.split(":")[1] for s in seen}) > 10  # real variety, not one GUID


# -- boundaries are reached within the default budget -------------------------------------

def collect(strategy, examples: int = 100) -> list:
    drawn: list = []

    @settings(max_examples=examples, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def run(value):
        drawn.append(value)

    run()
    return drawn


def test_dataset_names_reach_both_lengths_and_every_allowed_character():
    names = collect(dataset_names())
    lengths = {len(n) for n in names}
    assert C.DATASET_NAME.min_length in lengths
    assert C.DATASET_NAME.max_length in lengths
    assert set("".join(names)) == set(C.DATASET_NAME_ALPHABET)


def test_record_keys_reach_both_lengths():
    lengths = {len(k) for k in collect(record_keys())}
    assert {C.RECORD_KEY.min_length, C.RECORD_KEY.max_length} <= lengths


def test_device_ids_reach_both_lengths():
    lengths = {len(d) for d in collect(device_ids())}
    assert {C.DEVICE_ID.min_length, C.DEVICE_ID.max_length} <= lengths


def test_record_values_reach_empty_and_stay_within_the_default_budget():
    lengths = [len(v) for v in collect(record_values())]
    assert 0 in lengths
    assert max(lengths) <= 1024


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_record_values_reach_the_limit_with_the_budget_option():
    limit = C.RECORD_VALUE.max_length
    value = find(record_values(size_budget=None), lambda v: len(v) == limit,
                 settings=settings(max_examples=80, database=None, deadline=None,
                                   phases=[Phase.generate]))
    assert len(value) == limit
    assert_valid(update_call(RecordPatches=patch_with(Value=value)))


def test_values_hold_astral_plane_and_control_characters():
    assert find(record_values(), lambda v: any(ord(c) > 0xFFFF for c in v))
    assert find(record_values(), lambda v: any(ord(c) < 0x20 for c in v))
    assert find(record_keys(), lambda k: any(ord(c) > 0xFFFF for c in k))


def test_sync_counts_reach_zero_and_patches_carry_dates_sometimes():
    assert 0 in collect(sync_counts())
    patches = collect(record_patches())
    assert any("DeviceLastModifiedDate" in p for p in patches)
    assert any("DeviceLastModifiedDate" not in p for p in patches)
    assert {p["Op"] for p in patches} == set(C.OPERATIONS)


# -- minimal examples are readable ---------------------------------------------------------

def minimal(strategy):
    return find(strategy, lambda _: True,
                settings=settings(database=None, phases=[Phase.generate, Phase.shrink]))


@pytest.mark.parametrize(
    "strategy, expected",
    [
        (dataset_names(), {"0", "a"}),
        (record_keys(), {"0", "a"}),
        (record_values(), {""}),
        (sync_counts(), {0}),
        (identity_ids(), {"us-east-1:00000000-0000-0000-0000-000000000000"}),
    ],
)
def test_minimal_examples_are_the_simplest_values(strategy, expected):
    assert minimal(strategy) in expected


def test_minimal_patch_is_small():
    patch = minimal(record_patches())
    assert patch["SyncCount"] == 0 and len(patch["Key"]) == 1 and patch.get("Value", "") == ""
    assert len(repr(patch)) < 80
    assert minimal(patch_lists()) == []


def test_minimal_patch_list_of_two_is_two_small_patches():
    patches = minimal(patch_lists(min_size=2))
    assert len(patches) == 2
    assert all(p["SyncCount"] == 0 and len(p["Key"]) <= 2 for p in patches)
    assert len(repr(patches)) < 160


@BUDGET
@given(st.data())
def test_dataset_names_honour_size_options(data):
    low = data.draw(st.integers(1, 128))
    high = data.draw(st.integers(low, 128))
    name = data.draw(dataset_names(min_size=low, max_size=high))
    assert low <= len(name) <= high
