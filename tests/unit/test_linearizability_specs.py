"""The two small sequential specs of tests/support/linearizability_specs.py follow their
reference servers, and refuse what those servers never do."""

from __future__ import annotations

from cogsync.contracts.calls import Ok, Unknown
from tests.support.linearizability_specs import (
    RegisterServer,
    RegisterSpec,
    SyncCountServer,
    SyncCountSpec,
    cas,
    get,
    listed,
    listing,
    put,
    update,
    written,
)

# ----------------------------------------------------------- the specs themselves


def test_register_spec_follows_a_sequential_run():
    spec, server = RegisterSpec(), RegisterServer()
    state = spec.initial()
    for call in (get(), put(2), cas(2, 3), cas(2, 4), get()):
        state = spec.step(state, call, server(call))
        assert state is not None
    assert state == frozenset({3})
    assert spec.step(state, get(), Ok({"Value": 2})) is None
    assert "held 3" in spec.explain(state, get(), Ok({"Value": 2}))


def test_register_spec_unknown_covers_applied_and_not():
    spec = RegisterSpec()
    state = spec.step(spec.initial(), put(5), Unknown("timeout"))
    assert state == frozenset({0, 5})
    assert spec.step(state, get(), Ok({"Value": 5})) == frozenset({5})
    assert spec.step(state, get(), Ok({"Value": 0})) == frozenset({0})


def test_sync_count_spec_follows_the_reference_server():
    spec, server = SyncCountSpec(), SyncCountServer()
    state = spec.initial()
    calls = [listing("d"), update("d", ("a", "x", 0), ("b", "y", 0)), update("d", ("a", "z", 0)),
             update("d", ("a", "z", 1)), listing("d"), listing("d", 1), update("d", ("b", None, 1))]
    for call in calls:
        outcome = server(call)
        state = spec.step(state, call, outcome)
        assert state is not None, call
    assert state == frozenset({(3, (("a", "z", 2), ("b", None, 3)))})


def test_sync_count_spec_refuses_a_lost_update_and_says_so():
    spec = SyncCountSpec()
    state = spec.step(spec.initial(), update("d", ("k", "v1", 0)), written(("k", "v1", 1)))
    lost = (update("d", ("k", "v2", 0)), written(("k", "v2", 1)))
    assert spec.step(state, *lost) is None
    assert "lost update" in spec.explain(state, *lost)


def test_sync_count_spec_names_a_torn_batch():
    spec = SyncCountSpec()
    state = spec.step(spec.initial(), update("d", ("a", "1", 0), ("b", "1", 0)),
                      written(("a", "1", 1), ("b", "1", 1)))
    torn = (listing("d"), listed(1, ("a", "1", 1), ("b", None, 0)))
    assert spec.step(state, *torn) is None
    assert "torn batch" in spec.explain(state, *torn)


def test_sync_count_spec_order_keys_rise_along_a_sequential_run():
    spec, server = SyncCountSpec(), SyncCountServer()
    keys = []
    for call in [listing("d"), update("d", ("a", "1", 0)), listing("d"), update("d", ("a", "2", 0)),
                 update("d", ("a", "2", 1)), listing("d")]:
        key = spec.order_key(call, server(call))
        if key is not None:
            keys.append(key)
    assert keys == [0, 1, 1, 2, 2]
