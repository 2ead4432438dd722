"""Random multi-device programs, judged call by call, shrunk on failure.

The programs come from :func:`cogsync.strategies.call_sequences`: several identities,
datasets and devices, each device syncing like the AWS SDKs (its own last sync
count and token), so stale writes, lost updates, deletes, resurrections, pagination
and limit pressure arise by design. Every example gets fresh identities (emulators)
or fresh run-prefixed dataset names (real AWS) so examples never see each other.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session
from cogsync.strategies import Identity, Scenario, call_sequences
from cogsync.targets.base import Target


def isolate(scenario: Scenario, scope: Scope) -> Scenario:
    """The same program on identities (or dataset names) no other example used."""
    if not scope.real:
        # Fresh pools and ids, keeping which identities share a pool (or an id).
        pools = {i.pool_id: scope.identity().pool_id for i in scenario.identities}
        ids = {i.identity_id: scope.identity().identity_id for i in scenario.identities}
        fresh = tuple(Identity(pools[i.pool_id], ids[i.identity_id]) for i in scenario.identities)
        return dataclasses.replace(scenario, identities=fresh)
    names = {name: scope.dataset(name) for name in scenario.datasets}
    # ListDatasets would show the identity's other datasets, which the model cannot know.
    steps = tuple(
        dataclasses.replace(step, dataset=names.get(step.dataset, step.dataset)) if step.dataset else step
        for step in scenario.steps
        if step.action != "list_datasets"
    )
    only = (scope.identity(),)
    devices = tuple(dataclasses.replace(spec, identity=0) for spec in scenario.devices)
    return Scenario(only, devices, tuple(names.values()), steps)


def program_strategy(scope: Scope, *, max_steps: int, limits: Any) -> Any:
    return call_sequences(
        identities=1 if scope.real else 2,
        devices=3,
        datasets=2,
        keys=4,
        max_steps=max_steps,
        limits=limits,
        # Filling 1 MB or 1024 records on real AWS is slow and costs requests; the
        # directed limit probes do it once instead.
        limit_pressure=not scope.real,
    )


def run_program(scenario: Scenario, target: Target, session: Session, scope: Scope) -> None:
    """Every step of ``scenario`` on fresh devices, each exchange judged by ``session``."""
    scenario = isolate(scenario, scope)
    for identity in scenario.identities:
        for name in scenario.datasets:
            scope.remember(identity, name)
    devices = scenario.new_devices()
    for step in scenario.steps:
        device = devices[step.device]
        device.start(step)
        while (call := device.next_call()) is not None:
            response = target.send(call)
            session.observe(response, client=step.device)
            device.absorb(response.outcome)
