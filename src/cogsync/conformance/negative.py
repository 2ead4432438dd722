"""Negative fuzzing: one broken member in an otherwise valid request.

Each example sets up a dataset with one record, sends a request drawn from
:func:`cogsync.strategies.invalid_requests` aimed at that dataset (with a real token,
so only the drawn violation is wrong), then lists the dataset again. The model
expects 400 InvalidParameterException (VAL-1; VAL-3 for a negative count), no 5xx
(WIRE-4) and no change (CONF-4).
"""

from __future__ import annotations

import dataclasses

from cogsync.conformance.probes import Driver, replace
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session
from cogsync.contracts.calls import Call
from cogsync.strategies import InvalidCall, invalid_requests, with_session_token

_SCOPE_FIELDS = ("IdentityPoolId", "IdentityId", "DatasetName")


def negative_strategy():  # type: ignore[no-untyped-def]
    return invalid_requests(wire_only=True)


def aim(invalid: InvalidCall, driver: Driver, dataset: str) -> Call:
    """The drawn request, pointed at our identity and dataset except where it is broken."""
    broken = invalid.violation.field
    params = dict(invalid.call.params)
    ours = {**driver.ids(), "DatasetName": dataset}
    for member in _SCOPE_FIELDS:
        if member != broken and member in params:
            params[member] = ours[member]
    return dataclasses.replace(invalid.call, params=params)


def run_negative(invalid: InvalidCall, session: Session, scope: Scope) -> None:
    """Write a record, send ``invalid`` aimed at it, then list: the session's model judges each answer."""
    driver = Driver(session, scope)
    dataset = scope.dataset("negative")
    driver.put(dataset, [replace("k", "v", 0)])
    call = aim(invalid, driver, dataset)
    if call.operation == "UpdateRecords":
        token = driver.token(dataset)
        call = with_session_token(call, token or "")
    session.send(call)
    driver.list_records(dataset)
