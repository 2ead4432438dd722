"""One :class:`Entry` per property id, joining what the layers below know of it.

Nothing here decides anything: the check and its decider come from
:mod:`cogsync.conformance.checks`, the rows from the model's attribution table,
the witness from ``checks.WITNESSES``, the probes from ``probes.PROBES`` and the
engine's directed phases, the mutants from the mutant catalog, the sequence from
:mod:`cogsync.registry.showcases`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cogsync.conformance import auth, boundaries, checks, concurrency, negative, wirefuzz
from cogsync.conformance.engine import DIRECTED_PHASES
from cogsync.conformance.probes import PROBES, Probe
from cogsync.contracts.model import Model
from cogsync.contracts.properties import PROPERTIES, Level, Property
from cogsync.errors import UsageError
from cogsync.mutants.catalog import CATALOG, Mutant
from cogsync.registry import attribution, showcases
from cogsync.registry.showcase import Showcase

#: What the engine calls to put a property of each kind to the test (wire checks: their own function).
RUNNERS: dict[str, Callable[..., Any]] = {
    "model": Model.judge,
    "pages": Model.judge_pages,
    "concurrency": concurrency.judge_history,
    "auth": auth.probe_signatures,
    "finding": Model.judge,
}

#: The function each directed phase of the engine runs.
PHASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "boundaries": boundaries.steps,
    "negative": negative.run_negative,
    "concurrency": concurrency.race,
    "auth": auth.probe_signatures,
    "wire-fuzz": wirefuzz.fuzz_case,
}


def dotted(function: Callable[..., Any]) -> str:
    """Where to find ``function``: its module and qualified name."""
    return f"{function.__module__}.{function.__qualname__}"


@dataclass(frozen=True)
class Phase:
    """A phase of the engine aimed at the property, and the function it runs."""

    name: str
    function: Callable[..., Any]


@dataclass(frozen=True)
class Entry:
    """Everything about one property, one hop from its id.

    ``check`` is None for an id the kit cannot check yet; ``cannot_check`` says why.
    ``runner`` is what the engine calls to put it to the test; ``check.decider`` is
    where the verdict is made, and ``rows`` are the model's attribution rows for it.
    """

    property: Property
    check: checks.Check | None
    runner: Callable[..., Any] | None
    rows: tuple[str, ...]
    witness: str
    probes: tuple[Probe, ...]
    phases: tuple[Phase, ...]
    mutants: tuple[Mutant, ...]
    showcase: Showcase
    cannot_check: str = ""

    @property
    def id(self) -> str:
        return self.property.id

    @property
    def level(self) -> Level:
        return self.property.level

    @property
    def decider(self) -> Callable[..., Any] | None:
        return self.check.decider if self.check else None


def _entry(prop: Property) -> Entry:
    check = checks.REGISTRY.get(prop.id)
    runner = None
    if check is not None:
        runner = check.function if check.kind == "wire" else RUNNERS[check.kind]
    phases = tuple(Phase(name, PHASE_FUNCTIONS[name]) for name, ids in DIRECTED_PHASES.items()
                   if prop.id in ids)
    return Entry(
        property=prop,
        check=check,
        runner=runner,
        rows=attribution.rows_for(prop.id),
        witness=checks.WITNESSES[prop.id],
        probes=tuple(p for p in PROBES if prop.id in p.targets),
        phases=phases,
        mutants=tuple(m for m in CATALOG if prop.id in m.breaks),
        showcase=showcases.BY_ID[prop.id],
        cannot_check=checks.CANNOT_CHECK.get(prop.id, ""),
    )


#: Every property, in the contract's order.
ENTRIES: tuple[Entry, ...] = tuple(_entry(p) for p in PROPERTIES)
BY_ID: dict[str, Entry] = {e.id: e for e in ENTRIES}


def entry(property_id: str) -> Entry:
    """The entry for ``property_id`` (any case); a one-line UsageError naming close ids."""
    wanted = str(property_id).strip().upper()
    if wanted in BY_ID:
        return BY_ID[wanted]
    close = difflib.get_close_matches(wanted, list(BY_ID), n=3, cutoff=0.5)
    if not close:
        close = [pid for pid in BY_ID if pid.split("-")[0] == wanted.split("-")[0]][:3]
    hint = f": did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"no property {property_id!r} in the contract{hint} (`cogsync explain --list` lists them all)")


def gaps(e: Entry) -> list[str]:
    """What a MUST or SHOULD entry lacks of the registry's promise (empty: nothing).

    Every such id names its check and decider, the model's rows for it, a witness,
    the probes or phases aimed at it, the mutants that break it, and a sequence (or a
    command) that shows it; an id the kit cannot check yet says why instead.
    """
    if e.level is Level.MAY:
        return []
    if e.cannot_check:
        return [] if e.property.conditional else ["only a conditional property may go unchecked"]
    missing = []
    if e.check is None or e.runner is None or not callable(e.check.decider):
        missing.append("a check and the function deciding it")
    if not e.rows:
        missing.append("rows of the model's attribution table")
    if not e.witness:
        missing.append("a witness")
    if not e.probes and not e.phases:
        missing.append("a probe or a phase aimed at it")
    if not e.mutants:
        missing.append("a mutant that breaks it")
    if not e.showcase.code and not e.showcase.see:
        missing.append("a sequence or a command that shows it")
    if e.showcase.code and e.showcase.mutant not in {m.name for m in e.mutants}:
        missing.append("its sequence's mutant among the ones that break it")
    return missing
