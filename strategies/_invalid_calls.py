"""Requests with exactly one broken member: ``input_violations(call) == [violation]``.

A draw is a valid request (from :mod:`._requests`) with one member replaced by a
value from :mod:`._invalid_values`, or removed for "required".

What a server can see depends on where a member travels. A path label always
arrives as text, so ``DatasetName=7`` reaches the server as the valid name ``"7"``,
and a path label cannot be left out at all. With ``wire_only=True`` (the default)
only violations that survive the trip over HTTP are drawn: lengths and patterns of
path labels, anything in the JSON body, and non-numeric text where a query string
wants an integer. ``wire_only=False`` adds the rest, for in-process targets.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from cogsync.contracts.calls import OPERATIONS, Call
from cogsync.contracts.validation import CONSTRAINTS, MAY_CONSTRAINTS, InputViolation
from cogsync.errors import UsageError
from cogsync.strategies import _patches
from cogsync.strategies._arguments import check_bool, check_subset
from cogsync.strategies._invalid_values import breakers
from cogsync.strategies._requests import VALID_REQUESTS


@dataclass(frozen=True)
class InvalidCall:
    """A request and the one violation it was built to carry."""

    call: Call
    violation: InputViolation


@dataclass(frozen=True)
class _Target:
    """A member that can be broken: its field (``RecordPatches[].Key`` for any patch),
    the breaker kind, where it travels, and whether the operation requires it."""

    field: str
    kind: str
    location: str  # "uri", "query" or "body"
    required: bool = False

    @property
    def in_patch(self) -> bool:
        return self.field.startswith("RecordPatches[].")

    def constraints(self, wire_only: bool) -> tuple[str, ...]:
        kind = _on_the_wire(self.kind) if wire_only else self.kind
        found = list(breakers(kind))
        if self.required:
            found.append("required")
        if wire_only and self.location == "uri":
            found = [c for c in found if c not in ("type", "required")]
        if wire_only and self.location == "query" and self.kind == "String":
            found = []
        return tuple(found)


def _on_the_wire(kind: str) -> str:
    """A query integer arrives as text: its breakers are text that is not a number."""
    return {"Integer": "QueryInteger", "Long": "QueryLong"}.get(kind, kind)


_SCOPE = (
    _Target("IdentityPoolId", "IdentityPoolId", "uri", required=True),
    _Target("IdentityId", "IdentityId", "uri", required=True),
)
_DATASET = (*_SCOPE, _Target("DatasetName", "DatasetName", "uri", required=True))

TARGETS: dict[str, tuple[_Target, ...]] = {
    "UpdateRecords": (
        *_DATASET,
        _Target("DeviceId", "DeviceId", "body"),
        _Target("SyncSessionToken", "String", "body", required=True),
        _Target("RecordPatches", "RecordPatches", "body"),
        _Target("RecordPatches[]", "RecordPatch", "body"),
        _Target("RecordPatches[].Op", "Op", "body", required=True),
        _Target("RecordPatches[].Key", "Key", "body", required=True),
        _Target("RecordPatches[].Value", "Value", "body"),
        _Target("RecordPatches[].SyncCount", "SyncCount", "body", required=True),
        _Target("RecordPatches[].DeviceLastModifiedDate", "DeviceLastModifiedDate", "body"),
    ),
    "ListRecords": (
        *_DATASET,
        _Target("LastSyncCount", "Long", "query"),
        _Target("MaxResults", "Integer", "query"),
        _Target("NextToken", "String", "query"),
        _Target("SyncSessionToken", "String", "query"),
    ),
    "DescribeDataset": _DATASET,
    "DeleteDataset": _DATASET,
    "ListDatasets": (
        *_SCOPE,
        _Target("MaxResults", "Integer", "query"),
        _Target("NextToken", "String", "query"),
    ),
}


def _choices(
    operations: tuple[str, ...],
    fields: Collection[str] | None,
    constraints: Collection[str] | None,
    wire_only: bool,
) -> list[tuple[str, _Target, str]]:
    """Every (operation, target, constraint) the options allow."""
    breaches = tuple(c for c in CONSTRAINTS if c not in MAY_CONSTRAINTS)  # MAY input is not invalid
    chosen_constraints = breaches if constraints is None else check_subset(
        "constraints", constraints, breaches
    )
    known_fields = sorted({t.field for op in operations for t in TARGETS[op]})
    chosen_fields = known_fields if fields is None else check_subset(
        "fields", fields, known_fields
    )
    choices = [
        (op, target, constraint)
        for op in operations
        for target in TARGETS[op]
        if target.field in chosen_fields
        for constraint in target.constraints(wire_only)
        if constraint in chosen_constraints
    ]
    if not choices:
        raise UsageError.bad_argument(
            "constraints",
            constraints,
            f"a constraint some chosen field can break (fields={fields!r}, "
            f"wire_only={wire_only!r}); see TARGETS in cogsync.strategies._invalid_calls",
        )
    return choices


def _breaking_value(target: _Target, constraint: str, wire_only: bool) -> st.SearchStrategy[Any]:
    kind = _on_the_wire(target.kind) if wire_only else target.kind
    return breakers(kind)[constraint]


@st.composite
def _broken(draw: st.DrawFn, operation: str, target: _Target, constraint: str,
            wire_only: bool) -> InvalidCall:
    if target.field.startswith("RecordPatches["):
        base = _requests_with_patches()
    else:
        base = VALID_REQUESTS[operation]()
    params = dict(draw(base).params)
    missing = constraint == "required"
    value = None if missing else draw(_breaking_value(target, constraint, wire_only))
    if target.field.startswith("RecordPatches["):
        patches: list[Any] = [dict(p) for p in params["RecordPatches"]]
        index = draw(st.integers(0, len(patches) - 1))
        field = target.field.replace("[]", f"[{index}]")
        if target.field == "RecordPatches[]":
            patches[index] = value  # a patch that is not an object
        else:
            member = target.field.rsplit(".", 1)[1]
            if member == "Value":
                patches[index]["Op"] = "replace"
            _set(patches[index], member, value, missing)
        params["RecordPatches"] = patches
    else:
        field = target.field
        _set(params, target.field, value, missing)
    return InvalidCall(Call(operation, params), InputViolation(field, constraint))


def _set(container: dict, member: str, value: Any, missing: bool) -> None:
    if missing:
        container.pop(member, None)
    else:
        container[member] = value


def _requests_with_patches() -> st.SearchStrategy[Call]:
    return VALID_REQUESTS["UpdateRecords"](patch_lists=_patches.patch_lists(min_size=1))


def invalid_requests(
    *,
    operations: Collection[str] = OPERATIONS,
    fields: Collection[str] | None = None,
    constraints: Collection[str] | None = None,
    wire_only: bool = True,
) -> st.SearchStrategy[InvalidCall]:
    """Requests of any of ``operations`` with exactly one member broken.

    ``fields`` (names as in :data:`TARGETS`, e.g. ``"DatasetName"`` or
    ``"RecordPatches[].SyncCount"``) and ``constraints`` (validation's vocabulary)
    narrow what is broken. Update requests carry the token placeholder: fill it in
    with :func:`with_session_token` so that only the drawn violation is wrong.
    """
    chosen_ops = check_subset("operations", operations, OPERATIONS)
    check_bool("wire_only", wire_only)
    choices = _choices(chosen_ops, fields, constraints, wire_only)
    return st.sampled_from(choices).flatmap(
        lambda choice: _broken(choice[0], choice[1], choice[2], wire_only)
    )


def invalid_update_records_requests(
    *,
    fields: Collection[str] | None = None,
    constraints: Collection[str] | None = None,
    wire_only: bool = True,
) -> st.SearchStrategy[InvalidCall]:
    """``UpdateRecords`` requests with one broken member, e.g.
    ``InvalidCall(Call('UpdateRecords', {..., 'RecordPatches': [{'Op': 'replace',
    'Key': '0', 'Value': '', 'SyncCount': -1}], ...}),
    InputViolation('RecordPatches[0].SyncCount', 'negative'))``."""
    return invalid_requests(
        operations=("UpdateRecords",), fields=fields, constraints=constraints,
        wire_only=wire_only,
    )


def invalid_list_records_requests(
    *,
    fields: Collection[str] | None = None,
    constraints: Collection[str] | None = None,
    wire_only: bool = True,
) -> st.SearchStrategy[InvalidCall]:
    """``ListRecords`` requests with one broken member (path labels; with
    ``wire_only=False`` also wrong types in the query string)."""
    return invalid_requests(
        operations=("ListRecords",), fields=fields, constraints=constraints,
        wire_only=wire_only,
    )
