"""The model's FrozenMap (and RecentMap, built of them) keep their hash in step with their items.

Its hash is updated from the changes since an ancestor whose hash was known (see
cogsync.contracts._model_state.FrozenMap), so it must equal the hash of a map built
from the same items afresh, after any sequence of sets, updates and removals, with
hashes asked for at any point along the way.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cogsync.contracts._model_state import FrozenMap, RecentMap

KEYS = st.sampled_from("abcdef")
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), KEYS, st.integers(0, 3)),
        st.tuples(st.just("update"), st.lists(st.tuples(KEYS, st.integers(0, 3)), max_size=3)),
        st.tuples(st.just("remove"), st.lists(KEYS, max_size=3)),
        st.tuples(st.just("hash")),
    ),
    max_size=25,
)


@given(st.dictionaries(KEYS, st.integers(0, 3)), st.booleans(), OPS)
def test_the_hash_follows_the_items(start: dict[str, int], hashed_first: bool, ops: list[tuple]) -> None:
    current = FrozenMap(start)
    if hashed_first:
        hash(current)
    for op in ops:
        if op[0] == "set":
            current = current.set(op[1], op[2])
        elif op[0] == "update":
            current = current.update(op[1])
        elif op[0] == "remove":
            current = current.remove(op[1])
        else:
            assert hash(current) == hash(FrozenMap(dict(current.items())))
    fresh = FrozenMap(dict(current.items()))
    assert hash(current) == hash(fresh) and current == fresh


RECENT_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), KEYS, st.integers(0, 3)),
        st.tuples(st.just("newest"), KEYS, st.integers(0, 3)),
        st.tuples(st.just("double")),
        st.tuples(st.just("hash")),
    ),
    max_size=40,
)


@settings(max_examples=400)  # cheap; a wrong eviction needs a longish run to show
@given(st.integers(1, 5), st.integers(1, 3), RECENT_OPS)
def test_a_recent_map_keeps_the_newest_items_in_order_whatever_its_chunks(
        keep: int, chunk: int, ops: list[tuple]) -> None:
    """RecentMap (the token memory) against a dict doing the same: the same items in the
    same order, the same drops, and the hash of a FrozenMap of those items."""
    current: RecentMap[str, int] = RecentMap(keep, chunk=chunk)
    reference: dict[str, int] = {}
    for op in ops:
        if op[0] == "set":
            current = current.set(op[1], op[2])
            reference[op[1]] = op[2]
        elif op[0] == "newest":
            current, dropped = current.set_newest(op[1], op[2])
            reference.pop(op[1], None)
            reference[op[1]] = op[2]
            excess = max(0, len(reference) - keep)
            for old in list(reference)[:excess]:
                del reference[old]
            assert dropped == (excess > 0)
        elif op[0] == "double":
            current = current.map_values(lambda v: v * 2)
            reference = {k: v * 2 for k, v in reference.items()}
        else:
            assert hash(current) == hash(FrozenMap(reference))
        assert list(current.items()) == list(reference.items())
        assert len(current) == len(reference)
    for key in "abcdefg":
        assert (key in current) == (key in reference)
        assert current.get(key, -1) == reference.get(key, -1)
    rebuilt: RecentMap[str, int] = RecentMap(keep, chunk=max(1, chunk - 1))
    for key, value in reference.items():
        rebuilt = rebuilt.set(key, value)
    assert rebuilt == current and hash(rebuilt) == hash(current) == hash(FrozenMap(reference))
