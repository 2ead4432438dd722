"""The registry of checks, keyed by property id: how each property is put to the test,
and the function that decides it.

Every property of the contract but those the kit cannot check yet
(:data:`CANNOT_CHECK`) has exactly one :class:`Check`. Its ``kind`` says how the
engine puts it to the test:

- ``model``: decided call by call by :class:`cogsync.contracts.model.Model` (the one
  oracle); the engine feeds it each call and answer.
- ``pages``: decided over a whole paginated listing (``Model.judge_pages``).
- ``wire``: decided from the HTTP exchange itself (status, headers, raw body); the
  check functions are in :mod:`cogsync.conformance.wire_checks`.
- ``concurrency``: decided by the linearizability checker over a concurrent history.
- ``auth``: decided by sending requests with bad or foreign credentials.
- ``restarts``: decided by reading back acknowledged writes after the kit restarted
  the target (only on runs given a way to restart it; see :data:`NEEDS_RESTARTS`).
- ``finding``: a MAY property, never failed; the model reports what it saw.

Its ``decider`` is the function where the verdict is made, for a person to read:
for a model-decided property the model's function (the rows of the model's
attribution table name the answers it blames on the property). Nothing calls a
decider through this registry; the engine runs the checks by kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cogsync.conformance import auth, durability, linearizability
from cogsync.conformance.wire_checks import (
    WireAnswer,
    WireCheck,
    error_shape,
    no_server_errors,
    run_wire_checks,
)
from cogsync.contracts import _model_datasets as datasets
from cogsync.contracts import _model_list as listing
from cogsync.contracts import _model_wire as wire
from cogsync.contracts import _model_write as write
from cogsync.contracts._model_state import RefusalMark
from cogsync.contracts.model import Model
from cogsync.contracts.properties import PROPERTIES

__all__ = ["CANNOT_CHECK", "KINDS", "NEEDS_RESTARTS", "REGISTRY", "WITNESSES", "Check", "WireAnswer", "WireCheck",
           "error_shape", "no_server_errors", "not_applicable_on", "run_wire_checks", "unchecked", "wire_checks"]

KINDS = ("model", "pages", "wire", "concurrency", "auth", "restarts", "finding")

#: What each kind means, in one line (a check may say more).
HOW: dict[str, str] = {
    "model": "judged call by call by the sequential model",
    "pages": "a whole paginated listing judged by the model",
    "wire": "read off every HTTP exchange (status, headers, raw body)",
    "concurrency": "concurrent histories checked for linearizability against the model",
    "auth": "requests with a bad signature or another identity's credentials",
    "restarts": "acknowledged writes read back after the kit kills and restarts the target",
    "finding": "a MAY choice: the model reports what the server chose, never a failure",
}


@dataclass(frozen=True)
class Check:
    """How one property is put to the test (``kind``, ``how``) and where it is decided.

    ``function`` is set for wire checks only: the engine runs it on every exchange.
    """

    property_id: str
    kind: str
    how: str
    decider: Callable[..., Any]
    function: WireCheck | None = None


REGISTRY: dict[str, Check] = {}


def register(property_id: str, kind: str, decider: Callable[..., Any], how: str = "",
             function: WireCheck | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if property_id in REGISTRY:
        raise ValueError(f"{property_id} is registered twice")
    if not callable(decider):
        raise ValueError(f"{property_id}: the decider must be a function a person can read")
    REGISTRY[property_id] = Check(property_id, kind, how or HOW[kind], decider, function)


# --- 1. wire -----------------------------------------------------------------------------
register("WIRE-1", "model", wire.check_wire)
register("WIRE-2", "wire", wire.error_shape, "every error answer's status, x-amzn-ErrorType header and JSON "
         "message (the model holds the status to the type too, through the same function)", error_shape)
register("WIRE-3", "model", wire.unlisted_error, "every error answer's type, by the model; the wire fuzzer's "
         "raw requests through the same function")
register("WIRE-4", "wire", wire.server_error, "no 5xx on any exchange, however malformed the request (the "
         "model holds malformed input to it too, through the same function)", no_server_errors)
register("WIRE-5", "model", wire.looks_mangled)
# --- 2. input validation -----------------------------------------------------------------
register("VAL-1", "model", Model._invalid)
register("VAL-2", "model", write.wrongful_refusal)
register("VAL-3", "model", Model._invalid)
# --- 3. sync counts ----------------------------------------------------------------------
register("SYNC-1", "model", listing._check_sync_count)
register("SYNC-2", "model", write._check_records)
register("SYNC-3", "model", listing._check_sync_count)
register("SYNC-4", "model", write._check_records)
register("SYNC-5", "model", write.wrongful_refusal)
register("SYNC-7", "model", write._check_records)
# --- 4. conflicts ------------------------------------------------------------------------
register("CONF-1", "model", write._plan_patch)
register("CONF-2", "model", write._plan_patch)
register("CONF-3", "model", write._plan_patch)
register("CONF-4", "model", RefusalMark)
register("CONF-5", "model", write._check_conflict_message)
register("CONF-6", "concurrency", linearizability.check)
# --- 5. tombstones -----------------------------------------------------------------------
register("DEL-1", "model", listing._compare_records)
register("DEL-2", "model", write.wrongful_refusal)
# --- 6. ListRecords ----------------------------------------------------------------------
register("LIST-1", "model", listing._compare_records)
register("LIST-2", "model", listing._judge_missing)
register("LIST-3", "model", listing.judge_list)
register("LIST-4", "pages", listing.check_pages)
register("LIST-5", "pages", listing._check_count)
register("LIST-6", "model", listing._compare_records)
# --- 7. tokens ---------------------------------------------------------------------------
register("TOK-1", "model", listing.check_pages)
register("TOK-2", "model", write.token_reason)
register("TOK-3", "model", write.token_reason)
register("TOK-4", "model", write.token_reason)
# --- 8. datasets -------------------------------------------------------------------------
register("DS-1", "model", datasets.check_dataset_fields)
register("DS-2", "model", datasets.judge_describe)
register("DS-3", "model", datasets.judge_delete)
register("DS-4", "model", listing.ds4_mode)
register("DS-5", "model", datasets.check_dataset_fields)
# --- 9. limits ---------------------------------------------------------------------------
register("LIM-1", "model", write._plan_limits)
register("LIM-2", "model", write._plan_limits)
register("LIM-3", "model", write._plan_limits)
# --- 10. isolation and auth --------------------------------------------------------------
register("ISO-1", "model", listing.leaks)
register("ISO-2", "auth", auth.probe_signatures)
# --- 10b. durability ---------------------------------------------------------------------
register("DUR-1", "restarts", durability.judge_read_back)
# --- MAY: findings -----------------------------------------------------------------------
register("VAL-4", "finding", write._plan_patch)
register("SYNC-6", "finding", write.applied_empty)
register("CONF-7", "finding", write._plan_patch)
register("DEL-3", "finding", write._plan_patch)
register("LIST-7", "finding", listing.judge_list)
register("TOK-5", "finding", write.token_reason)
register("LIM-4", "finding", write._plan_limits)


def wire_checks() -> list[Check]:
    return [c for c in REGISTRY.values() if c.kind == "wire"]


#: What puts each property to the test: its witness. A witness is an observation that
#: would have come out differently on a server breaking the property; a property
#: passes only when one was seen and nothing broke it. MAY properties are never
#: passed: what shows the server's choice is reported as a finding.
WITNESSES: dict[str, str] = {
    "WIRE-1": "a successful answer whose body was validated against the call's output schema",
    "WIRE-2": "an error answer whose status, x-amzn-ErrorType header and JSON message were checked",
    "WIRE-3": "an error answer whose type was checked against the operation's list",
    "WIRE-4": "a request breaking a constraint of the model, or malformed bytes, answered without a 5xx",
    "WIRE-5": "a key or value holding characters outside printable ASCII, read back and compared",
    "VAL-1": "an invalid request refused with 400, then a read showing nothing changed (a request "
             "naming nothing readable: refused by a server seen to accept valid writes)",
    "VAL-2": "a valid request accepted",
    "VAL-3": "a negative SyncCount refused with 400, then a read showing nothing changed",
    "VAL-4": "finding: what the server did with a key over 128 UTF-8 bytes, a key patched twice in "
             "one request, a replace without a Value, upper-case hex in an id, a string over its limit "
             "only in UTF-16 units, a JSON body holding a member twice, or a Content-Type other than "
             "application/json and application/x-amz-json-1.1 (the boundary phase sends each)",
    "SYNC-1": "an accepted write that changed a record",
    "SYNC-2": "a written record's count compared with N+1, in the write's answer or a later listing",
    "SYNC-3": "a listing of a dataset whose sync count was seen before",
    "SYNC-4": "an accepted write whose answer was compared, key by key, with its patches",
    "SYNC-5": "a replace of a key that does not exist, presenting 0, accepted (keys differing "
              "from an existing one only by letter case, normalization form or whitespace too)",
    "SYNC-6": "finding: what a write with no patches did to the dataset's count",
    "SYNC-7": "a written record's LastModifiedDate held to the call's time window, or its "
              "DeviceLastModifiedDate compared with the one sent",
    "CONF-1": "a stale replace sent to a key whose count has moved, refused with 409",
    "CONF-2": "a replace presenting 0 for a key that exists, refused with 409",
    "CONF-3": "a stale remove, refused with 409",
    "CONF-4": "a refused batch that also held an acceptable patch, then a read showing that patch "
              "did not land",
    "CONF-5": "a 409 whose message was compared with the observed form",
    "CONF-6": "a race of several clients' overlapping writes (deletes, listings and describes "
              "racing them too), every outcome known, decided linearizable",
    "CONF-7": "finding: what the server did with a SyncCount above the key's",
    "DEL-1": "a tombstone listed (without a Value) after a remove",
    "DEL-2": "a replace presenting a tombstone's count, accepted",
    "DEL-3": "finding: what removing a key that never existed left, and whether tombstones count "
             "in NumRecords and DataStorage",
    "LIST-1": "a listing of a dataset holding records, compared record by record",
    "LIST-2": "a listing of a dataset that does not exist (or that does), checked for "
              "DatasetExists, count and records",
    "LIST-3": "a lastSyncCount above an existing dataset's count, refused with 400 (past a "
              "32-bit int too, where a wrapped count would be valid)",
    "LIST-4": "a listing over two pages or more, or a made-up nextToken, or one carried to "
              "another dataset or identity, refused with 400",
    "LIST-5": "a whole listing holding records whose Count was compared",
    "LIST-6": "a listed record compared with the value, count and timestamps its write returned",
    "LIST-7": "finding: the page size the server uses",
    "TOK-1": "a successful listing checked for its SyncSessionToken",
    "TOK-2": "a write with a missing or made-up token refused with 400, then a read showing "
             "nothing changed",
    "TOK-3": "a write with another dataset's token refused with 400, then a read showing nothing "
             "changed",
    "TOK-4": "a write with a spent token refused with 400, then a read showing nothing changed",
    "TOK-5": "finding: whether a token survives a refused write or a delete",
    "DS-1": "DescribeDataset or ListDatasets showing an existing dataset, its members checked",
    "DS-2": "DescribeDataset or DeleteDataset of a dataset that does not exist, answered 404",
    "DS-3": "a dataset deleted, then listed as gone or written again",
    "DS-4": "a listing of a re-created dataset with a count from before its deletion",
    "DS-5": "NumRecords and DataStorage of a dataset holding records, compared with the writes",
    "LIM-1": "a write that would create one dataset past the limit, refused with "
             "LimitExceededException",
    "LIM-2": "a write that would take a dataset past the record limit, refused with "
             "LimitExceededException",
    "LIM-3": "a write that would take a dataset past the byte limit, refused with "
             "LimitExceededException (data spread over datasets, each within it, accepted)",
    "LIM-4": "finding: whether tombstones count against the limits",
    "ISO-1": "an answer about a dataset name another identity uses, showing none of its data; or "
             "another identity's token refused, then a read showing nothing changed",
    "ISO-2": "a bad signature, or another identity's credentials, refused with 403, then a read "
             "showing nothing changed",
    "DUR-1": "an acknowledged write, then a restart of the target, then a read of that dataset showing "
             "the write unchanged",
}


#: Conditional properties the kit cannot put to the test on any target yet, and why.
#: They are reported ``not-applicable`` with this reason. (None today.)
CANNOT_CHECK: dict[str, str] = {}

#: Conditional properties put to the test only on a run that can restart its target, and
#: the reason reported (``not-applicable``) on a run that cannot.
NEEDS_RESTARTS: dict[str, str] = {
    "DUR-1": "cogsync was given no way to restart the target (--restart-command CMD, or --restart for an "
             "in-process target), so durability across restarts is not checked",
}


def not_applicable_on(*, restarts: bool) -> dict[str, str]:
    """What a run reports ``not-applicable`` whatever it sees, and why (restarts: can it restart?)."""
    return {**CANNOT_CHECK, **({} if restarts else NEEDS_RESTARTS)}


def unchecked() -> list[str]:
    """Ids without a check (a test keeps this empty); see :data:`CANNOT_CHECK`."""
    return [p.id for p in PROPERTIES if p.id not in REGISTRY and p.id not in CANNOT_CHECK]

