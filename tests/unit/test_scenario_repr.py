"""A Scenario prints as code a person can paste, as Hypothesis prints a failing stateful test."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis.vendor.pretty import pretty

from cogsync import strategies as cs

SOME = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
#: What a person who pastes the repr has imported.
PASTED = "from cogsync.strategies import Bulk, DeviceSpec, Edit, Identity, Scenario, Step\n"


def evaluated(text: str) -> cs.Scenario:
    namespace: dict[str, object] = {}
    exec(PASTED + "scenario = " + text, namespace)
    return namespace["scenario"]  # type: ignore[return-value]


@SOME
@given(cs.call_sequences(identities=2, devices=3, datasets=2, max_steps=12))
def test_the_repr_evaluates_back_to_an_equal_scenario(scenario):
    text = repr(scenario)
    assert evaluated(text) == scenario
    assert text.startswith("Scenario(\n    identities=(\n") and text.endswith("\n)")


def test_the_repr_leaves_out_defaults_and_shows_one_step_a_line():
    scenario = cs.Scenario(
        (cs.Identity("us-east-1:1", "us-east-1:2"),),
        (cs.DeviceSpec(0, "phone"), cs.DeviceSpec(0)),
        ("prefs",),
        (
            cs.Step(0, "write", "prefs", edits=(cs.Edit("theme", "dark"), cs.Edit("old", offset=-1))),
            cs.Step(1, "list_datasets", max_results=2),
            cs.Step(1, "sync", "prefs", bulk=cs.Bulk(3, 1000), edits=(cs.Edit("k", "v", date=1.5),)),
        ),
    )
    assert repr(scenario) == """Scenario(
    identities=(
        Identity('us-east-1:1', 'us-east-1:2'),
    ),
    devices=(
        DeviceSpec(0, 'phone'),
        DeviceSpec(0),
    ),
    datasets=('prefs',),
    steps=(
        Step(0, 'write', 'prefs', edits=(Edit('theme', 'dark'), Edit('old', offset=-1))),
        Step(1, 'list_datasets', max_results=2),
        Step(1, 'sync', 'prefs', edits=(Edit('k', 'v', date=1.5),), bulk=Bulk(3, 1000)),
    ),
)"""
    assert evaluated(repr(scenario)) == scenario


def test_an_empty_program_prints_and_evaluates_too():
    scenario = cs.Scenario((cs.Identity("us-east-1:1", "us-east-1:2"),), (), ("a",), ())
    assert "    devices=(),\n" in repr(scenario) and "    steps=(),\n" in repr(scenario)
    assert evaluated(repr(scenario)) == scenario


def test_hypothesis_prints_a_falsifying_scenario_with_the_same_code():
    scenario = cs.Scenario((cs.Identity("us-east-1:1", "us-east-1:2"),), (cs.DeviceSpec(0),), ("a",),
                           (cs.Step(0, "write", "a", edits=(cs.Edit("k", "v"),)),))
    assert pretty(scenario) == repr(scenario)
