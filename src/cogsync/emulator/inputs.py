"""The emulator's own input validation (VAL-1, VAL-3, VAL-4): decoded parameters in, typed out.

Written apart from :mod:`cogsync.contracts.validation` on purpose: the model uses
that one, so two independent readings of the service model check each other. Only
the raw constraints (lengths, patterns, the Op enum) are shared, from
:mod:`cogsync.contracts.constraints`.

Parameters are boto3's names; ``None`` means absent; members the service does not
know are ignored, as the service ignores them. Every broken constraint is named in
one InvalidParameterException, in AWS's "N validation errors detected" form.
Integers must fit their model type: ``maxResults`` an Integer (32 bits),
``lastSyncCount`` and ``SyncCount`` a Long (64 bits); the service's Java parser
refuses anything larger, and so does this one.

Where the contract says MAY (VAL-4, LIST-7, lengths of astral-plane characters),
the :class:`~cogsync.emulator.choices.Choices` passed in decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.emulator.choices import REFERENCE, Choices
from cogsync.emulator.errors import InvalidParameterException
from cogsync.emulator.state import DatasetScope

REPLACE, REMOVE = "replace", "remove"

#: The model's Integer (maxResults) and Long (lastSyncCount, SyncCount) ranges.
INTEGER_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)

#: The ids' pattern with uppercase hex digits allowed too (VAL-4, AWS's own examples).
_UPPERCASE_HEX_ID = C.StringConstraint(
    C.IDENTITY_ID.min_length, C.IDENTITY_ID.max_length, "(?:[A-Za-z0-9_-]+:[0-9a-fA-F-]+)"
)


@dataclass(frozen=True)
class Rules:
    """The constraints input is held to: the model's lengths and patterns, and the integer
    ranges of its types. One value, so the backend can hand it over through a seam
    (``CognitoSyncBackend.input_rules``) where a mutant can get one of them wrong."""

    identity_pool_id: C.StringConstraint = C.IDENTITY_POOL_ID
    identity_id: C.StringConstraint = C.IDENTITY_ID
    dataset_name: C.StringConstraint = C.DATASET_NAME
    device_id: C.StringConstraint = C.DEVICE_ID
    key: C.StringConstraint = C.RECORD_KEY
    value: C.StringConstraint = C.RECORD_VALUE
    max_results: tuple[int, int] = INTEGER_RANGE
    last_sync_count: tuple[int, int] = LONG_RANGE
    sync_count: tuple[int, int] = LONG_RANGE


#: The service model's constraints.
RULES = Rules()


@dataclass(frozen=True)
class Patch:
    op: str
    key: str
    value: str | None
    sync_count: int
    device_last_modified_date: float | int | None


@dataclass(frozen=True)
class UpdateInput:
    scope: DatasetScope
    token: str | None  # None only when the caller lets a write come without one
    device_id: str | None
    patches: tuple[Patch, ...]


@dataclass(frozen=True)
class ListRecordsInput:
    scope: DatasetScope
    last_sync_count: int
    next_token: str | None
    max_results: int | None
    token: str | None


@dataclass(frozen=True)
class ListDatasetsInput:
    pool: str
    identity: str
    next_token: str | None
    max_results: int | None


class _Problems:
    """Collects every broken constraint, then raises them as one error."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, where: str, value: Any, rule: str) -> None:
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        self.found.append(f"Value {shown} at '{where}' failed to satisfy constraint: {rule}")

    def raise_if_any(self) -> None:
        if self.found:
            count = len(self.found)
            noun = "error" if count == 1 else "errors"
            raise InvalidParameterException(
                f"{count} validation {noun} detected: " + "; ".join(self.found)
            )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_timestamp(value: Any) -> bool:
    """A finite number a double can hold (epoch seconds); ``10**400`` is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer past the largest double
        return False


def _is_text(value: str) -> bool:
    """False for strings holding lone surrogates: not Unicode text, not storable as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string(
    problems: _Problems,
    where: str,
    value: Any,
    rule: C.StringConstraint | None,
    *,
    required: bool,
    choices: Choices = REFERENCE,
) -> str | None:
    if value is None:
        if required:
            problems.add(where, value, "Member must not be null")
        return None
    if not isinstance(value, str):
        problems.add(where, value, "Member must be a string")
        return None
    if not _is_text(value):
        problems.add(where, value, "Member must be valid Unicode text (no lone surrogates)")
        return None
    if rule is not None:
        broken_rules = rule.violations(value)
        if (
            "max_length" not in broken_rules
            and rule.max_length is not None
            and choices.length(value) > rule.max_length
        ):  # within the limit in code points, over it in UTF-16 units
            broken_rules.append("max_length")
        for broken in broken_rules:
            if broken == "min_length":
                problems.add(where, value, f"Member must have length >= {rule.min_length}")
            elif broken == "max_length":
                problems.add(where, value, f"Member must have length <= {rule.max_length}")
            elif broken == "pattern":
                problems.add(
                    where, value, f"Member must satisfy regular expression pattern: {rule.pattern}"
                )
    return value


def _integer(
    problems: _Problems, where: str, value: Any, bounds: tuple[int, int]
) -> int | None:
    """An integer within its model type's ``bounds`` (Integer or Long), else a problem."""
    if value is None:
        return None
    if not _is_int(value):
        problems.add(where, value, "Member must be an integer")
        return None
    low, high = bounds
    if not low <= value <= high:
        kind = "32-bit Integer" if bounds == INTEGER_RANGE else "64-bit Long" if bounds == LONG_RANGE \
            else "whole number"
        problems.add(where, value, f"Member must be a {kind} (between {low} and {high})")
        return None
    return int(value)


def _scope(
    problems: _Problems, params: Mapping[str, Any], with_dataset: bool, choices: Choices,
    rules: Rules = RULES,
) -> tuple[str, ...]:
    pool_rule = _UPPERCASE_HEX_ID if choices.uppercase_hex_ids else rules.identity_pool_id
    identity_rule = _UPPERCASE_HEX_ID if choices.uppercase_hex_ids else rules.identity_id
    pool = _string(problems, "identityPoolId", params.get("IdentityPoolId"), pool_rule,
                   required=True)
    identity = _string(problems, "identityId", params.get("IdentityId"), identity_rule,
                       required=True)
    if not with_dataset:
        return (pool or "", identity or "")
    name = _string(problems, "datasetName", params.get("DatasetName"), rules.dataset_name,
                   required=True)
    return (pool or "", identity or "", name or "")


def _patch(problems: _Problems, index: int, raw: Any, choices: Choices,
           rules: Rules = RULES) -> Patch | None:
    where = f"recordPatches.{index + 1}"
    if not isinstance(raw, Mapping):
        problems.add(where, raw, "Member must be an object")
        return None
    before = len(problems.found)
    op = raw.get("Op")
    if op is None:
        problems.add(f"{where}.member.op", op, "Member must not be null")
    elif not isinstance(op, str) or op not in C.OPERATIONS:
        problems.add(f"{where}.member.op", op,
                     "Member must satisfy enum value set: [" + ", ".join(C.OPERATIONS) + "]")
    key = _string(problems, f"{where}.member.key", raw.get("Key"), rules.key, required=True,
                  choices=choices)
    if (
        key is not None
        and choices.max_key_utf8_bytes is not None
        and len(key.encode("utf-8")) > choices.max_key_utf8_bytes
    ):  # VAL-4: the SDKs' client-side limit, enforced here too
        problems.add(f"{where}.member.key", key,
                     f"Member must have at most {choices.max_key_utf8_bytes} UTF-8 bytes")
    value = _string(problems, f"{where}.member.value", raw.get("Value"), rules.value,
                    required=False, choices=choices)
    count = raw.get("SyncCount")
    if count is None:
        problems.add(f"{where}.member.syncCount", count, "Member must not be null")
    elif not _is_int(count):
        problems.add(f"{where}.member.syncCount", count, "Member must be an integer")
    elif count < 0:  # VAL-3
        problems.add(f"{where}.member.syncCount", count, "Member must be >= 0")
    elif count > rules.sync_count[1]:
        problems.add(f"{where}.member.syncCount", count,
                     f"Member must be a 64-bit Long (at most {rules.sync_count[1]})")
    device_date = raw.get("DeviceLastModifiedDate")
    if device_date is not None and not _is_timestamp(device_date):
        problems.add(f"{where}.member.deviceLastModifiedDate", device_date,
                     "Member must be a finite number of epoch seconds")
        device_date = None
    if len(problems.found) > before or key is None:
        return None
    assert isinstance(count, int)  # checked above
    return Patch(str(op), key, None if op == REMOVE else value, count, device_date)


def update_input(
    params: Mapping[str, Any], choices: Choices = REFERENCE, *, token_required: bool = True,
    rules: Rules = RULES,
) -> UpdateInput:
    """UpdateRecords parameters, checked; a key patched twice is refused unless ``choices``
    let the last patch win (VAL-4): then every patch is kept, in order, for the backend.
    A missing SyncSessionToken is 400 unless ``token_required`` is false (TOK-2)."""
    problems = _Problems()
    scope = _scope(problems, params, with_dataset=True, choices=choices, rules=rules)
    device_id = _string(problems, "deviceId", params.get("DeviceId"), rules.device_id, required=False,
                        choices=choices)
    token = _string(problems, "syncSessionToken", params.get("SyncSessionToken"), None,
                    required=token_required)
    _string(problems, "clientContext", params.get("ClientContext"), None, required=False)
    raw_patches = params.get("RecordPatches")
    patches: list[Patch] = []
    if raw_patches is not None and not isinstance(raw_patches, list):
        problems.add("recordPatches", raw_patches, "Member must be a list")
    elif raw_patches is not None:
        for index, raw in enumerate(raw_patches):
            patch = _patch(problems, index, raw, choices, rules)
            if patch is not None:
                patches.append(patch)
    problems.raise_if_any()
    seen: set[str] = set()
    for patch in patches:
        if patch.key in seen and not choices.duplicate_keys_last_wins:
            raise InvalidParameterException(
                f"Duplicate key in RecordPatches: {patch.key!r}; patch each key at most once"
            )
        seen.add(patch.key)
    return UpdateInput(DatasetScope(*scope), token, device_id, tuple(patches))


def _max_results(problems: _Problems, value: Any, choices: Choices, rules: Rules) -> int | None:
    """The page size asked for; None for the default (LIST-7 decides what below 1 means)."""
    count = _integer(problems, "maxResults", value, rules.max_results)
    if count is not None and count < 1:
        if not choices.max_results_below_one_is_default:
            problems.add("maxResults", count, "Member must be >= 1")
        return None
    return count


def list_records_input(params: Mapping[str, Any], choices: Choices = REFERENCE,
                       rules: Rules = RULES) -> ListRecordsInput:
    """ListRecords parameters, checked; a negative lastSyncCount reads as 0 (everything)."""
    problems = _Problems()
    scope = _scope(problems, params, with_dataset=True, choices=choices, rules=rules)
    last = _integer(problems, "lastSyncCount", params.get("LastSyncCount"), rules.last_sync_count)
    next_token = _string(problems, "nextToken", params.get("NextToken"), None, required=False)
    max_results = _max_results(problems, params.get("MaxResults"), choices, rules)
    token = _string(problems, "syncSessionToken", params.get("SyncSessionToken"), None,
                    required=False)
    problems.raise_if_any()
    return ListRecordsInput(DatasetScope(*scope), max(0, last or 0), next_token, max_results,
                            token)


def dataset_input(params: Mapping[str, Any], choices: Choices = REFERENCE,
                  rules: Rules = RULES) -> DatasetScope:
    """DescribeDataset and DeleteDataset parameters, checked."""
    problems = _Problems()
    scope = _scope(problems, params, with_dataset=True, choices=choices, rules=rules)
    problems.raise_if_any()
    return DatasetScope(*scope)


def list_datasets_input(params: Mapping[str, Any], choices: Choices = REFERENCE,
                        rules: Rules = RULES) -> ListDatasetsInput:
    """ListDatasets parameters, checked."""
    problems = _Problems()
    pool, identity = _scope(problems, params, with_dataset=False, choices=choices, rules=rules)
    next_token = _string(problems, "nextToken", params.get("NextToken"), None, required=False)
    max_results = _max_results(problems, params.get("MaxResults"), choices, rules)
    problems.raise_if_any()
    return ListDatasetsInput(pool, identity, next_token, max_results)
