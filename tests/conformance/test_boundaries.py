"""The boundary phase: cases read off the schemas, the correct servers pass, each mutant of the
kinds a generic fuzzer finds is caught by the phase alone (deterministic: no seed involved)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cogsync.conformance import boundaries
from cogsync.conformance.boundary_cases import ABSENT, ASTRAL, TWO_BYTES, Case, Pattern, cases, default_schemas
from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import DIRECTED_PHASES, embedded_target
from cogsync.contracts.calls import Call
from cogsync.contracts.validation import input_violations
from cogsync.emulator.apps import flipped_app
from cogsync.mutants import get
from cogsync.targets.in_process import InProcessTarget
from tests.support import aws_habits

#: The mutants added for the kinds of bug a generic wire fuzzer finds.
FUZZER_KINDS = ("dataset-name-129-accepted", "key-one-past-max-accepted", "lengths-counted-in-utf8-bytes",
                "max-results-read-as-long", "sync-count-overflow-500", "malformed-json-body-500",
                "empty-body-500", "json-array-body-500", "amz-json-content-type-refused")


def values(found: list[Case], operation: str, member: str) -> list[Any]:
    return [c.value for c in found if c.operation == operation and c.member == member]


def hashable(found: list[Case], operation: str, member: str) -> set[Any]:
    return {v for v in values(found, operation, member) if isinstance(v, (str, int))}


def lengths(found: list[Case], operation: str, member: str) -> set[int]:
    return {len(v) for v in values(found, operation, member) if isinstance(v, str)}


# -- generation --------------------------------------------------------------------------------
def test_string_members_get_their_minimum_maximum_and_one_past():
    found = cases()
    assert {0, 1, 128, 129} <= lengths(found, "ListRecords", "DatasetName")
    assert {0, 1, 1024, 1025} <= lengths(found, "UpdateRecords", "RecordPatches[0].Key")
    assert {0, 3, 55, 56} <= lengths(found, "DescribeDataset", "IdentityId")
    device_ids = values(found, "UpdateRecords", "DeviceId")
    assert TWO_BYTES * 256 in device_ids and TWO_BYTES * 257 in device_ids  # 2 UTF-8 bytes each
    assert ASTRAL * 128 in device_ids and ASTRAL * 256 in device_ids  # 256 UTF-16 units / code points


def test_changing_a_bound_in_a_schema_copy_changes_the_cases():
    schemas = copy.deepcopy(default_schemas())
    schemas["ListRecordsRequest"]["properties"]["DatasetName"]["maxLength"] = 64
    schemas["ListRecordsRequest"]["properties"]["MaxResults"]["maximum"] = 99
    found = cases(schemas)
    assert {64, 65} <= lengths(found, "ListRecords", "DatasetName")
    assert not {128, 129} & lengths(found, "ListRecords", "DatasetName")
    assert {128, 129} <= lengths(found, "DescribeDataset", "DatasetName")  # the other shapes keep theirs
    assert {99, 100} <= set(values(found, "ListRecords", "MaxResults"))
    assert 2**31 not in values(found, "ListRecords", "MaxResults")


def test_integers_get_their_type_edges_and_one_past_as_numbers_and_in_the_query():
    found = cases()
    assert {2**31 - 1, 2**31, -(2**31), -(2**31) - 1} <= set(values(found, "ListRecords", "MaxResults"))
    assert {2**63 - 1, 2**63} <= set(values(found, "ListRecords", "LastSyncCount"))
    assert {2**63 - 1, 2**63, -1} <= hashable(found, "UpdateRecords", "RecordPatches[0].SyncCount")
    assert "1.5" in values(found, "ListRecords", "MaxResults")  # not an integer, in the query string
    assert "1" in values(found, "UpdateRecords", "RecordPatches[0].SyncCount")  # wrong JSON type


def test_enums_patterns_and_required_members():
    found = cases()
    ops = values(found, "UpdateRecords", "RecordPatches[0].Op")
    assert {"replace", "remove", "Replace", "replace ", "REMOVE"} <= {o for o in ops if isinstance(o, str)}
    names = hashable(found, "UpdateRecords", "DatasetName")
    assert {"a", "z", "A", "Z", "0", "9", "_", ".", ":", "-"} <= names  # every allowed range's ends
    assert {"/", "@", "[", "`", "{", ";", ",", TWO_BYTES} <= names  # the nearest forbidden
    assert ABSENT in values(found, "UpdateRecords", "SyncSessionToken")
    assert ABSENT in values(found, "UpdateRecords", "RecordPatches[0].SyncCount")


def test_a_pattern_without_colon_makes_colon_a_forbidden_neighbour():
    schemas = copy.deepcopy(default_schemas())
    schemas["UpdateRecordsRequest"]["properties"]["DatasetName"]["pattern"] = "^(?:[a-zA-Z0-9_.-]+)$"
    named = {c.value: c.about for c in cases(schemas)
             if c.operation == "UpdateRecords" and c.member == "DatasetName" and len(str(c.value)) == 1}
    assert named[":"].startswith("forbidden")


def test_the_case_labels_agree_with_the_model_validation():
    """Allowed pattern characters and values at the maximum are valid to the model; one past is not."""
    pattern = Pattern("^(?:[A-Za-z0-9_-]+:[0-9a-f-]+)$")
    assert pattern.matches(pattern.build(55)) and len(pattern.build(55)) == 55
    base = {"IdentityPoolId": "us-east-1:0", "IdentityId": "us-east-1:1", "DatasetName": "d"}
    for case in cases():
        if case.operation != "ListRecords" or case.member != "DatasetName":
            continue
        broken = input_violations(Call("ListRecords", {**base, "DatasetName": case.value}))
        if case.about.startswith(("allowed", "length 128", "the shortest")):
            assert broken == [], case
        if case.about.startswith(("forbidden", "length 129", "length 0")):
            assert broken, case


def test_the_phase_is_the_same_at_every_budget_and_selected_by_its_ids():
    names = [s.name for s in boundaries.steps(limits_datasets=20)]
    assert names == [s.name for s in boundaries.steps(limits_datasets=20)]
    assert DIRECTED_PHASES["boundaries"] == boundaries.PHASE_IDS
    assert not any("dataset limit" in s.name for s in boundaries.steps(limits_datasets=1000))
    sized = [s.name for s in boundaries.steps(limits_datasets=1000) if "record and byte limits" in s.name]
    assert sized == [f"the record and byte limits on a dataset {state}"
                     for state in ("emptied by removes", "deleted", "re-created")]


def test_one_write_fills_a_dataset_to_both_limits_exactly():
    fill = boundaries.fill_to_the_limits(1023, 1048574)
    assert fill is not None and len(fill) == 1023 and len({p["Key"] for p in fill}) == 1023
    assert sum(len(p["Key"].encode()) + len(p["Value"].encode()) for p in fill) == 1048574
    assert len(fill[0]["Value"]) >= 2  # room to make the first value two shorter
    assert boundaries.fill_to_the_limits(0, 100) is None  # no room for a record
    assert boundaries.fill_to_the_limits(100, 300) is None  # keys alone take the bytes


# -- correct servers pass it; every mutant of a fuzzer's kind fails it -------------------------------
def test_the_reference_passes_the_phase_and_it_puts_the_properties_to_the_test():
    tally = boundaries.run_on(embedded_target())
    assert tally.failures == []
    for pid in ("VAL-1", "VAL-2", "VAL-3", "WIRE-2", "WIRE-3", "WIRE-4", "CONF-4", "LIM-1", "LIM-2", "LIM-3", "LIST-3",
                "LIST-4", "DS-2", "DS-3"):
        assert tally.witnesses.get(pid), pid
    observed = " ".join(tally.findings.get("VAL-4", []))
    assert "RecordPatches twice" in observed


@pytest.mark.parametrize("server", ["flipped MAY choices", "AWS wire habits"])
def test_correct_servers_that_chose_differently_pass_the_phase(server: str):
    app = flipped_app() if server.startswith("flipped") else aws_habits.make_app()
    tally = boundaries.run_on(InProcessTarget(app))
    assert tally.failures == [], tally.failures[:1]


@pytest.mark.parametrize("name", FUZZER_KINDS)
def test_each_mutant_of_a_fuzzer_kind_is_caught_by_the_phase_alone(name: str):
    mutant = get(name)
    tally = boundaries.run_on(InProcessTarget(mutant.build()),
                              RunConfig(properties=tuple(sorted(mutant.breaks))))
    assert {f.property_id for f in tally.failures} >= mutant.breaks


def test_limits_weighed_with_a_deleted_life_are_caught_by_the_phase_alone():
    """A write into a deleted dataset, up to both limits, is refused by a server that weighs
    the previous life: only the size-limit steps on datasets in every state reach it."""
    mutant = get("limits-weigh-a-deleted-life")
    tally = boundaries.run_on(InProcessTarget(mutant.build()), RunConfig(properties=("LIM-2", "LIM-3")))
    assert {f.property_id for f in tally.failures} >= mutant.breaks
    assert any("accepts was refused" in f.title for f in tally.failures)
