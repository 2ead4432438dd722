"""WIRE-2, WIRE-3 and WIRE-4 are decided in one place, which the model and the wire checks both ask.

The model judges an outcome, the wire checks the HTTP exchange; both call the
functions of ``cogsync.contracts._model_wire``. A breach both see in one answer is
one failure of the session, not two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from cogsync.conformance import wirefuzz
from cogsync.conformance.session import Session
from cogsync.conformance.wire_checks import error_shape, no_server_errors
from cogsync.contracts import _model_wire
from cogsync.contracts.calls import AUTH_ERROR_TYPES, ERROR_STATUS, OPERATIONS, Call, Err
from cogsync.contracts.model import Model
from cogsync.targets.base import Response, classify
from cogsync.targets.in_process import InProcessTarget

SCOPE = {"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-000000000001",
         "IdentityId": "us-east-1:00000000-0000-4000-8000-000000000002"}
DESCRIBE = Call("DescribeDataset", {**SCOPE, "DatasetName": "missing"})
MALFORMED = Call("DescribeDataset", {**SCOPE, "DatasetName": "no/slashes"})


def answering(status: str, error_type: str, body: dict[str, Any]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app that answers every request the same way."""
    data = json.dumps(body).encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type),
                                ("Content-Length", str(len(data)))])
        return [data]

    return app


def session_failures(app: Callable[..., Iterable[bytes]], call: Call) -> list[tuple[str, str]]:
    session = Session(InProcessTarget(app), Model())
    session.send(call)
    return [(f.property_id, f.title) for f in session.failures]


def test_wire_2_the_model_and_the_wire_check_give_the_same_breach_and_the_session_reports_it_once():
    exchange = Response(DESCRIBE, Err("ResourceNotFoundException", 400, "gone"), 400,
                        {"x-amzn-errortype": "ResourceNotFoundException"}, b'{"message": "gone"}')
    from_exchange = error_shape(exchange)
    judged = Model().judge(Model().initial(), DESCRIBE, exchange.outcome)
    assert [v for v in judged.violations if v.property_id == "WIRE-2"] == from_exchange
    assert from_exchange == _model_wire.error_shape(400, "ResourceNotFoundException", "gone")
    failures = session_failures(answering("400 Bad Request", "ResourceNotFoundException",
                                          {"message": "gone"}), DESCRIBE)
    assert failures == [("WIRE-2", "ResourceNotFoundException answered with the wrong status")]


def test_wire_4_a_5xx_to_malformed_input_is_one_breach_decided_once():
    status, headers, body = 500, {"x-amzn-errortype": "InternalErrorException"}, b'{"message": "boom"}'
    exchange = Response(MALFORMED, classify(status, headers, body), status, headers, body)
    judged = Model().judge(Model().initial(), MALFORMED, exchange.outcome)
    assert [v for v in judged.violations if v.property_id == "WIRE-4"] == no_server_errors(exchange)
    failures = session_failures(answering("500 Internal Server Error", "InternalErrorException",
                                          {"message": "boom"}), MALFORMED)
    assert failures == [("WIRE-4", "server error (5xx) for a request a client can send")]


def test_wire_3_the_fuzzer_and_the_model_ask_the_same_list():
    exchange = Response(DESCRIBE, Err("ValidationException", 400, "nope"), 400,
                        {"x-amzn-errortype": "ValidationException"}, b'{"message": "nope"}')
    judged = Model().judge(Model().initial(), DESCRIBE, exchange.outcome)
    from_model = [v for v in judged.violations if v.property_id == "WIRE-3"]
    from_fuzzer = [v for v in wirefuzz.judge("DescribeDataset", exchange) if v.property_id == "WIRE-3"]
    assert from_model == from_fuzzer == [_model_wire.unlisted_error("DescribeDataset", "ValidationException")]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_one_auth_list_is_every_403_type_and_every_operation_may_answer_it(operation):
    assert AUTH_ERROR_TYPES == {t for t, status in ERROR_STATUS.items() if status == 403}
    assert AUTH_ERROR_TYPES <= _model_wire.allowed_errors(operation)
    assert _model_wire.model_errors(operation) <= _model_wire.allowed_errors(operation)


def test_the_model_keeps_no_list_of_its_own():
    from cogsync.contracts import _model_types

    assert not hasattr(_model_types, "AUTH_ERRORS")
    assert not hasattr(wirefuzz, "operation_errors")
