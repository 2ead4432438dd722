"""The registry of checks, keyed by property id.

Every MUST and SHOULD property of the contract has exactly one entry here, saying how
the engine puts it to the test:

- ``model``: decided call by call by :class:`cogsync.contracts.model.Model` (the one
  oracle); the engine feeds it each call and answer.
- ``pages``: decided over a whole paginated listing (``Model.judge_pages``).
- ``wire``: decided from the HTTP exchange itself (status, headers, raw body); the
  functions are below.
- ``concurrency``: decided by the linearizability checker over a concurrent history.
- ``auth``: decided by sending requests with bad or foreign credentials.

MAY properties are never failed; the model reports what it saw as findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cogsync.contracts.calls import ERROR_STATUS, Err, Unknown
from cogsync.contracts.properties import PROPERTIES, Level

KINDS = ("model", "pages", "wire", "concurrency", "auth")


class Exchange(Protocol):
    """What the wire checks read of a target's response (cogsync.targets.base.Response)."""

    outcome: Any
    status: int | None
    headers: Any
    raw_body: bytes | None


@dataclass(frozen=True)
class WireProblem:
    property_id: str
    title: str
    expected: str
    received: str


WireCheck = Callable[[Exchange], list[WireProblem]]


@dataclass(frozen=True)
class Check:
    property_id: str
    kind: str
    how: str
    function: WireCheck | None = None


REGISTRY: dict[str, Check] = {}


def register(property_id: str, kind: str, how: str, function: WireCheck | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if property_id in REGISTRY:
        raise ValueError(f"{property_id} is registered twice")
    REGISTRY[property_id] = Check(property_id, kind, how, function)


def wire_check(property_id: str, how: str) -> Callable[[WireCheck], WireCheck]:
    def decorate(function: WireCheck) -> WireCheck:
        register(property_id, "wire", how, function)
        return function

    return decorate


def _error_type_header(headers: Any) -> str | None:
    if not headers:
        return None
    value = headers.get("x-amzn-errortype") or headers.get("X-Amzn-ErrorType")
    return value.split(":", 1)[0] if isinstance(value, str) else None


@wire_check("WIRE-2", "error answers: status matches the type, x-amzn-ErrorType, JSON message")
def error_shape(exchange: Exchange) -> list[WireProblem]:
    outcome = exchange.outcome
    status = exchange.status
    if status is None or status < 400 or status >= 500:
        return []
    problems = []
    header_type = _error_type_header(exchange.headers)
    if header_type is None:
        problems.append(WireProblem("WIRE-2", "error answer without x-amzn-ErrorType",
                                    "a header x-amzn-ErrorType: <Type>", f"status {status}, no such header"))
    elif header_type in ERROR_STATUS and ERROR_STATUS[header_type] != status:
        problems.append(WireProblem("WIRE-2", f"{header_type} answered with the wrong status",
                                    f"status {ERROR_STATUS[header_type]}", f"status {status}"))
    body: Any = None
    try:
        body = json.loads(exchange.raw_body or b"")
    except (ValueError, UnicodeDecodeError):
        pass
    if not isinstance(body, dict) or not isinstance(body.get("message", body.get("Message")), str):
        shown = (exchange.raw_body or b"")[:200]
        problems.append(WireProblem("WIRE-2", "error body is not JSON with a string message",
                                    '{"message": "..."}', repr(shown)))
    if isinstance(outcome, Err) and isinstance(body, dict) and isinstance(body.get("__type"), str):
        body_type = body["__type"].rsplit("#", 1)[-1]
        if header_type and body_type != header_type:
            problems.append(WireProblem("WIRE-2", "x-amzn-ErrorType and __type disagree",
                                        header_type, body_type))
    return problems


@wire_check("WIRE-4", "no 5xx for any request, however malformed")
def no_server_errors(exchange: Exchange) -> list[WireProblem]:
    status = exchange.status
    if status is not None and status >= 500:
        kind = _error_type_header(exchange.headers) or "no error type"
        reason = exchange.outcome.reason if isinstance(exchange.outcome, Unknown) else ""
        return [WireProblem("WIRE-4", "server error (5xx) for a request a client can send",
                            "a 2xx, or a 4xx for malformed input", f"status {status} ({kind}) {reason}".strip())]
    return []


_MODEL = "judged call by call by the sequential model"
for _pid in (
    "WIRE-1", "WIRE-3", "WIRE-5", "VAL-1", "VAL-2", "VAL-3", "SYNC-1", "SYNC-2", "SYNC-3", "SYNC-4",
    "SYNC-5", "SYNC-7", "CONF-1", "CONF-2", "CONF-3", "CONF-4", "CONF-5", "DEL-1", "DEL-2", "LIST-1",
    "LIST-2", "LIST-3", "LIST-6", "TOK-1", "TOK-2", "TOK-3", "TOK-4", "DS-1", "DS-2", "DS-3", "DS-4",
    "DS-5", "LIM-1", "LIM-2", "LIM-3", "ISO-1",
):
    register(_pid, "model", _MODEL)
register("LIST-4", "pages", "a whole paginated listing judged by the model")
register("LIST-5", "pages", "Count over a whole paginated listing judged by the model")
register("CONF-6", "concurrency", "concurrent histories checked for linearizability against the model")
register("ISO-2", "auth", "requests with a bad signature or another identity's credentials")


def wire_checks() -> list[Check]:
    return [c for c in REGISTRY.values() if c.kind == "wire"]


def run_wire_checks(exchange: Exchange) -> list[WireProblem]:
    problems: list[WireProblem] = []
    for check in wire_checks():
        assert check.function is not None
        problems += check.function(exchange)
    return problems


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
             "one request, a replace without a Value, or upper-case hex in an id",
    "SYNC-1": "an accepted write that changed a record",
    "SYNC-2": "a written record's count compared with N+1, in the write's answer or a later listing",
    "SYNC-3": "a listing of a dataset whose sync count was seen before",
    "SYNC-4": "an accepted write whose answer was compared, key by key, with its patches",
    "SYNC-5": "a replace of a key that does not exist, presenting 0, accepted",
    "SYNC-6": "finding: what a write with no patches did to the dataset's count",
    "SYNC-7": "a written record's LastModifiedDate held to the call's time window, or its "
              "DeviceLastModifiedDate compared with the one sent",
    "CONF-1": "a stale replace sent to a key whose count has moved, refused with 409",
    "CONF-2": "a replace presenting 0 for a key that exists, refused with 409",
    "CONF-3": "a stale remove, refused with 409",
    "CONF-4": "a refused batch that also held an acceptable patch, then a read showing that patch "
              "did not land",
    "CONF-5": "a 409 whose message was compared with the observed form",
    "CONF-6": "a race of several clients' overlapping writes, every outcome known, decided "
              "linearizable",
    "CONF-7": "finding: what the server did with a SyncCount above the key's",
    "DEL-1": "a tombstone listed (without a Value) after a remove",
    "DEL-2": "a replace presenting a tombstone's count, accepted",
    "DEL-3": "finding: what removing a key that never existed left, and whether tombstones count "
             "in NumRecords and DataStorage",
    "LIST-1": "a listing of a dataset holding records, compared record by record",
    "LIST-2": "a listing of a dataset that does not exist (or that does), checked for "
              "DatasetExists, count and records",
    "LIST-3": "a lastSyncCount above an existing dataset's count, refused with 400",
    "LIST-4": "a listing over two pages or more, or a made-up nextToken refused with 400",
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
             "LimitExceededException",
    "LIM-4": "finding: whether tombstones count against the limits",
    "ISO-1": "an answer about a dataset name another identity uses, showing none of its data; or "
             "another identity's token refused, then a read showing nothing changed",
    "ISO-2": "a bad signature, or another identity's credentials, refused with 403, then a read "
             "showing nothing changed",
    "DUR-1": "an acknowledged write read back, unchanged, after a restart of the target",
}


#: Conditional properties the kit cannot put to the test on any target yet, and why.
#: They are reported ``not-applicable`` with this reason.
CANNOT_CHECK: dict[str, str] = {
    "DUR-1": "cogsync has no way to restart the target, so durability across restarts is not checked",
}


def unchecked() -> list[str]:
    """MUST/SHOULD ids without a check (a test keeps this empty); see :data:`CANNOT_CHECK`."""
    return [p.id for p in PROPERTIES
            if p.level is not Level.MAY and p.id not in REGISTRY and p.id not in CANNOT_CHECK]
