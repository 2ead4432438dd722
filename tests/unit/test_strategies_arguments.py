"""Bad arguments fail at once, with a UsageError that names the argument and shows the
value. Nothing is drawn: the error comes from the call that builds the strategy."""

from __future__ import annotations

import pytest
from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from cogsync import strategies as cs
from cogsync.errors import UsageError

IDENTITY = cs.Identity("us-east-1:00000000-0000-0000-0000-000000000001",
                       "us-east-1:00000000-0000-0000-0000-000000000002")

CASES = [
    (cs.dataset_names, {"max_size": 129}, "max_size", "129"),
    (cs.dataset_names, {"min_size": 0}, "min_size", "0"),
    (cs.dataset_names, {"min_size": 5, "max_size": 2}, "max_size", "2"),
    (cs.dataset_names, {"max_size": "10"}, "max_size", "'10'"),
    (cs.record_keys, {"max_size": 1025}, "max_size", "1025"),
    (cs.record_values, {"max_size": 1048576}, "max_size", "1048576"),
    (cs.record_values, {"size_budget": -1}, "size_budget", "-1"),
    (cs.record_values, {"min_size": 10, "size_budget": 5}, "size_budget", "5"),
    (cs.device_ids, {"min_size": 0}, "min_size", "0"),
    (cs.sync_counts, {"min_value": -1}, "min_value", "-1"),
    (cs.sync_counts, {"min_value": 5, "max_value": 4}, "max_value", "4"),
    (cs.sync_counts, {"max_value": True}, "max_value", "True"),
    (cs.identity_ids, {"regions": ["us east 1"]}, "regions", "us east 1"),
    (cs.identity_pool_ids, {"regions": "us-east-1"}, "regions", "'us-east-1'"),
    (cs.identity_pool_ids, {"regions": ["x" * 30]}, "regions", "xxxx"),
    (cs.record_patches, {"ops": ["upsert"]}, "ops", "upsert"),
    (cs.record_patches, {"keys": ["k"]}, "keys", "['k']"),
    (cs.record_patches, {"dates": "sometimes"}, "dates", "'sometimes'"),
    (cs.patch_lists, {"min_size": 3, "max_size": 2}, "max_size", "2"),
    (cs.patch_lists, {"size_budget": 1.5}, "size_budget", "1.5"),
    (cs.update_records_requests, {"pool_ids": "us-east-1:0"}, "pool_ids", "us-east-1:0"),
    (cs.update_records_requests, {"sync_session_token": None}, "sync_session_token", "None"),
    (cs.list_records_requests, {"max_results": 5}, "max_results", "5"),
    (cs.invalid_dataset_names, {"constraints": ["enum"]}, "constraints", "enum"),
    (cs.invalid_sync_counts, {"constraints": "negative"}, "constraints", "'negative'"),
    (cs.invalid_requests, {"operations": ["PutRecord"]}, "operations", "PutRecord"),
    (cs.invalid_requests, {"fields": ["Nope"]}, "fields", "Nope"),
    (cs.invalid_requests, {"wire_only": "yes"}, "wire_only", "'yes'"),
    (cs.invalid_list_records_requests, {"constraints": ["negative"]}, "constraints",
     "negative"),
    (cs.call_sequences, {"devices": 0}, "devices", "0"),
    (cs.call_sequences, {"identities": [("pool", "id")]}, "identities", "pool"),
    (cs.call_sequences, {"datasets": ["a/b"]}, "datasets", "a/b"),
    (cs.call_sequences, {"datasets": ["a", "a"]}, "datasets", "'a', 'a'"),
    (cs.call_sequences, {"keys": [""]}, "keys", "['']"),
    (cs.call_sequences, {"min_steps": 5, "max_steps": 3}, "max_steps", "3"),
    (cs.call_sequences, {"limits": {"max_records_per_dataset": 3}}, "limits", "max_records"),
    (cs.call_sequences, {"limit_pressure": 1}, "limit_pressure", "1"),
    (cs.steps, {"devices": 2, "datasets": [], "keys": ["k"]}, "datasets", "[]"),
    (cs.steps, {"devices": 2, "datasets": ["a"], "keys": "k"}, "keys", "'k'"),
    (cs.limit_pressure_steps, {"devices": 1, "limits": 20}, "limits", "20"),
]


@pytest.mark.parametrize("function, kwargs, argument, shown", CASES,
                         ids=[f"{f.__name__}-{a}" for f, _, a, _ in CASES])
def test_bad_arguments_raise_usage_error_naming_the_argument(function, kwargs, argument, shown):
    with pytest.raises(UsageError) as caught:
        function(**kwargs)
    message = str(caught.value)
    assert message.startswith(f"{argument}=")
    assert shown in message
    assert " must be " in message  # says what is allowed


def test_usage_errors_are_value_errors():
    with pytest.raises(ValueError):
        cs.dataset_names(max_size=0)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        cs.dataset_names(1, 5)  # type: ignore[misc]


@pytest.mark.parametrize(
    "build, argument",
    [
        (lambda: cs.Step(0, "fly", "a"), "action"),
        (lambda: cs.Step(-1, "write", "a"), "device"),
        (lambda: cs.Step(0, "write"), "dataset"),
        (lambda: cs.Step(0, "list", "a", (cs.Edit("k", "v"),)), "edits"),
        (lambda: cs.Step(0, "list", "a", max_results=0), "max_results"),
        (lambda: cs.Edit(5), "key"),
        (lambda: cs.Edit("k", 5), "value"),
        (lambda: cs.Bulk(0, 10), "count"),
        (lambda: cs.Bulk(2, 3), "total_bytes"),
        (lambda: cs.Device("us-east-1:0"), "identity"),
        (lambda: cs.Device(IDENTITY, on_conflict="merge"), "on_conflict"),
        (lambda: cs.Device(IDENTITY, max_retries=-1), "max_retries"),
        (lambda: cs.Scenario((IDENTITY,), (cs.DeviceSpec(1),), ("a",), ()), "devices"),
        (lambda: cs.Scenario((IDENTITY,), (cs.DeviceSpec(0),), ("a",),
                             (cs.Step(3, "list", "a"),)), "steps"),
        (lambda: cs.with_session_token(cs.Step, 5), "token"),
    ],
)
def test_program_types_check_their_fields(build, argument):
    with pytest.raises(UsageError, match=f"^{argument}="):
        build()


def test_device_refuses_a_second_step_and_an_unasked_outcome():
    device = cs.Device(IDENTITY)
    with pytest.raises(UsageError, match="^outcome="):
        device.absorb(None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="^step="):
        device.start("list")  # type: ignore[arg-type]


def test_strategy_options_accept_strategies():
    quick = settings(database=None, phases=[Phase.generate])
    call = find(cs.update_records_requests(dataset_names=st.just("a"), patch_lists=st.just([]),
                                           device_ids=st.none()), lambda _: True, settings=quick)
    assert call.params["DatasetName"] == "a" and call.params["RecordPatches"] == []
    assert "DeviceId" not in call.params
    scenario = find(cs.call_sequences(identities=[IDENTITY], datasets=["a"], keys=["k"]),
                    lambda s: True, settings=quick)
    assert scenario.identities == (IDENTITY,) and scenario.datasets == ("a",)
