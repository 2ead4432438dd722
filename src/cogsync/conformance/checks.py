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


#: Conditional properties the kit cannot put to the test on any target yet, and why.
#: They are reported ``not-applicable`` with this reason.
CANNOT_CHECK: dict[str, str] = {
    "DUR-1": "cogsync has no way to restart the target, so durability across restarts is not checked",
}


def unchecked() -> list[str]:
    """MUST/SHOULD ids without a check (a test keeps this empty); see :data:`CANNOT_CHECK`."""
    return [p.id for p in PROPERTIES
            if p.level is not Level.MAY and p.id not in REGISTRY and p.id not in CANNOT_CHECK]
