"""A tally counts witnesses later than answers hand them over, and never loses one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogsync.conformance.session import PENDING_SETS, Tally

IDS = st.sampled_from(["SYNC-1", "SYNC-2", "LIST-1", "TOK-1", "WIRE-1"])
EVENTS = st.lists(st.one_of(st.frozensets(IDS).map(lambda s: ("each", s)),
                            st.tuples(st.just("one"), IDS, st.integers(1, 3)),
                            st.just(("read",))), max_size=40)


@given(EVENTS, st.integers(0, 3))
def test_witnesses_are_the_counts_of_every_set_handed_over_whenever_read(events, burst) -> None:
    tally, expected = Tally(), {}
    for _ in range(burst * PENDING_SETS // 2):  # cross the counting threshold now and then
        events = [("each", frozenset({"SYNC-1"})), *events]
    for event in events:
        if event[0] == "each":
            tally.witnessed_each(event[1])
            for pid in event[1]:
                expected[pid] = expected.get(pid, 0) + 1
        elif event[0] == "one":
            tally.witnessed(event[1], event[2])
            expected[event[1]] = expected.get(event[1], 0) + event[2]
        else:
            assert tally.witnesses == expected
    assert tally.witnesses == expected
