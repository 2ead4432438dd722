"""The model's state nodes: a compiled ``with_`` copy is the dataclass copy, caches left behind
(and the caches a write carries over are right).

``value_node`` compiles each node class's ``with_`` (cogsync.contracts._model_state): it
must build what ``dataclasses.replace`` builds, for every field, and never carry a cached
value (a usage, a hash, "accepted a write") over to a node whose fields changed.
"""

from __future__ import annotations

import dataclasses

import pytest

from cogsync.contracts import _model_state as S

NODES = [S.Record, S.RefusalMark, S.DatasetState, S.PageBinding, S.Slot, S.IdentityState, S.Policies,
         S.World]
SAMPLES = {
    S.Record: S.Record("v", 3, 1.5, None),
    S.RefusalMark: S.RefusalMark(frozenset({"k"}), 1, False, False),
    S.DatasetState: S.DatasetState(exists=True, count=2,
                                   records=S.FrozenMap({"k": S.Record("v", 2)})),
    S.PageBinding: S.PageBinding(1),
    S.Slot: S.Slot(),
    S.IdentityState: S.IdentityState(),
    S.Policies: S.Policies(),
    S.World: S.World(),
}
NEW_VALUES = {int: 7, bool: True, str: "w", float: 2.5}


def _other(value: object) -> object:
    """A different value of the same kind (or a sentinel the copy must carry as given)."""
    return NEW_VALUES.get(type(value), ("changed", value))


@pytest.mark.parametrize("cls", NODES, ids=lambda c: c.__name__)
def test_with_builds_what_dataclasses_replace_builds(cls: type) -> None:
    node = SAMPLES[cls]
    for f in dataclasses.fields(node):
        if not f.init:
            continue
        value = _other(getattr(node, f.name))
        copied, expected = node.with_(**{f.name: value}), dataclasses.replace(node, **{f.name: value})
        assert type(copied) is cls and copied == expected and hash(copied) == hash(expected)
        assert [getattr(copied, g.name) for g in dataclasses.fields(node)] == \
               [getattr(expected, g.name) for g in dataclasses.fields(node)]
    with pytest.raises(TypeError):
        node.with_(no_such_field=1)


def test_a_copy_starts_without_the_original_s_caches() -> None:
    dataset = SAMPLES[S.DatasetState]
    hash(dataset)
    assert dataset.usage().live_records == 1
    emptied = dataset.with_(records=S.EMPTY)
    assert emptied.usage().live_records == 0
    world = S.World().with_slot(("p", "i", "d"), S.Slot(dataset=dataset))
    assert world.accepted_a_write()
    assert not world.with_(slots=S.EMPTY).accepted_a_write()


def test_nodes_with_equal_fields_are_equal_and_hash_alike() -> None:
    a = S.DatasetState(exists=True, count=2, records=S.FrozenMap({"k": S.Record("v", 2)}))
    b = S.DatasetState().with_(exists=True, count=2, records=S.EMPTY.set("k", S.Record("v", 2)))
    assert a == b and hash(a) == hash(b)
    assert a != a.with_(count=3) and S.Record("v", 1) != S.PageBinding(1)


# --- caches carried across writes (the judged sequences of test_model_sequences.py check
# them after every step; here the case those sequences never reach) --------------------


def test_a_write_that_brings_a_count_down_keeps_the_bound_above_every_record() -> None:
    """A server's wrong answer can be followed to a lower count (the model adopts what it
    did): the bound must still cover the records the write left alone."""
    dataset = S.DatasetState(exists=True, count=5,
                             records=S.FrozenMap({"a": S.Record("x", 5), "b": S.Record("y", 3)}))
    assert dataset.top_count() == 5
    lowered = dataset.with_records({"b": S.Record("z", 2)}, count=2)
    assert lowered.top_count() >= 5
    assert lowered.usage() == S.DatasetState(records=lowered.records).usage()
