"""A search stops at once when the run must stop, and keeps the failures it had found."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from cogsync.conformance.hypothesis_runs import search
from cogsync.conformance.session import PropertyFailed
from cogsync.conformance.stops import RunStopped
from cogsync.contracts.failures import Failure


def test_a_stop_aborts_the_search_instead_of_shrinking_and_keeps_what_was_found() -> None:
    calls: list[int] = []

    def example(value: int) -> None:
        calls.append(value)
        if len(calls) == 1:
            raise PropertyFailed.for_failure(Failure("SYNC-1", "count went up by two", "N+1", "N+2"))
        raise RunStopped("the run's deadline passed")

    with pytest.raises(RunStopped, match="deadline passed") as raised:
        search(st.integers(), example, max_examples=200, run_seed=1, database=None, database_key=b"stops")
    assert len(calls) == 2  # the first shrink attempt stopped it: no example after that
    assert [f.property_id for f in raised.value.failures] == ["SYNC-1"]


def test_a_stop_before_any_failure_ends_the_search_with_nothing_found() -> None:
    calls: list[int] = []

    def example(value: int) -> None:
        calls.append(value)
        if len(calls) == 3:
            raise RunStopped("the target kept throttling")

    with pytest.raises(RunStopped) as raised:
        search(st.integers(), example, max_examples=200, run_seed=2, database=None, database_key=b"stops")
    assert len(calls) == 3 and raised.value.failures == []
