"""The model's FrozenMap keeps its hash in step with its items, however it was reached.

Its hash is updated from the changes since an ancestor whose hash was known (see
cogsync.contracts._model_state.FrozenMap), so it must equal the hash of a map built
from the same items afresh, after any sequence of sets, updates and removals, with
hashes asked for at any point along the way.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogsync.contracts._model_state import FrozenMap

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
