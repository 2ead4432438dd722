"""Hypothesis strategies for Amazon Cognito Sync's records API.

Valid values (every draw passes the JSON Schemas and
:func:`cogsync.contracts.validation.input_violations`)::

    >>> from cogsync import strategies as cs
    >>> cs.dataset_names().example()                     # doctest: +SKIP
    'k.Z:9_-'
    >>> cs.update_records_requests().example()           # doctest: +SKIP
    Call('UpdateRecords', {'IdentityPoolId': 'us-east-1:…', 'IdentityId': 'eu-west-1:…',
         'DatasetName': 'a', 'RecordPatches': [{'Op': 'replace', 'Key': 'k', 'Value': '😀',
         'SyncCount': 0}], 'SyncSessionToken': '<cogsync:sync-session-token>'})

Update requests carry :data:`TOKEN_PLACEHOLDER`; only a server issues tokens, so
swap in a real one with ``with_session_token(call, token)`` before sending.

Invalid values break exactly one constraint and say which, in the vocabulary of
:mod:`cogsync.contracts.validation`::

    >>> cs.invalid_dataset_names().example()              # doctest: +SKIP
    Invalid(value='ab/c', constraint='pattern')
    >>> bad = cs.invalid_update_records_requests().example()  # doctest: +SKIP
    >>> input_violations(bad.call) == [bad.violation]     # always
    True

Call sequences are programs of abstract steps, because tokens and sync counts come
from the server's answers. A :class:`Device` (one per simulated phone) turns each
step into calls from what it has observed, the way the AWS sync clients do, and
``cogsync.Judge`` holds every answer to the contract (``ContractViolation`` names
the property)::

    from hypothesis import given, settings
    from cogsync import Judge
    from cogsync import strategies as cs
    from cogsync.targets import InProcessTarget

    @settings(deadline=None)
    @given(cs.call_sequences(identities=2, devices=3, datasets=2, max_steps=20))
    def test_server_keeps_the_contract(scenario):
        server = InProcessTarget.emulator()     # yours: HttpTarget("http://127.0.0.1:4566")
        judge = Judge()                         # believes the server starts empty
        for exchange in scenario.run(server):   # ListRecords, then UpdateRecords with the
            judge(exchange)                     # token and counts the device saw, ...

``scenario.run(server)`` takes a cogsync target, a boto3 ``cognito-sync`` client or a
function ``send(call) -> Ok | Err | Unknown``; anything else is a ``TypeError`` saying
what to pass. Drive the devices yourself with ``scenario.new_devices()`` and
``device.start(step)`` / ``device.next_call()`` / ``device.absorb(outcome)``. In a
RuleBasedStateMachine, draw single steps with :func:`steps` and call
``device.run(step, server)`` in a rule. A failing Scenario prints as code to paste.
"""

from __future__ import annotations

from cogsync.strategies._device import (
    CONFLICT_POLICIES,
    DatasetView,
    Device,
    Exchange,
    RecordView,
    run_scenario,
)
from cogsync.strategies._fields import (
    DEFAULT_SIZE_BUDGET,
    dataset_names,
    device_ids,
    record_keys,
    record_values,
    sync_counts,
    timestamps,
)
from cogsync.strategies._ids import REGIONS, identity_ids, identity_pool_ids
from cogsync.strategies._invalid_calls import (
    InvalidCall,
    invalid_list_records_requests,
    invalid_requests,
    invalid_update_records_requests,
)
from cogsync.strategies._invalid_values import (
    Invalid,
    invalid_dataset_names,
    invalid_device_ids,
    invalid_identity_ids,
    invalid_identity_pool_ids,
    invalid_ops,
    invalid_record_keys,
    invalid_record_values,
    invalid_sync_counts,
    invalid_timestamps,
)
from cogsync.strategies._neighbours import neighbour_dataset_names, neighbour_keys
from cogsync.strategies._patches import patch_lists, record_patches
from cogsync.strategies._program import ACTIONS, Bulk, DeviceSpec, Edit, Identity, Scenario, Step
from cogsync.strategies._requests import (
    TOKEN_PLACEHOLDER,
    delete_dataset_requests,
    describe_dataset_requests,
    list_datasets_requests,
    list_records_requests,
    update_records_requests,
    with_session_token,
)
from cogsync.strategies._scenarios import call_sequences, limit_pressure_steps, steps

__all__ = [
    # valid values
    "identity_pool_ids",
    "identity_ids",
    "dataset_names",
    "record_keys",
    "record_values",
    "device_ids",
    "sync_counts",
    "timestamps",
    "record_patches",
    "patch_lists",
    "neighbour_keys",
    "neighbour_dataset_names",
    # valid requests
    "update_records_requests",
    "list_records_requests",
    "describe_dataset_requests",
    "delete_dataset_requests",
    "list_datasets_requests",
    "with_session_token",
    "TOKEN_PLACEHOLDER",
    # invalid values and requests
    "Invalid",
    "InvalidCall",
    "invalid_identity_pool_ids",
    "invalid_identity_ids",
    "invalid_dataset_names",
    "invalid_device_ids",
    "invalid_record_keys",
    "invalid_record_values",
    "invalid_sync_counts",
    "invalid_ops",
    "invalid_timestamps",
    "invalid_requests",
    "invalid_update_records_requests",
    "invalid_list_records_requests",
    # call sequences and devices
    "call_sequences",
    "steps",
    "limit_pressure_steps",
    "Scenario",
    "Step",
    "Edit",
    "Bulk",
    "Identity",
    "DeviceSpec",
    "ACTIONS",
    "Device",
    "DatasetView",
    "RecordView",
    "Exchange",
    "CONFLICT_POLICIES",
    "run_scenario",
    # constants
    "REGIONS",
    "DEFAULT_SIZE_BUDGET",
]
