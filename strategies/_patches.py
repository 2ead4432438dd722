"""Record patches and lists of them, as boto3 takes them in ``RecordPatches``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.strategies import _fields
from cogsync.strategies._arguments import (
    check_bool,
    check_integer,
    check_size_range,
    check_strategy,
    check_subset,
)

#: Most patches a list holds by default: one write can at most fill a dataset.
DEFAULT_MAX_PATCHES = C.DEFAULT_LIMITS.max_records_per_dataset


def build_patch(op: str, key: str, value: str | None, count: int, date: float | None) -> dict:
    """One patch dict: ``Value`` only for replace, ``DeviceLastModifiedDate`` only if given."""
    patch: dict[str, Any] = {"Op": op, "Key": key}
    if op == "replace":
        patch["Value"] = value if value is not None else ""
    patch["SyncCount"] = count
    if date is not None:
        patch["DeviceLastModifiedDate"] = date
    return patch


def _check_dates(dates: bool | None) -> None:
    if dates is not None:
        check_bool("dates", dates)


def _dates(dates: bool | None) -> st.SearchStrategy[float | int | None]:
    if dates is None:
        return st.none() | _fields.timestamps()
    return _fields.timestamps() if dates else st.none()


def _draw_patch(
    draw: st.DrawFn,
    key: str,
    ops: tuple[str, ...],
    values: st.SearchStrategy[str],
    counts: st.SearchStrategy[int],
    dates: st.SearchStrategy[float | int | None],
) -> dict:
    op = draw(st.sampled_from(ops))
    value = draw(values) if op == "replace" else None
    return build_patch(op, key, value, draw(counts), draw(dates))


def record_patches(
    *,
    ops: Collection[str] = C.OPERATIONS,
    keys: st.SearchStrategy[str] | None = None,
    values: st.SearchStrategy[str] | None = None,
    sync_counts: st.SearchStrategy[int] | None = None,
    dates: bool | None = None,
) -> st.SearchStrategy[dict]:
    """One valid patch: ``{"Op", "Key", "Value"?, "SyncCount", "DeviceLastModifiedDate"?}``.

    ``Op`` is one of ``ops`` (default both); ``Value`` is present for ``replace`` only.
    ``dates``: None sometimes adds a DeviceLastModifiedDate (epoch seconds), True
    always, False never. Examples shrink to
    ``{'Op': 'replace', 'Key': '0', 'Value': '', 'SyncCount': 0}``.
    """
    chosen = check_subset("ops", ops, C.OPERATIONS)
    check_strategy("keys", keys)
    check_strategy("values", values)
    check_strategy("sync_counts", sync_counts)
    _check_dates(dates)
    return _keyed_patch(
        chosen,
        keys if keys is not None else _fields.record_keys(),
        values if values is not None else _fields.record_values(),
        sync_counts if sync_counts is not None else _fields.sync_counts(),
        _dates(dates),
    )


@st.composite
def _keyed_patch(
    draw: st.DrawFn,
    ops: tuple[str, ...],
    keys: st.SearchStrategy[str],
    values: st.SearchStrategy[str],
    counts: st.SearchStrategy[int],
    dates: st.SearchStrategy[float | int | None],
) -> dict:
    return _draw_patch(draw, draw(keys), ops, values, counts, dates)


def patch_lists(
    *,
    min_size: int = 0,
    max_size: int = DEFAULT_MAX_PATCHES,
    ops: Collection[str] = C.OPERATIONS,
    keys: st.SearchStrategy[str] | None = None,
    sync_counts: st.SearchStrategy[int] | None = None,
    dates: bool | None = None,
    size_budget: int | None = _fields.DEFAULT_SIZE_BUDGET,
) -> st.SearchStrategy[list[dict]]:
    """Lists of valid patches with distinct keys (a repeated key is VAL-4, a MAY).

    ``size_budget`` bounds the characters all values of one list spend together
    (None: no bound, so a list may carry several megabyte values). Other options as
    :func:`record_patches`. Examples shrink to ``[]``.
    """
    check_size_range("min_size", min_size, "max_size", max_size, low=0, high=2**31)
    chosen = check_subset("ops", ops, C.OPERATIONS)
    check_strategy("keys", keys)
    check_strategy("sync_counts", sync_counts)
    _check_dates(dates)
    if size_budget is not None:
        check_integer("size_budget", size_budget, low=0)
    values = _fields.values_within(0, _fields.RECORD_VALUE_MAX, size_budget)
    patches = st.lists(
        _keyed_patch(
            chosen,
            keys if keys is not None else _fields.record_keys(),
            values,
            sync_counts if sync_counts is not None else _fields.sync_counts(),
            _dates(dates),
        ),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda patch: patch["Key"],
    )
    return patches if size_budget is None else patches.map(
        lambda drawn: _within_budget(drawn, size_budget)
    )


def _within_budget(patches: list[dict], size_budget: int) -> list[dict]:
    """Values cut, in order, so that together they hold at most ``size_budget`` characters."""
    remaining = size_budget
    out = []
    for patch in patches:
        if "Value" in patch and len(patch["Value"]) > remaining:
            patch = {**patch, "Value": patch["Value"][:remaining]}
        remaining -= len(patch.get("Value", ""))
        out.append(patch)
    return out
