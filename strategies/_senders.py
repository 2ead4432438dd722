"""What ``scenario.run(server)`` and ``device.run(step, server)`` accept, as one send function.

A wrong server must fail loudly: a test that sends nothing, or sends and ignores what
came back, passes without testing anything. So ``server`` is told apart by duck typing
(this layer imports no target code) and anything else raises
:class:`~cogsync.errors.WrongTypeError` (a ``TypeError``) naming the fix:

- a target: anything with ``.send(call)`` returning a response with an ``.outcome``
  (every :mod:`cogsync.targets` adapter), or the outcome itself;
- a boto3 ``cognito-sync`` client: its methods are called with the call's parameters;
  an error answer (``ClientError``) becomes :class:`Err`, a 429 or 5xx answer and a
  connection that failed or timed out become :class:`Unknown`. The answer is what
  boto3 parsed (timestamps turned back into epoch seconds), so what boto3 hides
  (headers, members it does not know) is not judged;
- a function ``send(call) -> Ok | Err | Unknown``.

Each answer comes back with the wall-clock window of its call, for the judge (SYNC-7).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, Call, Err, Ok, Outcome, Unknown
from cogsync.errors import WrongTypeError

#: What a send function hands back: the outcome and when the call started and ended.
Answer = tuple[Outcome, float, float]

_KINDS = (
    "a cogsync target (anything with .send(call) returning a response with an .outcome), "
    "a boto3 'cognito-sync' client, or a function send(call) returning an Ok, Err or Unknown"
)


def as_sender(server: Any, *, argument: str = "server") -> Callable[[Call], Answer]:
    """``server`` as a function ``call -> (outcome, started_at, ended_at)``; see the module docstring."""
    service = _boto3_service(server)
    if service is not None:
        if service != "cognito-sync":
            raise WrongTypeError(
                f"{argument}={server!r} is a boto3 client of {service!r}: {argument} must be a "
                "client of 'cognito-sync', such as boto3.client('cognito-sync', region_name='us-east-1')."
            )
        return _boto3_sender(server)
    send = getattr(server, "send", None)
    if callable(send):
        return _timed(send, f"{argument}.send", unwrap=True)
    if callable(server):
        return _timed(server, argument, unwrap=False)
    raise WrongTypeError(f"{argument}={server!r} is not allowed: {argument} must be {_KINDS}.")


def _boto3_service(server: Any) -> str | None:
    model = getattr(getattr(server, "meta", None), "service_model", None)
    name = getattr(model, "service_name", None)
    return name if isinstance(name, str) else None


def _timed(function: Callable[[Call], Any], name: str, *, unwrap: bool) -> Callable[[Call], Answer]:
    def send(call: Call) -> Answer:
        started = time.time()
        answer = function(call)
        ended = time.time()
        if isinstance(answer, (Ok, Err, Unknown)):
            return answer, started, ended
        outcome = getattr(answer, "outcome", None) if unwrap else None
        if isinstance(outcome, (Ok, Err, Unknown)):
            return outcome, _stamp(answer, "started_at", started), _stamp(answer, "ended_at", ended)
        raise WrongTypeError(_not_an_outcome(name, answer))

    return send


def _not_an_outcome(name: str, answer: Any) -> str:
    shown = repr(answer)
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    fix = "return an Ok, Err or Unknown (cogsync.contracts.calls)"
    if isinstance(getattr(answer, "outcome", None), (Ok, Err, Unknown)):
        fix = ("pass the target itself, scenario.run(target), or return the response's outcome: "
               "scenario.run(lambda call: target.send(call).outcome)")
    return f"{name}(call) returned {shown}, not an outcome (Ok, Err or Unknown): {fix}."


def _stamp(response: Any, name: str, measured: float) -> float:
    value = getattr(response, name, None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return measured


def _boto3_sender(client: Any) -> Callable[[Call], Answer]:
    from botocore.exceptions import ClientError, HTTPClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as NoConnection

    def send(call: Call) -> Answer:
        method = getattr(client, METHOD_NAMES[call.operation])
        started = time.time()
        try:
            answer = method(**call.params)
        except ClientError as exc:
            return _client_error(exc.response), started, time.time()
        except (NoConnection, HTTPClientError) as exc:
            timed_out = isinstance(exc, ReadTimeoutError) or "timeout" in type(exc).__name__.lower()
            kind = "timeout" if timed_out else "connection error"
            return Unknown(f"{kind}: {type(exc).__name__}: {exc}"), started, time.time()
        ended = time.time()
        metadata = answer.get("ResponseMetadata") or {}
        body = {k: _wire(v) for k, v in answer.items() if k != "ResponseMetadata"}
        return Ok(body, int(metadata.get("HTTPStatusCode", 200))), started, ended

    return send


def _client_error(response: dict[str, Any]) -> Outcome:
    error = response.get("Error") or {}
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 400)
    error_type, message = str(error.get("Code") or ""), str(error.get("Message") or "")
    if status == 429 or status >= 500:
        kind = "throttled" if status == 429 else "server error"
        return Unknown(f"{kind}: HTTP {status} {error_type}: {message}".rstrip(": "), status)
    return Err(error_type, status, message)


def _wire(value: Any) -> Any:
    """boto3's parsed answer back in wire form: datetimes as epoch seconds."""
    if isinstance(value, datetime.datetime):
        seconds = value.timestamp()
        return int(seconds) if seconds == int(seconds) else seconds
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(item) for item in value]
    return value
