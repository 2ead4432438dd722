"""One classification rule for every adapter: HTTP status, headers and body -> Outcome."""

from __future__ import annotations

import pytest

from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.targets.base import MALFORMED_ANSWER, UNNAMED_4XX, answered, classify, is_malformed

#: The header as the real service writes it: the type, then its Coral namespace.
CORAL_CONFLICT = (
    "ResourceConflictException:http://internal.amazon.com/coral/com.amazonaws.cognito.sync.model/"
)


def test_2xx_is_ok_with_the_body_as_sent_when_it_holds_no_null() -> None:
    body = b'{"Records": [{"Key": "k", "SyncCount": 1, "LastModifiedDate": 1.70057487582E9}]}'
    outcome = classify(200, {}, body)
    assert outcome == Ok(
        {"Records": [{"Key": "k", "SyncCount": 1, "LastModifiedDate": 1700574875.82}]}, 200
    )


def test_2xx_members_whose_value_is_null_are_absent_as_botocore_reads_them() -> None:
    body = (
        b'{"Records": [{"Key": "k", "SyncCount": 2, "Value": null, "LastModifiedBy": null,'
        b' "Nested": {"Deep": null, "Kept": 0}}, {"Key": "j", "Value": "v"}],'
        b' "NextToken": null, "LastModifiedBy": null, "Count": 0, "DatasetExists": false,'
        b' "Empty": "", "Items": [null, 1]}'
    )
    outcome = classify(200, {}, body)
    assert outcome == Ok(
        {
            "Records": [
                {"Key": "k", "SyncCount": 2, "Nested": {"Kept": 0}},
                {"Key": "j", "Value": "v"},
            ],
            "Count": 0,
            "DatasetExists": False,
            "Empty": "",
            "Items": [None, 1],
        },
        200,
    )


def test_reading_nulls_as_absent_leaves_the_raw_body_untouched() -> None:
    raw = b'{"SyncSessionToken": "t", "NextToken": null}'
    response = answered(Call("ListRecords", {}), 200, {}, raw, started_at=0.0)
    assert response.raw_body == raw
    assert response.outcome == Ok({"SyncSessionToken": "t"}, 200)


def test_a_null_error_member_reads_as_no_message() -> None:
    outcome = classify(409, {"x-amzn-errortype": "ResourceConflictException"},
                       b'{"message": null}')
    assert outcome == Err("ResourceConflictException", 409, "")


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
            {"x-amzn-errortype": CORAL_CONFLICT},
            b'{"message": "Current SyncCount for: k is: 1 not: 0"}',
            "ResourceConflictException",
        ),
        (
            {"x-amzn-errortype": CORAL_CONFLICT},
            b'{"__type": "ResourceConflictException", "message": "m"}',
            "ResourceConflictException",
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
