"""The check registry covers every MUST and SHOULD property, and the wire checks bite."""

from __future__ import annotations

from cogsync.conformance import checks
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.targets.base import Response

CALL = Call("ListRecords", {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "d"})


def test_every_must_and_should_property_has_exactly_one_check():
    assert checks.unchecked() == []
    must_and_should = {p.id for p in PROPERTIES if p.level is not Level.MAY}
    assert set(checks.REGISTRY) == must_and_should - set(checks.CANNOT_CHECK)


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
