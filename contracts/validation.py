"""Which input constraints a call breaks (VAL-1, VAL-3), in one shared vocabulary.

An :class:`InputViolation` names a field by its path in the boto3 parameters
(``DatasetName``, ``RecordPatches[2].SyncCount``) and the constraint it breaks:

=============  ==============================================================
``required``   a required member is missing
``type``       the value has the wrong JSON type (a bool is not a number)
``min_length`` a string is shorter than allowed
``max_length`` a string is longer than allowed
``pattern``    a string does not fully match the service's pattern
``enum``       a value is not one of the allowed ones (``Op``)
``range``      a whole number past its model type (an Integer is 32 bits, a Long
               64: the service cannot read it)
``negative``   a ``SyncCount`` below zero (VAL-3, SHOULD)
``uppercase``  upper-case hex digits in an identity or pool id: the pattern
               forbids them, AWS's own documentation example uses them (VAL-4,
               MAY: a server may accept or refuse them)
=============  ==============================================================

The invalid-input strategies tag each draw with the violation it was built to
cause, and the model uses this module to decide VAL-1: the two must agree.
Members the model does not know are ignored, as the service ignores them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.contracts.calls import OPERATIONS, Call
from cogsync.contracts.schemas import load_schema, loose_fit

CONSTRAINTS = ("required", "type", "min_length", "max_length", "pattern", "enum", "range", "negative",
               "uppercase")
#: Constraints whose breach the contract does not make an error: VAL-3 (SHOULD) and VAL-4 (MAY).
SOFT_CONSTRAINTS = frozenset({"negative"})
MAY_CONSTRAINTS = frozenset({"uppercase"})


@dataclass(frozen=True, order=True)
class InputViolation:
    field: str
    constraint: str

    def __str__(self) -> str:
        return f"{self.field}: {self.constraint}"


_ID_FIELDS: dict[str, C.StringConstraint] = {
    "IdentityPoolId": C.IDENTITY_POOL_ID,
    "IdentityId": C.IDENTITY_ID,
    "DatasetName": C.DATASET_NAME,
}

_REQUIRED: dict[str, tuple[str, ...]] = {
    "UpdateRecords": ("IdentityPoolId", "IdentityId", "DatasetName", "SyncSessionToken"),
    "ListRecords": ("IdentityPoolId", "IdentityId", "DatasetName"),
    "DescribeDataset": ("IdentityPoolId", "IdentityId", "DatasetName"),
    "DeleteDataset": ("IdentityPoolId", "IdentityId", "DatasetName"),
    "ListDatasets": ("IdentityPoolId", "IdentityId"),
}

_OPTIONAL_STRINGS = ("SyncSessionToken", "NextToken", "ClientContext")
_OPTIONAL_INTEGERS: dict[str, C.IntegerConstraint] = {
    "LastSyncCount": C.LAST_SYNC_COUNT,
    "MaxResults": C.MAX_RESULTS,
}


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(field: str, value: Any, rule: C.StringConstraint) -> list[InputViolation]:
    return [InputViolation(field, broken) for broken in rule.violations(value)]


def only_uppercase(value: Any, rule: C.StringConstraint) -> bool:
    """Does ``value`` (an id) break ``rule``'s pattern only by upper-case hex digits?"""
    if not isinstance(value, str) or "pattern" not in rule.violations(value):
        return False
    region, colon, rest = value.partition(":")
    return bool(colon) and "pattern" not in rule.violations(f"{region}:{rest.lower()}")


def _id(field: str, value: Any, rule: C.StringConstraint) -> list[InputViolation]:
    """An id's violations, upper-case hex told apart from other pattern breaches (VAL-4)."""
    found = _string(field, value, rule)
    if any(x.constraint == "pattern" for x in found) and only_uppercase(value, rule):
        found = [InputViolation(field, "uppercase") if x.constraint == "pattern" else x for x in found]
    return found


def _patch(index: int, patch: Any) -> list[InputViolation]:
    where = f"RecordPatches[{index}]"
    if not isinstance(patch, dict):
        return [InputViolation(where, "type")]
    out: list[InputViolation] = []
    for member in ("Op", "Key", "SyncCount"):
        if member not in patch:
            out.append(InputViolation(f"{where}.{member}", "required"))
    if "Op" in patch:
        op = patch["Op"]
        if not isinstance(op, str):
            out.append(InputViolation(f"{where}.Op", "type"))
        elif op not in C.OPERATIONS:
            out.append(InputViolation(f"{where}.Op", "enum"))
    if "Key" in patch:
        out += _string(f"{where}.Key", patch["Key"], C.RECORD_KEY)
    if "Value" in patch and patch["Value"] is not None:
        out += _string(f"{where}.Value", patch["Value"], C.RECORD_VALUE)
    if "SyncCount" in patch:
        count = patch["SyncCount"]
        if not _is_integer(count):
            out.append(InputViolation(f"{where}.SyncCount", "type"))
        elif not C.SYNC_COUNT.holds(count):
            out.append(InputViolation(f"{where}.SyncCount", "range"))
        elif count < 0:
            out.append(InputViolation(f"{where}.SyncCount", "negative"))
    if "DeviceLastModifiedDate" in patch and not _is_number(patch["DeviceLastModifiedDate"]):
        out.append(InputViolation(f"{where}.DeviceLastModifiedDate", "type"))
    return out


def input_violations(call: Call) -> list[InputViolation]:
    """Every constraint of the service model that ``call`` breaks, sorted; empty when valid.

    Most calls of a run are valid: the compiled request schema (the same constraints,
    see :mod:`cogsync.contracts.constraints`) says so in one step, and only a call it
    refuses, one with an integer spelled as a float or a negative ``SyncCount`` (VAL-3
    to the contract, valid to the schema), or one carrying a member its schema does not
    know, is walked member by member to name what it breaks.
    """
    if call.operation not in OPERATIONS:
        raise ValueError(f"unknown operation {call.operation!r}; expected one of {OPERATIONS}")
    params = call.params
    members, fits = _request_schema(call.operation)
    if params.keys() <= members and not _beyond_the_schema(params) and fits(params):
        return []
    return _every_violation(call)


@cache
def _request_schema(operation: str) -> tuple[frozenset[str], Callable[[Any], bool]]:
    """The members ``operation``'s request schema knows (a call carrying another takes
    the long way) and its compiled check."""
    schema = f"{operation}Request"
    return frozenset(load_schema(schema)["properties"]), loose_fit(schema)


def _beyond_the_schema(params: dict[str, Any]) -> bool:
    """What the compiled schema does not tell: an integer member that is not an ``int``
    (``2.0``), a negative ``SyncCount`` (VAL-3)."""
    for member in _OPTIONAL_INTEGERS:
        value = params.get(member)
        if value is not None and value.__class__ is not int:
            return True
    patches = params.get("RecordPatches")
    if isinstance(patches, list):
        for patch in patches:
            if isinstance(patch, dict):
                count = patch.get("SyncCount")
                if count.__class__ is not int or count < 0:
                    return True
    return False


def _every_violation(call: Call) -> list[InputViolation]:
    """:func:`input_violations`, member by member (also its reference in the tests)."""
    params = call.params
    out: list[InputViolation] = []
    for member in _REQUIRED[call.operation]:
        if member not in params or params[member] is None:
            out.append(InputViolation(member, "required"))
    for member, rule in _ID_FIELDS.items():
        if params.get(member) is not None:
            out += (_id if member != "DatasetName" else _string)(member, params[member], rule)
    for member in _OPTIONAL_STRINGS:
        if params.get(member) is not None and not isinstance(params[member], str):
            out.append(InputViolation(member, "type"))
    for member, rule in _OPTIONAL_INTEGERS.items():
        value = params.get(member)
        if value is not None and not _is_integer(value):
            out.append(InputViolation(member, "type"))
        elif value is not None and not rule.holds(value):
            out.append(InputViolation(member, "range"))
    if call.operation == "UpdateRecords":
        if params.get("DeviceId") is not None:
            out += _string("DeviceId", params["DeviceId"], C.DEVICE_ID)
        patches = params.get("RecordPatches")
        if patches is not None:
            if not isinstance(patches, list):
                out.append(InputViolation("RecordPatches", "type"))
            else:
                for index, patch in enumerate(patches):
                    out += _patch(index, patch)
    return sorted(set(out)) if out else out
