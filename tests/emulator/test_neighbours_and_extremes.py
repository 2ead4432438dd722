"""Neighbours, carried values and the top of valid ranges, on the reference (issue 9).

Each is what a mutant of the catalog gets wrong: keys and names that differ only by
case, normalization form or whitespace stay apart; a dataset label is decoded once;
a nextToken lists only its own dataset; lastSyncCount is a long, never wrapped; the
byte limit is per dataset, however much the identity holds in all.
"""

from __future__ import annotations

import pytest

from cogsync.conformance.edge_probes import KELVIN, KEY_NEIGHBOURS

from .conftest import Sync, error_of


def _replace(key: str, value: str, count: int) -> dict[str, object]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count}


def test_keys_that_differ_only_by_case_normalization_or_whitespace_are_two_keys(sync: Sync) -> None:
    for first, _ in KEY_NEIGHBOURS:
        sync.put(first, "first", 0)
    for _, second in KEY_NEIGHBOURS:
        assert sync.put(second, "second", 0)["Key"] == second  # new keys: 0 is their count
    values = {key: record["Value"] for key, record in sync.records().items()}
    assert values == {**{a: "first" for a, _ in KEY_NEIGHBOURS}, **{b: "second" for _, b in KEY_NEIGHBOURS}}


def test_dataset_names_that_differ_by_case_are_two_datasets(sync: Sync) -> None:
    sync.put("k", "upper", 0, dataset="Scores")
    sync.put("k", "lower", 0, dataset="scores")
    assert sync.records("Scores")["k"]["Value"] == "upper"
    assert sync.records("scores")["k"]["Value"] == "lower"


@pytest.mark.parametrize("invalid", [KELVIN + "elvin", "K%65lvin", "a%3Ab"])
def test_a_label_is_decoded_once_and_never_normalized_into_a_valid_name(sync: Sync, invalid: str) -> None:
    sync.put("k", "v", 0, dataset="Kelvin")
    sync.put("k", "v", 0, dataset="a:b")  # ':' travels as %3A
    kind, status, _ = error_of(lambda: sync.listing(invalid))
    assert (kind, status) == ("InvalidParameterException", 400)


def test_a_next_token_carried_to_another_dataset_or_identity_is_refused(sync: Sync) -> None:
    sync.write([_replace(f"a{i}", "a", 0) for i in range(3)], dataset="a")
    sync.write([_replace(f"b{i}", "b", 0) for i in range(3)], dataset="b")
    carried = sync.listing("a", MaxResults=1)["NextToken"]
    for where in (lambda: sync.listing("b", MaxResults=1, NextToken=carried),
                  lambda: sync.other_identity().listing("a", MaxResults=1, NextToken=carried)):
        kind, status, _ = error_of(where)
        assert (kind, status) == ("InvalidParameterException", 400)
    assert [r["Key"] for r in sync.listing("a", MaxResults=1, NextToken=carried)["Records"]] == ["a1"]


@pytest.mark.parametrize("since", [2**32 + 1, 2**31, 2**63 - 1])
def test_a_last_sync_count_past_a_32_bit_int_is_never_wrapped(sync: Sync, since: int) -> None:
    for count in range(3):
        sync.put("k", str(count), count)
    kind, status, _ = error_of(lambda: sync.listing(LastSyncCount=since))
    assert (kind, status) == ("InvalidParameterException", 400)


def test_the_top_of_max_results_and_keys_at_their_longest_are_valid(sync: Sync) -> None:
    sync.put("x" * 1024, "longest key", 0)
    assert len(sync.listing(MaxResults=2**31 - 1)["Records"]) == 1


def test_the_byte_limit_is_per_dataset_not_per_identity(sync: Sync) -> None:
    limit = sync.backend.limits.max_dataset_bytes
    for name in ("spread-1", "spread-2"):
        sync.put("chunk", "s" * (limit * 2 // 3), 0, dataset=name)
    assert sync.listing("spread-2")["DatasetSyncCount"] == 1
