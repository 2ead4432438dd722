"""A second wire fuzzer: schemathesis over ``contracts/openapi.json``, signed, via our targets.

schemathesis generates requests from the OpenAPI document, valid ones and ones
that break the schema (wrong types, missing members, odd strings in the path and
the query). Each is sent through the target's ``send_raw`` (so it is SigV4-signed
like any call, in-process or over HTTP) and its answer is held to the wire
properties alone: no 5xx (WIRE-4), errors shaped as AWS shapes them (WIRE-2), and
only error types the operation lists (WIRE-3). Statefulness is the model's job
elsewhere; these requests land on random identities.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from hypothesis import strategies as st

from cogsync.conformance.session import PropertyFailed, Tally
from cogsync.conformance.wire_checks import run_wire_checks
from cogsync.contracts._model_wire import unlisted_error
from cogsync.contracts.calls import Err
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.schemas import load_openapi
from cogsync.targets.base import Response, Target

_BASE = "http://cogsync.invalid"


def strategy() -> st.SearchStrategy[tuple[str, Any]]:
    """(operationId, schemathesis Case), valid and invalid, over all five operations."""
    import schemathesis
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_dict(load_openapi())
    parts: list[st.SearchStrategy[tuple[str, Any]]] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # our own document always loads
        name = operation.definition.raw["operationId"]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            parts.append(st.tuples(st.just(name), operation.as_strategy(generation_mode=mode)))
    return st.one_of(parts)


def send_case(target: Target, case: Any) -> Response:
    kwargs = case.as_transport_kwargs(base_url=_BASE)
    path = urlsplit(kwargs["url"]).path
    headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items()
               if k.lower() not in ("user-agent", "accept-encoding", "connection", "x-schemathesis-testcaseid")}
    body = b""
    if "json" in kwargs:
        body = json.dumps(kwargs["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode()
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (kwargs.get("params") or {}).items()}
    return target.send_raw(kwargs["method"], path, query=query or None, headers=headers, body=body)


def judge(operation: str, response: Response) -> list[Failure]:
    """The wire checks, and WIRE-3 as the model decides it (no model judges these answers)."""
    problems = run_wire_checks(response)
    outcome = response.outcome
    unlisted = unlisted_error(operation, outcome.error_type) if isinstance(outcome, Err) else None
    return problems + ([unlisted] if unlisted else [])


def fuzz_case(target: Target, item: tuple[str, Any], tally: Tally, selected: frozenset[str], *,
              serving: bool = True) -> None:
    """Send one case and judge the answer's wire shape. ``serving``: the target was seen to
    accept a valid write; only then do its answers count as witnesses (a server refusing
    everything shows nothing of how it treats malformed requests)."""
    operation, case = item
    response = send_case(target, case)
    status = response.status if serving else None
    witnessed = set()
    if status is not None and status < 500:
        witnessed.add("WIRE-4")  # whatever schemathesis sent, it got no 5xx
    if status is not None and 400 <= status < 500:
        witnessed.add("WIRE-2")  # the error's status, header and body were checked
        if isinstance(response.outcome, Err):
            witnessed.add("WIRE-3")
    for pid in witnessed & selected:
        tally.witnessed(pid)
    for problem in judge(operation, response):
        if problem.property_id in selected:
            step = SentCall(response.call, response.outcome)
            raise PropertyFailed.for_failure(problem.after((step,)))


__all__ = ["fuzz_case", "judge", "send_case", "strategy"]
