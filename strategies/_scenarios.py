"""Strategies for steps and whole programs (:class:`~._program.Scenario`).

The interesting histories are made likely, not lucky: few keys and datasets shared
by several devices, some of them signed in as the same identity, so devices list,
fall behind and write stale counts; small page sizes; and *episodes*, short scripted
segments mixed into the random steps: a lost-update race (two devices list, both
write the same keys), a resurrection (remove, then replace), a delete and recreate
while another device still holds the old count, and, with ``limit_pressure``,
filling a dataset to exactly a limit and then going one past it.

Draws keep their shape whatever is chosen (an edit always draws a value, used only
for replace), which keeps Hypothesis's shrinking effective on long programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.errors import UsageError
from cogsync.strategies import _fields, _ids, _neighbours
from cogsync.strategies._arguments import check_bool, check_integer
from cogsync.strategies._program import (
    Bulk,
    DeviceSpec,
    Edit,
    Identity,
    Scenario,
    Step,
    check_dataset_names,
)

#: Actions weighted by how often a step does them; the first is what steps shrink to.
_ACTION_WEIGHTS = ("write",) * 6 + ("sync",) * 2 + ("list",) * 3 + (
    "describe", "delete", "list_datasets",
)
_OPS = ("replace", "replace", "replace", "remove")
_OFFSETS = (0,) * 10 + (-1, -1, 1)
_PAGE_SIZES = (None, None, 1, 2, 3)
#: One segment in this many is each kind of episode (or a pressure segment).
_SEGMENT_ONE_IN = 16
#: Datasets only pressure segments touch, so ordinary steps stay cheap.
PRESSURE_DATASET = "cogsync.limits"
BURST_DATASET_PREFIX = "cogsync.burst-"
_NEIGHBOURS_ONE_IN = 4  # programs that put neighbour keys and names in their pools
_MOST = 100  # most identities, devices, datasets or keys a sequence draws by number


def _check_keys(keys: Any) -> None:
    allowed = "a non-empty sequence of distinct valid record keys"
    if isinstance(keys, str) or not isinstance(keys, (list, tuple)) or not keys:
        raise UsageError.bad_argument("keys", keys, allowed)
    if len(set(keys)) != len(keys) or any(C.RECORD_KEY.violations(k) for k in keys):
        raise UsageError.bad_argument("keys", keys, allowed)


def _edits(keys: tuple[str, ...], size_budget: int | None) -> st.SearchStrategy[tuple[Edit, ...]]:
    """One to four edits of distinct keys from ``keys``."""
    chosen_keys = st.lists(st.sampled_from(keys), min_size=1, max_size=min(len(keys), 4),
                           unique=True)
    ops, offsets = st.sampled_from(_OPS), st.sampled_from(_OFFSETS)
    values = _fields.values_within(0, _fields.RECORD_VALUE_MAX, size_budget)
    dates = st.none() | _fields.timestamps()

    @st.composite
    def draw_edits(draw: st.DrawFn) -> tuple[Edit, ...]:
        edits = []
        for key in draw(chosen_keys):
            op, value, date, offset = draw(ops), draw(values), draw(dates), draw(offsets)
            edits.append(Edit(key, value if op == "replace" else None, date, offset))
        return tuple(edits)

    return draw_edits()


def steps(
    *,
    devices: int,
    datasets: Sequence[str],
    keys: Sequence[str],
    size_budget: int | None = _fields.DEFAULT_SIZE_BUDGET,
) -> st.SearchStrategy[Step]:
    """Single steps of devices ``0..devices-1`` on ``datasets`` with edits of ``keys``.

    For rules of a RuleBasedStateMachine. ``size_budget`` bounds the characters of the
    values one step writes. Example: ``Step(device=0, action='write', dataset='a',
    edits=(Edit(key='k', value=''),))``.
    """
    check_integer("devices", devices, low=1, high=_MOST)
    names = check_dataset_names("datasets", datasets)
    _check_keys(keys)
    if size_budget is not None:
        check_integer("size_budget", size_budget, low=0)
    return _steps(devices, names, tuple(keys), size_budget)


def _steps(devices: int, datasets: tuple[str, ...], keys: tuple[str, ...],
           size_budget: int | None) -> st.SearchStrategy[Step]:
    actions, device_numbers = st.sampled_from(_ACTION_WEIGHTS), st.integers(0, devices - 1)
    names, page_sizes = st.sampled_from(datasets), st.sampled_from(_PAGE_SIZES)
    edit_tuples = _edits(keys, size_budget)

    @st.composite
    def draw_step(draw: st.DrawFn) -> Step:
        action, device, dataset = draw(actions), draw(device_numbers), draw(names)
        page_size, edits = draw(page_sizes), draw(edit_tuples)
        return Step(
            device,
            action,
            None if action == "list_datasets" else dataset,
            edits if action in ("write", "sync") else (),
            max_results=None if action in ("describe", "delete") else page_size,
        )

    return draw_step()


def _records_bulk(limits: C.Limits) -> Bulk:
    count = limits.max_records_per_dataset
    return Bulk(count, count * (len("rec") + 5 + 1), prefix="rec")


def _bytes_bulk(limits: C.Limits) -> Bulk:
    total = limits.max_dataset_bytes
    count = max(2, -(-total // _fields.RECORD_VALUE_MAX) + 1)
    key_bytes = count * (len("big") + 5)
    return Bulk(count, max(total, key_bytes), prefix="big")


def limit_pressure_steps(
    *, devices: int, limits: C.Limits = C.DEFAULT_LIMITS
) -> st.SearchStrategy[list[Step]]:
    """Short programs that push one identity to a limit and one past it (LIM-1..3).

    Three kinds: fill :data:`PRESSURE_DATASET` with exactly the most records (or
    bytes) a dataset may hold, write one more record, delete it; or write one record
    to each of ``max_datasets_per_identity + 1`` datasets, then delete them.
    ``limits`` are the server's (a profile may lower them to keep runs cheap).
    """
    check_integer("devices", devices, low=1, high=_MOST)
    if not isinstance(limits, C.Limits):
        raise UsageError.bad_argument("limits", limits, "a cogsync.contracts.constraints.Limits")
    return _pressure(devices, limits)


def _pressure(devices: int, limits: C.Limits) -> st.SearchStrategy[list[Step]]:
    return st.builds(_pressure_segment, st.integers(0, devices - 1),
                     st.sampled_from(("records", "bytes", "datasets")), st.just(limits))


@cache
def _pressure_segment(device: int, kind: str, limits: C.Limits) -> list[Step]:
    if kind == "datasets":
        names = [f"{BURST_DATASET_PREFIX}{i:02d}"
                 for i in range(limits.max_datasets_per_identity + 1)]
        one = (Edit("k", "v"),)
        return [Step(device, "write", name, one) for name in names] + [
            Step(device, "delete", name) for name in names
        ]
    bulk = _records_bulk(limits) if kind == "records" else _bytes_bulk(limits)
    return [
        Step(device, "write", PRESSURE_DATASET, bulk=bulk),
        Step(device, "write", PRESSURE_DATASET, (Edit("one-more", "v"),)),
        Step(device, "delete", PRESSURE_DATASET),
    ]


def call_sequences(
    *,
    identities: int | Sequence[Identity] = 2,
    devices: int = 3,
    datasets: int | Sequence[str] = 2,
    keys: int | Sequence[str] = 4,
    min_steps: int = 1,
    max_steps: int = 30,
    limits: C.Limits = C.DEFAULT_LIMITS,
    limit_pressure: bool = True,
    size_budget: int | None = _fields.DEFAULT_SIZE_BUDGET,
) -> st.SearchStrategy[Scenario]:
    """Whole programs: a :class:`Scenario` of several identities, devices and datasets.

    ``identities``, ``datasets`` and ``keys`` are numbers to draw or the values to use;
    device ``d`` signs in as identity ``d % identities``, so with more devices than
    identities some share one (races) and others are isolated from them (ISO-1).
    Programs have ``min_steps..max_steps`` steps: random single steps with episodes
    (race, resurrection, delete-and-recreate) mixed in, and with ``limit_pressure``
    also :func:`limit_pressure_steps` segments (against ``limits``). One program in four
    makes two of its drawn keys neighbours (:func:`neighbour_keys`: they differ only by
    case, normalization form or whitespace) and two drawn dataset names differ by case.
    Run one with ``scenario.run(send)`` or drive ``scenario.new_devices()`` yourself.
    """
    if isinstance(identities, int) and not isinstance(identities, bool):
        check_integer("identities", identities, low=1, high=_MOST)
    elif (
        isinstance(identities, str) or not isinstance(identities, Sequence) or not identities
        or not all(isinstance(i, Identity) for i in identities)
        or len(set(identities)) != len(identities)
    ):
        raise UsageError.bad_argument(
            "identities", identities, "a number (1 or more) or a sequence of distinct Identity"
        )
    check_integer("devices", devices, low=1, high=_MOST)
    if isinstance(datasets, int) and not isinstance(datasets, bool):
        check_integer("datasets", datasets, low=1, high=_MOST)
    else:
        check_dataset_names("datasets", datasets)
    if isinstance(keys, int) and not isinstance(keys, bool):
        check_integer("keys", keys, low=1, high=_MOST)
    else:
        _check_keys(keys)
    check_integer("min_steps", min_steps, low=0)
    check_integer("max_steps", max_steps, low=max(min_steps, 1))
    if not isinstance(limits, C.Limits):
        raise UsageError.bad_argument("limits", limits, "a cogsync.contracts.constraints.Limits")
    check_bool("limit_pressure", limit_pressure)
    if size_budget is not None:
        check_integer("size_budget", size_budget, low=0)
    return _scenarios(identities, devices, datasets, keys, min_steps, max_steps, limits,
                      limit_pressure, size_budget)


def partner(device: int, identities: int, devices: int) -> int:
    """Another device signed in as the same identity (device ``d`` has identity
    ``d % identities``), or ``device`` itself when it has none."""
    for other in (device + identities, device - identities):
        if 0 <= other < devices:
            return other
    return device


def _episodes(
    kind: str, devices: int, identities: int, datasets: tuple[str, ...],
    keys: tuple[str, ...], size_budget: int | None,
) -> st.SearchStrategy[list[Step]]:
    """A few steps that make one classic history happen, by two devices of one identity.

    race: both list (one page by page), then both write the same keys (the second is
    stale: 409, then a retry).
    resurrection: one removes keys, the other replaces them (tombstone counts).
    recreate: one writes; the other lists, describes the dataset and lists the
    datasets; the first deletes it, describes it (404) and writes again; the other
    syncs holding a count from before the delete (DS-2, DS-3, DS-4, LIST-3).
    """
    device_numbers, names = st.integers(0, devices - 1), st.sampled_from(datasets)
    edit_tuples = _edits(keys, size_budget)

    @st.composite
    def draw_episode(draw: st.DrawFn) -> list[Step]:
        first = draw(device_numbers)
        second = partner(first, identities, devices)
        dataset, edits = draw(names), draw(edit_tuples)
        replaced = tuple(Edit(e.key, e.value or "", e.date) for e in edits)
        removed = tuple(Edit(e.key, None, e.date) for e in edits)
        if kind == "race":
            return [Step(first, "list", dataset), Step(second, "list", dataset, max_results=1),
                    Step(first, "write", dataset, replaced),
                    Step(second, "write", dataset, edits)]
        if kind == "resurrection":
            return [Step(first, "write", dataset, removed),
                    Step(second, "write", dataset, replaced)]
        return [Step(first, "write", dataset, replaced), Step(second, "list", dataset),
                Step(second, "describe", dataset), Step(second, "list_datasets", max_results=1),
                Step(first, "delete", dataset), Step(first, "describe", dataset),
                Step(first, "write", dataset, edits), Step(second, "sync", dataset, replaced)]

    return draw_episode()


EPISODES = ("race", "resurrection", "recreate")


@st.composite
def _segments(
    draw: st.DrawFn, single: st.SearchStrategy[Step],
    episodes: tuple[st.SearchStrategy[list[Step]], ...],
) -> list[Step]:
    """Mostly one step; one segment in 16 is an episode or a pressure segment.

    Every alternative is drawn every time and one is kept, so the shape of the draw
    does not depend on the choice (Hypothesis shrinks such draws much better).
    """
    step = draw(single)
    choice = draw(st.integers(0, _SEGMENT_ONE_IN - 1))
    alternatives = [draw(episode) for episode in episodes]
    index = _SEGMENT_ONE_IN - 1 - choice
    return alternatives[index] if index < len(alternatives) else [step]


def _drawn_identities(draw: st.DrawFn, how_many: int) -> tuple[Identity, ...]:
    pools = draw(st.lists(_ids.identity_pool_ids(), min_size=1, max_size=how_many, unique=True))
    ids = draw(st.lists(_ids.identity_ids(), min_size=how_many, max_size=how_many, unique=True))
    return tuple(Identity(pools[j % len(pools)], ids[j]) for j in range(how_many))


def _with_neighbour(pool: tuple[str, ...], pair: tuple[str, str] | None) -> tuple[str, ...]:
    """``pool`` with its first and last names made the ``pair`` (unchanged when it cannot be)."""
    if len(pool) < 2 or pair is None or any(name in pool[1:-1] for name in pair):
        return pool
    return (pair[0], *pool[1:-1], pair[1])


@st.composite
def _scenarios(
    draw: st.DrawFn,
    identities: int | Sequence[Identity],
    devices: int,
    datasets: int | Sequence[str],
    keys: int | Sequence[str],
    min_steps: int,
    max_steps: int,
    limits: C.Limits,
    limit_pressure: bool,
    size_budget: int | None,
) -> Scenario:
    who = (_drawn_identities(draw, identities) if isinstance(identities, int)
           else tuple(identities))
    device_ids = draw(st.lists(_fields.device_ids(), min_size=devices, max_size=devices,
                               unique=True))
    specs = tuple(DeviceSpec(d % len(who), device_ids[d]) for d in range(devices))
    names = tuple(datasets) if not isinstance(datasets, int) else tuple(draw(
        st.lists(_fields.dataset_names(), min_size=datasets, max_size=datasets, unique=True)
    ))
    key_pool = tuple(keys) if not isinstance(keys, int) else tuple(draw(
        st.lists(_fields.record_keys(), min_size=keys, max_size=keys, unique=True)
    ))
    # One program in four makes two of its drawn keys (and two drawn dataset names)
    # neighbours: distinct to the contract, one to a storage layer that conflates them.
    neighbours = draw(st.integers(0, _NEIGHBOURS_ONE_IN - 1)) == 0
    kind = draw(st.sampled_from(_neighbours.KEY_KINDS))
    if neighbours and isinstance(keys, int):
        key_pool = _with_neighbour(key_pool, _neighbours.key_neighbour(key_pool[0], kind))
    if neighbours and isinstance(datasets, int):
        names = _with_neighbour(names, _neighbours.dataset_name_neighbour(names[0]))
    episodes = [_episodes(kind, devices, len(who), names, key_pool, size_budget)
                for kind in EPISODES]
    if limit_pressure:
        episodes.append(_pressure(devices, limits))
    segment = _segments(_steps(devices, names, key_pool, size_budget), tuple(episodes))
    segments = draw(st.lists(segment, min_size=min_steps, max_size=max_steps))
    program = tuple(step for part in segments for step in part)[:max_steps]
    return Scenario(who, specs, names, program)
