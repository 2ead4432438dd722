"""Neighbour pairs: two valid, distinct names a storage layer or a proxy may conflate."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, seed, settings

from cogsync import strategies as cs
from cogsync.contracts import constraints as C
from cogsync.strategies._neighbours import KEY_KINDS, dataset_name_neighbour, key_neighbour


def _same_but_for(a: str, b: str) -> set[str]:
    """How ``a`` and ``b`` are the same text: by case, by normalization, by whitespace."""
    found = set()
    if a.casefold() == b.casefold():
        found.add("case")
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        found.add("normalization")
    if a.strip() == b.strip():
        found.add("whitespace")
    return found


@settings(max_examples=60, deadline=None)
@given(cs.neighbour_keys())
def test_neighbour_keys_are_two_valid_keys_a_storage_layer_may_take_for_one(pair: tuple[str, str]) -> None:
    a, b = pair
    assert a != b
    assert not C.RECORD_KEY.violations(a) and not C.RECORD_KEY.violations(b)
    assert _same_but_for(a, b)


@settings(max_examples=30, deadline=None)
@given(cs.neighbour_dataset_names())
def test_neighbour_dataset_names_are_two_valid_names_differing_by_case(pair: tuple[str, str]) -> None:
    a, b = pair
    assert a != b and a.casefold() == b.casefold()
    assert not C.DATASET_NAME.violations(a) and not C.DATASET_NAME.violations(b)


@pytest.mark.parametrize("kind", KEY_KINDS)
def test_every_kind_makes_a_pair_even_of_a_key_without_letters(kind: str) -> None:
    pair = key_neighbour("0", kind)
    assert pair is not None and pair[0] != pair[1]


def test_no_pair_past_the_key_length_limit() -> None:
    assert key_neighbour("k" * C.RECORD_KEY.max_length, "leading space") is None
    longest = dataset_name_neighbour("0" * 128)  # a letter comes in, the name stays at 128
    assert longest is not None and {len(n) for n in longest} == {128}


def test_key_neighbour_names_the_kinds_it_knows() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        key_neighbour("k", "accent")


def test_call_sequences_put_neighbours_in_their_pools_now_and_then() -> None:
    seen: list[tuple[str, ...]] = []

    @seed(9)
    @settings(max_examples=40, database=None, deadline=None)
    @given(cs.call_sequences(max_steps=2, datasets=2))
    def draw(scenario: cs.Scenario) -> None:
        seen.append(scenario.datasets)

    draw()
    assert any(a != b and a.swapcase() == b for a, b in seen)
