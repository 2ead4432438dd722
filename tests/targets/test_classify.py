"""One classification rule for every adapter: HTTP status, headers and body -> Outcome."""

from __future__ import annotations

import pytest

from cogsync.contracts.calls import Err, Ok, Unknown
from cogsync.targets.base import MALFORMED_ANSWER, UNNAMED_4XX, classify, is_malformed


def test_2xx_is_ok_with_the_body_exactly_as_sent() -> None:
    body = b'{"Records": [{"Key": "k", "SyncCount": 1, "LastModifiedDate": 1.7e9, "Value": null}]}'
    outcome = classify(200, {}, body)
    assert outcome == Ok(
        {"Records": [{"Key": "k", "SyncCount": 1, "LastModifiedDate": 1.7e9, "Value": None}]}, 200
    )


@pytest.mark.parametrize(
    "headers, body, expected_type",
    [
        (
            {"x-amzn-errortype": "ResourceConflictException"},
            b'{"message": "m"}',
            "ResourceConflictException",
        ),
        (
            {"x-amzn-errortype": "InvalidParameterException:http://internal.amazon.com/"},
            b"{}",
            "InvalidParameterException",
        ),
        (
            {},
            b'{"__type": "com.amazonaws.cognito.sync#ResourceNotFoundException"}',
            "ResourceNotFoundException",
        ),
        ({}, b'{"__type": "LimitExceededException", "Message": "m"}', "LimitExceededException"),
        (
            {"x-amzn-errortype": "NotAuthorizedException"},
            b'{"__type": "Other"}',
            "NotAuthorizedException",
        ),
        ({}, b"<html>bad request</html>", UNNAMED_4XX),
        ({}, b"", UNNAMED_4XX),
    ],
)
def test_4xx_is_err_with_the_type_from_header_then_body(
    headers: dict[str, str], body: bytes, expected_type: str
) -> None:
    outcome = classify(409, headers, body)
    assert isinstance(outcome, Err)
    assert (outcome.error_type, outcome.status) == (expected_type, 409)


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"message": "lower"}', "lower"),
        (b'{"Message": "upper"}', "upper"),
        (b'{"message": 5}', "5"),
        (b"{}", ""),
        (b"not json", ""),
    ],
)
def test_4xx_message_comes_from_message_or_Message(body: bytes, message: str) -> None:
    outcome = classify(400, {"x-amzn-errortype": "InvalidParameterException"}, body)
    assert isinstance(outcome, Err) and outcome.message == message


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_429_and_5xx_are_unknown_with_their_status(status: int) -> None:
    outcome = classify(
        status, {"x-amzn-errortype": "TooManyRequestsException"}, b'{"message": "x"}'
    )
    assert isinstance(outcome, Unknown)
    assert outcome.status == status
    assert str(status) in outcome.reason and "TooManyRequestsException" in outcome.reason


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b"42", b'{"a": NaN}', b"\xff\xfe", b'{"a": 1'],
)
def test_a_2xx_that_is_not_a_json_object_is_a_malformed_unknown(body: bytes) -> None:
    outcome = classify(200, {}, body)
    assert isinstance(outcome, Unknown)
    assert outcome.status == 200
    assert outcome.reason.startswith(MALFORMED_ANSWER)
    assert is_malformed(outcome)


def test_is_malformed_is_false_for_other_outcomes() -> None:
    assert not is_malformed(classify(500, {}, b""))
    assert not is_malformed(classify(200, {}, b"{}"))
    assert not is_malformed(classify(400, {}, b"{}"))


def test_other_statuses_are_unknown() -> None:
    outcome = classify(302, {"location": "/elsewhere"}, b"")
    assert isinstance(outcome, Unknown) and outcome.status == 302
