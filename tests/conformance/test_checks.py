"""The check registry covers every MUST and SHOULD property, and the wire checks bite."""

from __future__ import annotations

from cogsync.conformance import checks
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.targets.base import Response, classify

CALL = Call("ListRecords", {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "d"})


def test_every_property_has_exactly_one_check_naming_the_function_that_decides_it():
    assert checks.unchecked() == []
    assert set(checks.REGISTRY) == {p.id for p in PROPERTIES} - set(checks.CANNOT_CHECK)
    for pid, check in checks.REGISTRY.items():
        assert check.kind in checks.KINDS and check.how, pid
        assert callable(check.decider) and check.decider.__doc__, f"{pid}: its decider must say why"
        assert (check.function is not None) == (check.kind == "wire"), pid


def test_only_may_properties_are_findings():
    for prop in PROPERTIES:
        if prop.id in checks.REGISTRY:
            assert (checks.REGISTRY[prop.id].kind == "finding") == (prop.level is Level.MAY), prop.id


def test_only_conditional_properties_may_go_unchecked_and_each_says_why():
    for pid, reason in checks.CANNOT_CHECK.items():
        prop = next(p for p in PROPERTIES if p.id == pid)
        assert prop.conditional, f"{pid} is not conditional: it must have a check"
        assert reason and pid not in checks.REGISTRY


def _error(status: int, headers: dict[str, str], body: bytes) -> Response:
    return Response(CALL, Err("InvalidParameterException", status, "m"), status, headers, body)


def test_a_well_formed_error_passes_the_wire_checks():
    good = _error(400, {"x-amzn-errortype": "InvalidParameterException:http://x"}, b'{"message": "bad"}')
    assert checks.run_wire_checks(good) == []


def test_an_error_without_its_type_header_or_message_breaks_wire_2():
    bare = _error(400, {}, b"oops")
    assert [p.property_id for p in checks.run_wire_checks(bare)] == ["WIRE-2", "WIRE-2"]


def test_an_error_type_with_the_wrong_status_breaks_wire_2():
    wrong = _error(400, {"x-amzn-errortype": "ResourceConflictException"}, b'{"message": "late"}')
    problems = checks.run_wire_checks(wrong)
    assert [p.property_id for p in problems] == ["WIRE-2"] and "409" in problems[0].expected


def test_a_5xx_breaks_wire_4_and_a_2xx_does_not():
    crash = Response(CALL, Unknown("server error: 500", 500), 500, {}, b"Traceback")
    assert [p.property_id for p in checks.run_wire_checks(crash)] == ["WIRE-4"]
    fine = Response(CALL, Ok({"Records": []}), 200, {}, b'{"Records": []}')
    assert checks.run_wire_checks(fine) == []


def test_every_property_names_its_witness():
    assert set(checks.WITNESSES) == {p.id for p in PROPERTIES}
    for prop in PROPERTIES:
        text = checks.WITNESSES[prop.id]
        assert len(text) > 20
        assert text.startswith("finding:") == (prop.level is Level.MAY), prop.id


CORAL = ":http://internal.amazon.com/coral/com.amazonaws.cognito.sync.model/"


def _coral_conflict(status: int, body: bytes) -> Response:
    headers = {"x-amzn-errortype": "ResourceConflictException" + CORAL}
    return Response(CALL, classify(status, headers, body), status, headers, body)


def test_an_error_type_with_the_coral_namespace_reads_as_the_bare_type():
    body = b'{"message": "Current SyncCount for: k is: 1 not: 0", "__type": "ResourceConflictException"}'
    conflict = _coral_conflict(409, body)
    assert conflict.outcome == Err("ResourceConflictException", 409, "Current SyncCount for: k is: 1 not: 0")
    assert checks.run_wire_checks(conflict) == []


def test_the_bare_type_of_a_coral_header_is_what_wire_2_holds_to_its_status():
    problems = checks.run_wire_checks(_coral_conflict(400, b'{"message": "m"}'))
    assert [(p.property_id, p.title, p.expected) for p in problems] == [
        ("WIRE-2", "ResourceConflictException answered with the wrong status", "status 409")
    ]


def test_a_coral_header_agrees_with_a_bare_body_type_and_not_with_another():
    disagreeing = _coral_conflict(409, b'{"message": "m", "__type": "LimitExceededException"}')
    problems = checks.run_wire_checks(disagreeing)
    assert [(p.title, p.expected, p.received) for p in problems] == [
        ("x-amzn-ErrorType and __type disagree", "ResourceConflictException", "LimitExceededException")
    ]
