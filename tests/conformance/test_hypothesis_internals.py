"""Loud when Hypothesis changes one of the two internals cogsync relies on.

cogsync.conformance.hypothesis_internals degrades quietly at run time (Hypothesis's
defaults apply); these tests are where a Hypothesis upgrade that moves either one
shows up, naming what changed.
"""

from __future__ import annotations

from numbers import Real

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase
from hypothesis.internal.conjecture import engine as conjecture_engine

from cogsync.conformance.hypothesis_internals import set_database_key, shrink_limit


def test_hypothesis_still_caps_shrinking_with_a_module_attribute() -> None:
    cap = getattr(conjecture_engine, "MAX_SHRINKING_SECONDS", None)
    assert isinstance(cap, Real), (
        "hypothesis.internal.conjecture.engine.MAX_SHRINKING_SECONDS is gone: "
        "cogsync's shrink_limit no longer lowers anything; find Hypothesis's new cap"
    )
    with shrink_limit(2):
        assert conjecture_engine.MAX_SHRINKING_SECONDS == min(cap, 2)
    assert conjecture_engine.MAX_SHRINKING_SECONDS == cap


def saved_keys(key: bytes | None) -> set[bytes]:
    """The database keys a failing ``@given`` test saves under, given ``key`` (None: unset)."""
    database = InMemoryExampleDatabase()

    @settings(database=database, max_examples=20)
    @given(st.integers())
    def failing(n: int) -> None:
        raise AssertionError(n)

    if key is not None:
        set_database_key(failing, key)
    with pytest.raises(AssertionError):
        failing()
    return {k for k in database.data if list(database.fetch(k))}


def test_the_key_set_on_a_given_test_changes_where_its_failures_are_saved() -> None:
    plain, one, two = saved_keys(None), saved_keys(b"phase-one"), saved_keys(b"phase-two")
    assert plain and one and two
    assert plain.isdisjoint(one) and plain.isdisjoint(two) and one.isdisjoint(two), (
        "Hypothesis no longer reads _hypothesis_internal_add_digest into the database key: "
        "cogsync's searches (one test function) would replay each other's failures"
    )
