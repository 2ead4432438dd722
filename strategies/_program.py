"""The vocabulary of call sequences: who acts (identities, devices), and the steps.

A sequence cannot be a list of concrete calls: SyncSessionTokens and sync counts
come from the server's answers. So it is a *program* of abstract steps ("device 2
writes these edits to dataset 'a'"), and a :class:`~._device.Device` turns each step
into calls from what it has seen. Every type here is a frozen dataclass whose repr is
the shortest constructor call that builds it again (defaults left out), and a
:class:`Scenario` prints as a program over several lines, the way Hypothesis prints a
failing stateful test: paste it after ``from cogsync.strategies import *`` and it is
the same scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.errors import UsageError
from cogsync.strategies._device import Device, run_scenario
from cogsync.strategies._steps import ACTIONS, Bulk, Edit, Identity, Step, _constructor

__all__ = ["ACTIONS", "Bulk", "DeviceSpec", "Edit", "Identity", "Scenario", "Step", "check_dataset_names"]


@dataclass(frozen=True)
class DeviceSpec:
    """A simulated phone: which identity it signs in as, and its DeviceId."""

    identity: int
    device_id: str | None = None

    def __repr__(self) -> str:
        positional = (self.identity,) if self.device_id is None else (self.identity, self.device_id)
        return _constructor("DeviceSpec", positional, {})


@dataclass(frozen=True)
class Scenario:
    """A program: identities, the devices acting for them, the datasets, the steps."""

    identities: tuple[Identity, ...]
    devices: tuple[DeviceSpec, ...]
    datasets: tuple[str, ...]
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        for spec in self.devices:
            if not 0 <= spec.identity < len(self.identities):
                raise UsageError.bad_argument(
                    "devices", self.devices,
                    f"devices whose identity is an index into the {len(self.identities)} "
                    "identities",
                )
        for step in self.steps:
            if step.device >= len(self.devices):
                raise UsageError.bad_argument(
                    "steps", step, f"steps of devices 0..{len(self.devices) - 1}"
                )

    def new_devices(self, **options: Any) -> list[Any]:
        """Fresh :class:`Device` objects, one per device spec (``options`` go to each)."""
        return [
            Device(self.identities[spec.identity], spec.device_id, **options)
            for spec in self.devices
        ]

    def run(self, server: Any, **options: Any) -> list[Any]:
        """Run the steps in order on fresh devices against ``server``; returns the
        transcript (an :class:`Exchange` per call, for ``cogsync.Judge``).

        ``server`` is a cogsync target (``.send(call)`` returning a response), a boto3
        ``cognito-sync`` client, or a function ``send(call) -> Ok | Err | Unknown``;
        anything else raises ``WrongTypeError`` (a ``TypeError``) saying what to pass.
        ``options`` go to each :class:`Device` (``on_conflict``, ``max_retries``).
        """
        return run_scenario(self, server, **options)

    def __repr__(self) -> str:
        """A constructor call over several lines that evaluates to an equal Scenario."""

        def block(name: str, items: tuple[Any, ...]) -> list[str]:
            if not items:
                return [f"    {name}=(),"]
            return [f"    {name}=(", *(f"        {item!r}," for item in items), "    ),"]

        lines = ["Scenario("]
        lines += block("identities", self.identities)
        lines += block("devices", self.devices)
        lines.append(f"    datasets={self.datasets!r},")
        lines += block("steps", self.steps)
        lines.append(")")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints a falsifying Scenario with this (its own printer would show
        every field of every step, defaults included)."""
        for index, line in enumerate(repr(self).splitlines()):
            if index:
                printer.break_()
            printer.text(line)

    def __str__(self) -> str:
        lines = [f"identity {i}: {ident.pool_id} / {ident.identity_id}"
                 for i, ident in enumerate(self.identities)]
        lines += [f"device {d}: identity {spec.identity}, DeviceId {spec.device_id!r}"
                  for d, spec in enumerate(self.devices)]
        lines += [f"{n:3d}. {step.describe()}" for n, step in enumerate(self.steps, 1)]
        return "\n".join(lines)


def check_dataset_names(name: str, names: Any) -> tuple[str, ...]:
    """A non-empty sequence of distinct valid dataset names."""
    allowed = "a number of datasets (1 or more) or a non-empty sequence of distinct valid names"
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise UsageError.bad_argument(name, names, allowed)
    if len(set(names)) != len(names) or any(C.DATASET_NAME.violations(n) for n in names):
        raise UsageError.bad_argument(name, names, allowed)
    return tuple(names)
