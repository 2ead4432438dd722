"""The compiled validator (jsonschema-rs) and the explaining one (jsonschema) agree.

Every answer is validated by the compiled one; jsonschema only explains a refusal.
So they must agree on every instance, the wire's two readings included: a pattern
matches the whole string ("abc\\n" is not a name) and an integer is a literal int
(``2.0`` is not a SyncCount).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogsync.contracts import schemas

RECORD = {"Key": "k", "Value": "v", "SyncCount": 2, "LastModifiedDate": 1.7e9,
          "LastModifiedBy": "someone", "DeviceLastModifiedDate": 1.700574875e9}
IDS = {"IdentityPoolId": "us-east-1:0000aaaa-0000-0000-0000-000000000001",
       "IdentityId": "us-east-1:0000bbbb-0000-0000-0000-000000000001", "DatasetName": "d"}

SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["Key", "Value", "SyncCount", "Records", "Count",
                                                       "DatasetName", "NextToken", "Op"]) | st.text(max_size=4),
                                      inner, max_size=4), max_leaves=8)


def explained_valid(name: str, instance: Any) -> bool:
    return not list(schemas.validator(name).iter_errors(instance))


@pytest.mark.parametrize("name, instance, valid", [
    ("UpdateRecordsResponse", {"Records": [RECORD]}, True),
    ("UpdateRecordsResponse", {"Records": [{**RECORD, "SyncCount": 2.0}]}, False),
    ("UpdateRecordsResponse", {"Records": [{**RECORD, "SyncCount": True}]}, False),
    ("UpdateRecordsResponse", {"Records": [{**RECORD, "SyncCount": 2**70}]}, False),
    ("UpdateRecordsResponse", {"Records": [{**RECORD, "Key": "k\ud800"}]}, explained_valid(
        "UpdateRecordsResponse", {"Records": [{**RECORD, "Key": "k\ud800"}]})),
    ("ListRecordsRequest", IDS, True),
    ("ListRecordsRequest", {**IDS, "DatasetName": "d\n"}, False),
    ("ListRecordsRequest", {**IDS, "IdentityId": "us-east-1:ABC"}, False),
])
def test_the_wire_readings_hold_in_both(name: str, instance: Any, valid: bool) -> None:
    assert explained_valid(name, instance) is valid
    assert (schemas.errors(name, instance) == []) is valid


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(schemas.schema_names()), JSON)
def test_both_validators_agree_on_any_json(name: str, instance: Any) -> None:
    assert (schemas.errors(name, instance) == []) == explained_valid(name, instance)


def test_the_fast_path_is_compiled_and_built_once() -> None:
    assert schemas.compiled_validator("ListRecordsResponse") is schemas.compiled_validator("ListRecordsResponse")
    assert type(schemas.compiled_validator("ListRecordsResponse")).__module__.startswith("jsonschema_rs")
