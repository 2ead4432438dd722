"""The wire checks: WIRE-2 and WIRE-4 read off the HTTP answer itself.

The model judges an outcome; the raw HTTP answer holds more (the x-amzn-ErrorType header,
the body's bytes and ``__type``), and some answers never reach the model (a
throttled answer the backoff retried, the schemathesis fuzzer's raw requests).
These functions only read that answer: what counts as a breach is decided once,
in :mod:`cogsync.contracts._model_wire`, for the model and for them alike.

They live apart from the check registry (:mod:`cogsync.conformance.checks`) because
the session runs them on every answer, and the registry refers to the probes that
run sessions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from cogsync.contracts._model_wire import error_shape as decide_error_shape
from cogsync.contracts._model_wire import server_error
from cogsync.contracts.calls import Err, Outcome
from cogsync.contracts.failures import Failure


class WireAnswer(Protocol):
    """What the wire checks read of a target's answer (a cogsync.targets.base.Response)."""

    outcome: Outcome
    status: int | None
    headers: Any
    raw_body: bytes | None


WireCheck = Callable[[WireAnswer], list[Failure]]


def _error_type_header(headers: Any) -> str | None:
    if not headers:
        return None
    value = headers.get("x-amzn-errortype") or headers.get("X-Amzn-ErrorType")
    return value.split(":", 1)[0] if isinstance(value, str) else None


def error_shape(answer: WireAnswer) -> list[Failure]:
    """WIRE-2 on a 4xx: its header, its status for that type, its JSON message, its ``__type``."""
    status = answer.status
    if status is None or status < 400 or status >= 500:
        return []
    body: Any = None
    try:
        body = json.loads(answer.raw_body or b"")
    except (ValueError, UnicodeDecodeError):
        pass
    message = body.get("message", body.get("Message")) if isinstance(body, dict) else None
    body_type = None
    if isinstance(answer.outcome, Err) and isinstance(body, dict) and isinstance(body.get("__type"), str):
        body_type = body["__type"].rsplit("#", 1)[-1]
    return decide_error_shape(status, _error_type_header(answer.headers), message, body_type=body_type,
                              shown=repr((answer.raw_body or b"")[:200]))


def no_server_errors(answer: WireAnswer) -> list[Failure]:
    """WIRE-4 on any answer: a 5xx, whatever was sent."""
    crashed = server_error(answer.outcome, answer.status)
    return [crashed] if crashed is not None else []


#: Every wire check, in the order they run on an answer.
WIRE_CHECKS: tuple[WireCheck, ...] = (error_shape, no_server_errors)


def run_wire_checks(answer: WireAnswer) -> list[Failure]:
    if answer.status is not None and answer.status < 400:
        return []  # both checks judge 4xx and 5xx answers only
    problems: list[Failure] = []
    for check in WIRE_CHECKS:
        problems += check(answer)
    return problems
