"""Valid requests, and requests and values that break exactly one constraint."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.contracts import schemas
from cogsync.contracts.calls import OPERATIONS, Call
from cogsync.contracts.validation import CONSTRAINTS, MAY_CONSTRAINTS, InputViolation, input_violations
from cogsync.strategies import (
    TOKEN_PLACEHOLDER,
    Invalid,
    delete_dataset_requests,
    describe_dataset_requests,
    invalid_dataset_names,
    invalid_device_ids,
    invalid_identity_ids,
    invalid_identity_pool_ids,
    invalid_list_records_requests,
    invalid_ops,
    invalid_record_keys,
    invalid_record_values,
    invalid_requests,
    invalid_sync_counts,
    invalid_timestamps,
    invalid_update_records_requests,
    list_datasets_requests,
    list_records_requests,
    update_records_requests,
    with_session_token,
)
from cogsync.strategies._invalid_calls import TARGETS

POOL = "us-east-1:23ec4050-6aea-7089-a2dd-08002e000000"
IDENTITY = "us-east-1:13ec4050-6aea-7089-a2dd-08002e000001"
BUDGET = settings(max_examples=100, database=None, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow])
PATCH = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}


def schema_errors(call: Call) -> list:
    return schemas.errors(f"{call.operation}Request", call.params)


# -- valid requests ------------------------------------------------------------------------

@BUDGET
@given(st.one_of(update_records_requests(), list_records_requests(), describe_dataset_requests(),
                 delete_dataset_requests(), list_datasets_requests()))
def test_every_valid_request_passes_schema_and_validation(call):
    assert input_violations(call) == []
    assert schema_errors(call) == []
    assert "NextToken" not in call.params  # only a server issues those


def test_valid_requests_cover_optional_members_both_ways():
    seen: Counter = Counter()

    @BUDGET
    @given(update_records_requests(), list_records_requests())
    def run(update, listing):
        for member in ("DeviceId", "RecordPatches"):
            seen[(member, member in update.params)] += 1
        for member in ("LastSyncCount", "MaxResults"):
            seen[(member, member in listing.params)] += 1
        assert update.params["SyncSessionToken"] == TOKEN_PLACEHOLDER

    run()
    for member in ("DeviceId", "RecordPatches", "LastSyncCount", "MaxResults"):
        assert seen[(member, True)] and seen[(member, False)], member


def test_request_options_fix_members():
    call = find(update_records_requests(dataset_names=st.just("scores"), sync_session_token="t",
                                        pool_ids=st.just(POOL), identity_ids=st.just(IDENTITY)),
                lambda c: True, settings=settings(database=None, phases=[Phase.generate]))
    assert call.params["DatasetName"] == "scores"
    assert call.params["SyncSessionToken"] == "t"
    assert call.scope == (POOL, IDENTITY, "scores")


def test_with_session_token_fills_only_the_placeholder():
    call = Call("UpdateRecords", {"DatasetName": "a", "SyncSessionToken": TOKEN_PLACEHOLDER})
    assert with_session_token(call, "real").params["SyncSessionToken"] == "real"
    assert call.params["SyncSessionToken"] == TOKEN_PLACEHOLDER  # the original is untouched
    made_up = Call("UpdateRecords", {"DatasetName": "a", "SyncSessionToken": 7})
    assert with_session_token(made_up, "real") == made_up
    missing = Call("UpdateRecords", {"DatasetName": "a"})
    assert "SyncSessionToken" not in with_session_token(missing, "real").params


# -- invalid values ------------------------------------------------------------------------

def update_with(field: str, value) -> Call:
    params = {"IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": "scores",
              "SyncSessionToken": "t", "RecordPatches": [dict(PATCH)]}
    if field in params or field == "DeviceId":
        params[field] = value
    else:
        params["RecordPatches"][0][field] = value
    return Call("UpdateRecords", params)


def path_of(field: str) -> str:
    top = ("IdentityPoolId", "IdentityId", "DatasetName", "DeviceId")
    return field if field in top else f"RecordPatches[0].{field}"


VALUE_STRATEGIES = [
    ("IdentityPoolId", invalid_identity_pool_ids, {"min_length", "max_length", "pattern", "type"}),
    ("IdentityId", invalid_identity_ids, {"min_length", "max_length", "pattern", "type"}),
    ("DatasetName", invalid_dataset_names, {"min_length", "max_length", "pattern", "type"}),
    ("DeviceId", invalid_device_ids, {"min_length", "max_length", "type"}),
    ("Key", invalid_record_keys, {"min_length", "max_length", "type"}),
    ("Value", invalid_record_values, {"max_length", "type"}),
    ("SyncCount", invalid_sync_counts, {"negative", "range", "type"}),
    ("Op", invalid_ops, {"enum", "type"}),
    ("DeviceLastModifiedDate", invalid_timestamps, {"type"}),
]


VALUE_CASES = [(field, strategy, c) for field, strategy, tags in VALUE_STRATEGIES
               for c in sorted(tags)]


@pytest.mark.parametrize("field, strategy, constraint", VALUE_CASES,
                         ids=[f"{f}-{c}" for f, _, c in VALUE_CASES])
def test_invalid_values_break_exactly_their_tagged_constraint(field, strategy, constraint):
    examples = 3 if (field, constraint) == ("Value", "max_length") else 25  # megabytes: few

    @settings(max_examples=examples, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy(constraints=[constraint]))
    def run(bad):
        assert isinstance(bad, Invalid) and bad.constraint == constraint
        call = update_with(field, bad.value)
        assert input_violations(call) == [InputViolation(path_of(field), constraint)]
        if constraint != "negative":  # the schema cannot say "not below zero"
            assert schema_errors(call), bad

    run()


@pytest.mark.parametrize("field, strategy, tags", VALUE_STRATEGIES,
                         ids=[v[0] for v in VALUE_STRATEGIES])
def test_invalid_value_strategies_offer_exactly_these_constraints(field, strategy, tags):
    from cogsync.strategies._invalid_values import breakers

    kind = {"DeviceLastModifiedDate": "DeviceLastModifiedDate"}.get(field, field)
    assert set(breakers(kind)) == tags
    with pytest.raises(ValueError, match="constraints="):
        strategy(constraints=["no-such-constraint"])


@pytest.mark.parametrize("hostile", ["/", "%", " ", "?", "#", "\n", "\x00"])
def test_pattern_breaking_names_include_url_hostile_ones(hostile):
    # derandomized: a fixed search, so a character the strategy offers is found every run
    bad = find(invalid_dataset_names(constraints=["pattern"]), lambda b: hostile in b.value,
               settings=settings(database=None, max_examples=1000, phases=[Phase.generate],
                                 derandomize=True))
    assert C.DATASET_NAME.violations(bad.value) == ["pattern"]


def test_pattern_breaking_names_include_non_ascii_ones():
    bad = find(invalid_dataset_names(constraints=["pattern"]),
               lambda b: any(ord(c) > 0xFFFF for c in b.value),
               settings=settings(database=None, max_examples=1000, phases=[Phase.generate],
                                 derandomize=True))
    assert bad.constraint == "pattern"


def test_too_long_values_start_at_the_boundary():
    name = find(invalid_dataset_names(constraints=["max_length"]), lambda b: True,
                settings=settings(database=None, phases=[Phase.generate, Phase.shrink]))
    assert len(name.value) == C.DATASET_NAME.max_length + 1
    key = find(invalid_record_keys(constraints=["max_length"]),
               lambda b: len(b.value) == C.RECORD_KEY.max_length + 1,
               settings=settings(database=None, max_examples=1000, phases=[Phase.generate],
                                 derandomize=True))
    assert key.constraint == "max_length"


def test_invalid_dataset_name_minimal_example_is_readable():
    bad = find(invalid_dataset_names(), lambda b: True,
               settings=settings(database=None, phases=[Phase.generate, Phase.shrink]))
    assert bad == Invalid("", "min_length")


# -- invalid requests ----------------------------------------------------------------------

def check_invalid_call(drawn) -> None:
    call = with_session_token(drawn.call, "token-from-a-listing")
    assert input_violations(call) == [drawn.violation]
    if drawn.violation.constraint != "negative":
        assert schema_errors(call), drawn


@settings(max_examples=150, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(invalid_requests(wire_only=False, constraints=[c for c in CONSTRAINTS if c not in MAY_CONSTRAINTS]))
def test_every_invalid_request_has_exactly_its_violation(drawn):
    check_invalid_call(drawn)


ALL_CASES = [
    (op, target.field, constraint)
    for op in OPERATIONS
    for target in TARGETS[op]
    for constraint in target.constraints(wire_only=False)
]


@pytest.mark.parametrize("operation, field, constraint", ALL_CASES,
                         ids=[f"{o}-{f}-{c}" for o, f, c in ALL_CASES])
def test_every_field_and_constraint_of_every_operation_can_be_broken(operation, field,
                                                                     constraint):
    examples = 2 if field.endswith("Value") and constraint == "max_length" else 10

    @settings(max_examples=examples, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(invalid_requests(operations=[operation], fields=[field], constraints=[constraint],
                            wire_only=False))
    def run(drawn):
        assert drawn.call.operation == operation
        assert drawn.violation.constraint == constraint
        assert drawn.violation.field.replace("[0]", "[]").startswith(field.split("[]")[0])
        check_invalid_call(drawn)

    run()


def test_the_catalogue_of_breakable_members_is_complete():
    cases = {(o, f, c) for o, f, c in ALL_CASES}
    assert ("UpdateRecords", "RecordPatches[].SyncCount", "negative") in cases
    assert ("UpdateRecords", "SyncSessionToken", "required") in cases
    assert ("UpdateRecords", "RecordPatches[].Op", "enum") in cases
    assert ("ListRecords", "DatasetName", "pattern") in cases
    # every constraint whose breach is an error (upper-case hex is VAL-4's MAY: not invalid)
    assert {c for _, _, c in cases} == set(CONSTRAINTS) - MAY_CONSTRAINTS


@BUDGET
@given(invalid_list_records_requests())
def test_wire_only_list_violations_are_visible_on_the_wire(drawn):
    check_invalid_call(drawn)
    violation = drawn.violation
    assert violation.constraint in ("min_length", "max_length", "pattern", "type", "range")
    if violation.constraint == "type":  # only integers in the query string, as letters
        assert violation.field in ("LastSyncCount", "MaxResults")
        assert drawn.call.params[violation.field].isalpha()
    if violation.constraint == "range":  # digits the service cannot read as its Integer or Long
        assert violation.field in ("LastSyncCount", "MaxResults")


@BUDGET
@given(invalid_requests())
def test_wire_only_never_breaks_types_or_presence_of_path_labels(drawn):
    check_invalid_call(drawn)
    labels = ("IdentityPoolId", "IdentityId", "DatasetName")
    if drawn.violation.field in labels:
        assert drawn.violation.constraint in ("min_length", "max_length", "pattern")
        assert isinstance(drawn.call.params[drawn.violation.field], str)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_invalid_requests_cover_every_operation(operation):
    drawn = find(invalid_requests(), lambda d: d.call.operation == operation,
                 settings=settings(database=None, max_examples=1000, phases=[Phase.generate],
                                   derandomize=True))
    check_invalid_call(drawn)


def test_field_and_constraint_options_narrow_the_draws():
    @BUDGET
    @given(invalid_update_records_requests(fields=["RecordPatches[].SyncCount"],
                                           constraints=["negative"]))
    def run(drawn):
        assert drawn.violation.constraint == "negative"
        assert drawn.violation.field.endswith("].SyncCount")
        check_invalid_call(drawn)

    run()
