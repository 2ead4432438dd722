"""The engine catches every mutant of the catalog, and passes the correct emulator.

Each mutant is run in-process and over real HTTP (cheroot on 127.0.0.1, a free
port), with the quick budget, a fixed seed and the properties narrowed to the
mutant's ``breaks``. The run must report ``fail`` for each of them: with the
catalog's coverage of every MUST and SHOULD id (tests/mutants/test_catalog.py), each
property's check is proven by a server that breaks it.

Cost: a failure the random programs find is shrunk by Hypothesis, about 8 s each on
this machine, while the directed probes find most bugs in milliseconds. So each
mutant first gets a run with one program example (``max_examples=1``: the same
probes and the first, simplest program of the quick run, so whatever it catches
the quick run catches too); only when that misses does it get the quick budget's
examples. Known gaps of the engine are strict xfails naming the gap (reported to
the lead); when the engine learns to catch one, its XPASS fails here on purpose.

Mutants that only a restart shows (``Mutant.restarts``) keep their data in a SQLite
file of the test and run in-process with in-process restarts on (the app rebuilt from
its factory over that file); tests/emulator/test_restart_command.py restarts a real
``cogsync serve`` process over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cogsync.conformance.auth import RUN_KEY
from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import run
from cogsync.conformance.results import RunResult, Status
from cogsync.emulator.server import EmulatorServer
from cogsync.mutants import CATALOG, Mutant, reference_with_signatures
from cogsync.targets import HttpTarget, InProcessTarget

SEED = 20240601
TRANSPORTS = ("in-process", "http")

#: Mutants the engine does not catch yet: the gap, as reported to the lead.
KNOWN_GAPS: dict[str, str] = {
    # mutant name -> the engine gap that lets it through (a strict xfail until fixed).
    # Empty: every gap found while building the catalog has been closed in the engine.
}


@contextmanager
def reaching(app: Any, transport: str, *, signed: bool) -> Iterator[Any]:
    """A target for ``app``: in this process, or served on 127.0.0.1 and stopped after."""
    credentials = RUN_KEY if signed else None
    if transport == "in-process":
        target: Any = InProcessTarget(app, credentials=credentials, knows_bound_key=signed)
        yield target
        return
    server = EmulatorServer(app, "127.0.0.1", 0)
    server.start()
    try:
        target = HttpTarget(server.url, credentials=credentials or ("cogsync", "unsigned-app"),
                            knows_bound_key=signed)
        yield target
    finally:
        server.stop()


def failed_ids(result: RunResult) -> set[str]:
    return {pid for pid, entry in result.results.items() if entry.status is Status.FAIL}


def hunt(mutant: Mutant, target: Any) -> RunResult:
    """The quick budget on the mutant's ids; a one-example pass first (see the module doc)."""
    narrowed = tuple(sorted(mutant.breaks))
    options = {"budget": "quick", "seed": SEED, "properties": narrowed, "restart_in_process": mutant.restarts,
               "faults": mutant.faults}
    cheap = run(target, RunConfig(**options, max_examples=1))
    if failed_ids(cheap) >= mutant.breaks:
        return cheap
    return run(target, RunConfig(**options))


def restartable(mutant: Mutant, path: Path) -> InProcessTarget:
    """The mutant in-process over the SQLite file ``path``; a restart rebuilds it over that file."""
    return InProcessTarget(mutant.build(path), rebuild=lambda: (mutant.build(path), None))


def _cases() -> list[Any]:
    cases = []
    for mutant in CATALOG:
        marks = []
        if mutant.name in KNOWN_GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[mutant.name]))
        for transport in TRANSPORTS[:1] if mutant.restarts else TRANSPORTS:
            cases.append(pytest.param(mutant, transport, marks=marks,
                                      id=f"{mutant.name}-{transport}"))
    return cases


@pytest.mark.parametrize(("mutant", "transport"), _cases())
def test_the_engine_fails_the_mutant_on_a_property_it_breaks(mutant: Mutant, transport: str, tmp_path: Path):
    if mutant.restarts:
        result = hunt(mutant, restartable(mutant, tmp_path / "mutant.db"))
    else:
        with reaching(mutant.build(), transport, signed=mutant.signed) as target:
            result = hunt(mutant, target)
    caught = failed_ids(result) & mutant.breaks
    assert caught == mutant.breaks, (
        f"{mutant.name} ({mutant.description}) was not caught on every id it breaks: expected "
        f"fail in {sorted(mutant.breaks)}, got fail in {sorted(caught)} ({result.counts()})"
    )
    for pid in caught:
        assert result.results[pid].failures, f"{pid} failed without a reported failure"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_correct_emulator_passes_every_property(transport: str):
    """Every property selected at once: any narrowed run of a mutant checks a subset of this."""
    with reaching(reference_with_signatures(), transport, signed=True) as target:
        result = run(target, RunConfig(budget="quick", seed=SEED))
    assert result.exit_code == 0, [(f.property_id, f.title, f.received) for f in result.failures()]
    assert result.results["ISO-2"].status is Status.PASS  # signatures were checked, not skipped


@pytest.mark.slow
def test_the_correct_emulator_on_sqlite_passes_every_property_with_restarts(tmp_path: Path):
    """The restart mutants' reference: every property, DUR-1 put to the test by restarts."""
    target = InProcessTarget.emulator(storage=f"sqlite:{tmp_path / 'reference.db'}")
    result = run(target, RunConfig(budget="quick", seed=SEED, max_examples=2, restart_in_process=True))
    assert result.exit_code == 0, [(f.property_id, f.title, f.received) for f in result.failures()]
    assert result.results["DUR-1"].status is Status.PASS and result.results["DUR-1"].witnesses > 0


@pytest.mark.slow
@pytest.mark.parametrize("mutant", [m for m in CATALOG if m.restarts], ids=lambda m: m.name)
def test_a_restart_mutant_passes_every_property_while_nothing_restarts_it(mutant: Mutant, tmp_path: Path):
    """Only a restart shows these bugs: without restarts the run is clean (DUR-1 not applicable)."""
    result = run(InProcessTarget(mutant.build(tmp_path / "mutant.db")),
                 RunConfig(budget="quick", seed=SEED, max_examples=1))
    assert result.exit_code == 0, [(f.property_id, f.title, f.received) for f in result.failures()]
    assert result.results["DUR-1"].status is Status.NOT_APPLICABLE
FAULT_ONLY = [m for m in CATALOG if m.faults]


@pytest.mark.parametrize("faults", sorted({m.faults for m in FAULT_ONLY}))
def test_the_correct_emulator_passes_under_the_faults_that_show_the_fault_only_mutants(faults: str):
    """No fault is the server's failure: what the fault-only mutants are hunted with, the
    reference passes (in-process: the faults are the same at every transport)."""
    ids = tuple(sorted({pid for m in FAULT_ONLY if m.faults == faults for pid in m.breaks}))
    with reaching(reference_with_signatures(), "in-process", signed=True) as target:
        result = run(target, RunConfig(budget="quick", seed=SEED, properties=ids, faults=faults, max_examples=5))
    assert result.exit_code == 0, [(f.property_id, f.title, f.received) for f in result.failures()]
    assert result.faults is not None and result.faults.injected


def test_the_fault_only_mutants_pass_without_faults():
    """They are fault-only: the same hunt without faults finds nothing."""
    for mutant in FAULT_ONLY:
        with reaching(mutant.build(), "in-process", signed=False) as target:
            result = run(target, RunConfig(budget="quick", seed=SEED, properties=tuple(sorted(mutant.breaks)),
                                           max_examples=3))
        assert failed_ids(result) == set(), mutant.name


RACE = next(m for m in CATALOG if m.concurrency_only)


def test_the_race_passes_every_sequential_check():
    """In-process: the sequential phases over HTTP add nothing the race could show."""
    with reaching(RACE.build(), "in-process", signed=False) as target:
        result = run(target, RunConfig(budget="quick", seed=SEED, skip=("CONF-6",)))
    assert result.exit_code == 0, [(f.property_id, f.title, f.received) for f in result.failures()]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_race_fails_conf_6_when_it_is_selected(transport: str):
    with reaching(RACE.build(), transport, signed=False) as target:
        result = run(target, RunConfig(budget="quick", seed=SEED, properties=("CONF-6",)))
    assert result.results["CONF-6"].status is Status.FAIL
    (failure,) = result.results["CONF-6"].failures
    writes = [s for s in failure.steps if s.call.operation == "UpdateRecords"]
    assert len({s.client for s in writes}) >= 2  # a history of racing clients, not one client
