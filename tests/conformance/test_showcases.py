"""The sequence that shows each property shows it: the model judges it on both servers.

On the reference emulator the model finds nothing wrong and the property is put to
the test (a MAY property: the server's choice is reported); on the mutant the
showcase names, the model reports the property broken. The program `cogsync
explain` prints (boto3 on the embedded emulator) makes the same calls and gets the
same statuses as the judged run.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from cogsync.contracts.calls import METHOD_NAMES
from cogsync.contracts.properties import BY_ID, Level
from cogsync.mutants import get
from cogsync.registry.showcase import run
from cogsync.registry.showcases import SHOWCASES
from cogsync.targets.in_process import InProcessTarget

RUNNABLE = [s for s in SHOWCASES if s.code]


def test_every_property_has_one_showcase():
    assert sorted(s.property_id for s in SHOWCASES) == sorted(BY_ID)


@pytest.mark.parametrize("showcase", RUNNABLE, ids=lambda s: s.property_id)
def test_on_the_reference_emulator_it_keeps_the_contract_and_puts_the_property_to_the_test(showcase):
    session = run(showcase, InProcessTarget.emulator())
    assert [(f.property_id, f.title) for f in session.failures] == []
    if BY_ID[showcase.property_id].level is Level.MAY:
        assert session.tally.findings.get(showcase.property_id), "the server's choice is reported"
    else:
        assert session.tally.witnesses.get(showcase.property_id, 0) > 0, "the property was put to the test"


@pytest.mark.parametrize("showcase", [s for s in RUNNABLE if s.mutant], ids=lambda s: s.property_id)
def test_on_its_mutant_the_model_reports_the_property_broken(showcase):
    mutant = get(showcase.mutant)
    assert showcase.property_id in mutant.breaks
    session = run(showcase, InProcessTarget(mutant.build()))
    assert showcase.property_id in {f.property_id for f in session.failures}


def test_only_may_properties_and_those_no_sequence_shows_go_without_a_mutant():
    for showcase in SHOWCASES:
        level = BY_ID[showcase.property_id].level
        assert bool(showcase.mutant) == (level is not Level.MAY and bool(showcase.code)), showcase.property_id


@pytest.mark.parametrize("showcase", RUNNABLE, ids=lambda s: s.property_id)
def test_the_pasteable_program_makes_the_judged_calls_and_gets_the_same_statuses(showcase):
    printed = io.StringIO()
    namespace: dict[str, object] = {"__name__": "pasted"}
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(showcase.program(), f"<pasted {showcase.property_id}>", "exec"), namespace)
    finally:
        emulator = namespace.get("emulator")
        if emulator is not None:
            emulator.stop()  # type: ignore[attr-defined]
    seen = [(m[1], int(m[2])) for m in re.finditer(r"^(\w+): (\d{3}) ", printed.getvalue(), re.M)]
    judged = run(showcase, InProcessTarget.emulator())
    assert seen == [(METHOD_NAMES[s.call.operation], s.outcome.status) for s in judged.steps]
    assert seen, "the program printed its answers"
