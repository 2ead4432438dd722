"""The input constraints of the contract, as plain Python values.

Read from the committed JSON Schemas (which come from botocore's model), so the
model, the strategies and the emulator share one source and cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cogsync.contracts.schemas import load_schema


@dataclass(frozen=True)
class StringConstraint:
    """Length bounds (in characters) and an optional full-match pattern."""

    min_length: int
    max_length: int | None
    pattern: str | None = None

    def violations(self, value: object) -> list[str]:
        """Names of the constraints ``value`` breaks: "type", "min_length", "max_length", "pattern"."""
        if not isinstance(value, str):
            return ["type"]
        broken = []
        if len(value) < self.min_length:
            broken.append("min_length")
        if self.max_length is not None and len(value) > self.max_length:
            broken.append("max_length")
        if self.pattern is not None and value and _compiled(self.pattern).fullmatch(value) is None:
            broken.append("pattern")
        return broken


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled once: every call of a run checks its ids against these patterns."""
    return re.compile(pattern)


def _from_schema(fragment: dict) -> StringConstraint:
    pattern = fragment.get("pattern")
    if pattern is not None:
        pattern = pattern.removeprefix("^").removesuffix("$")
    return StringConstraint(fragment.get("minLength", 0), fragment.get("maxLength"), pattern)


@cache
def _update_schema() -> dict:
    return load_schema("UpdateRecordsRequest")


def _prop(name: str) -> dict:
    schema = _update_schema()
    if name in schema["properties"]:
        return schema["properties"][name]
    return schema["$defs"]["RecordPatch"]["properties"][name]


@dataclass(frozen=True)
class IntegerConstraint:
    """The range of a member's model type: a Java int (Integer) or long (Long)."""

    minimum: int
    maximum: int

    def holds(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum


def _integer(fragment: dict) -> IntegerConstraint:
    return IntegerConstraint(fragment["minimum"], fragment["maximum"])


IDENTITY_POOL_ID = _from_schema(_prop("IdentityPoolId"))
IDENTITY_ID = _from_schema(_prop("IdentityId"))
DATASET_NAME = _from_schema(_prop("DatasetName"))
DEVICE_ID = _from_schema(_prop("DeviceId"))
RECORD_KEY = _from_schema(_prop("Key"))
RECORD_VALUE = _from_schema(_prop("Value"))
OPERATIONS: tuple[str, ...] = tuple(_prop("Op")["enum"])
SYNC_COUNT = _integer(_prop("SyncCount"))  # a Long
LAST_SYNC_COUNT = _integer(load_schema("ListRecordsRequest")["properties"]["LastSyncCount"])  # a Long
MAX_RESULTS = _integer(load_schema("ListRecordsRequest")["properties"]["MaxResults"])  # an Integer

#: Every character DatasetName allows, in a stable order.
DATASET_NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-"
#: The characters of the part of an id before ':' (ASCII \w and '-').
ID_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
#: The characters of the part of an id after ':' (lowercase hex and '-').
ID_SUFFIX_ALPHABET = "0123456789abcdef-"


@dataclass(frozen=True)
class Limits:
    """Service limits (DG limits.md). AWS lets customers raise them; so do we."""

    max_datasets_per_identity: int = 20
    max_records_per_dataset: int = 1024
    max_dataset_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        from cogsync.errors import UsageError

        for name in ("max_datasets_per_identity", "max_records_per_dataset", "max_dataset_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise UsageError.bad_argument(name, value, "a whole number of at least 1")


DEFAULT_LIMITS = Limits()
