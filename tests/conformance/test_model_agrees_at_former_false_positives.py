"""Answers of correct servers the model once failed: each one's smallest sequence.

Every test sends its calls to a real emulator app (in-process), judges each answer
with the model, and expects no violation: upper-case hex in ids is VAL-4's MAY, an
integer past its model type (a 32-bit Integer, a 64-bit Long) is invalid input, and
ListDatasets may refuse maxResults below 1 as ListRecords may (LIST-7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cogsync.emulator.apps import flipped_app, reference_app

from .conftest import Judged

UPPER = "us-east-1:0A0B0C0D-0000-0000-0000-00000000000A"
INT_PAST = 2**31
LONG_PAST = 2**63


Scenario = Callable[[Judged], tuple[int, str, str]]


def uppercase_hex_accepted(j: Judged) -> tuple[int, str, str]:
    response = j.send("ListDatasets", IdentityPoolId=UPPER, IdentityId=UPPER)
    assert response.status == 200
    return 200, "VAL-1", "invalid input was accepted"


def uppercase_hex_delete_of_missing(j: Judged) -> tuple[int, str, str]:
    response = j.send("DeleteDataset", IdentityPoolId=UPPER, IdentityId=UPPER, DatasetName="d")
    assert response.status == 404
    return 404, "VAL-1", "invalid input got the wrong error"


def max_results_past_integer(j: Judged) -> tuple[int, str, str]:
    response = j.send("ListRecords", **j.ids, MaxResults=INT_PAST)
    assert response.status == 400
    return 400, "VAL-2", "a valid listing was refused as invalid"


def list_datasets_max_results_past_integer(j: Judged) -> tuple[int, str, str]:
    owner = {k: j.ids[k] for k in ("IdentityPoolId", "IdentityId")}
    response = j.send("ListDatasets", **owner, MaxResults=INT_PAST)
    assert response.status == 400
    return 400, "VAL-2", "a valid ListDatasets was refused"


def last_sync_count_past_long(j: Judged) -> tuple[int, str, str]:
    response = j.send("ListRecords", **j.ids, LastSyncCount=LONG_PAST)
    assert response.status == 400
    return 400, "VAL-2", "a valid listing was refused as invalid"


def sync_count_past_long(j: Judged) -> tuple[int, str, str]:
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": LONG_PAST}
    response = j.send("UpdateRecords", **j.ids, SyncSessionToken=j.token(), RecordPatches=[patch])
    assert response.status == 400
    return 400, "VAL-2", "a write the contract accepts was refused"


def list_datasets_max_results_0(j: Judged) -> tuple[int, str, str]:
    response = j.send("ListDatasets", **j.owner, MaxResults=0)
    assert response.status == 400  # the reference's LIST-7 choice: below 1 is a 400
    return 400, "VAL-2", "a valid ListDatasets was refused"


@pytest.mark.parametrize("scenario", [uppercase_hex_accepted, uppercase_hex_delete_of_missing],
                         ids=lambda s: s.__name__)
def test_flipped_uppercase_hex_ids_are_a_may_choice(scenario: Scenario) -> None:
    judged = Judged(flipped_app())
    scenario(judged)
    assert judged.violations == []


@pytest.mark.parametrize("make_app", [reference_app, flipped_app], ids=["reference", "flipped"])
@pytest.mark.parametrize(
    "scenario",
    [max_results_past_integer, list_datasets_max_results_past_integer, last_sync_count_past_long,
     sync_count_past_long],
    ids=lambda s: s.__name__,
)
def test_integers_past_their_model_type_are_invalid_input(scenario: Scenario,
                                                         make_app: Callable[[], Any]) -> None:
    judged = Judged(make_app())
    scenario(judged)
    assert judged.violations == []


def test_reference_list_datasets_may_refuse_max_results_below_1() -> None:
    judged = Judged(reference_app())
    list_datasets_max_results_0(judged)
    assert judged.violations == []


def test_the_largest_values_of_each_type_are_judged_without_violation() -> None:
    """The same calls one step inside the range: the model and the emulator agree."""
    judged = Judged(reference_app())
    assert judged.send("ListRecords", **judged.ids, MaxResults=INT_PAST - 1).status == 200
    assert judged.send("ListRecords", **judged.ids, LastSyncCount=LONG_PAST - 1).status == 200
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": LONG_PAST - 1}
    judged.send("UpdateRecords", **judged.ids, SyncSessionToken=judged.token(),
                RecordPatches=[patch])
    assert judged.violations == []
