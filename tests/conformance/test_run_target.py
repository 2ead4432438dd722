"""The engine returns what its failures' scripts need: steps, blob and where the run went.

Building the scripts is the report layer's job; the engine only describes its target
(endpoint URL or in-process spec, and the region) and the limits it judged with.
"""

from __future__ import annotations

import json

from cogsync.conformance import engine
from cogsync.conformance.config import RunConfig
from cogsync.contracts.constraints import Limits
from cogsync.emulator.server import serve_in_thread
from cogsync.report.serialize import run_from_dict, run_to_dict
from cogsync.targets import Boto3Target, HttpTarget, InProcessTarget, RateLimited, make_target
from cogsync.targets.description import TargetDescription, describe_target

MUTANT = "cogsync.mutants:stale_replace_accepted"


def test_each_kind_of_target_is_described_so_a_script_can_reach_it_again():
    assert describe_target(HttpTarget("http://127.0.0.1:4566/", region="eu-west-1")) == TargetDescription(
        "http://127.0.0.1:4566", "eu-west-1", endpoint_url="http://127.0.0.1:4566")
    assert describe_target(InProcessTarget.from_spec(MUTANT, region="ap-south-1")) == TargetDescription(
        f"in-process:{MUTANT}", "ap-south-1", in_process=MUTANT)
    assert describe_target(engine.embedded_target()) == TargetDescription("in-process", embedded=True)
    assert describe_target(make_target(endpoint_url="aws", region="eu-west-2")).endpoint_url == (
        "https://cognito-sync.eu-west-2.amazonaws.com")
    assert describe_target(Boto3Target(None, region="eu-west-1")).endpoint_url == "aws"
    wrapped = RateLimited(HttpTarget("http://127.0.0.1:9"), 5)
    assert describe_target(wrapped).endpoint_url == "http://127.0.0.1:9"


def test_an_emulator_with_other_behaviour_or_a_bare_app_is_named_only():
    from cogsync.emulator.choices import FLIPPED

    flipped = describe_target(InProcessTarget.emulator(choices=FLIPPED))
    assert not flipped.rebuildable and "no script can rebuild" in flipped.describe()
    bare = describe_target(InProcessTarget(InProcessTarget.emulator().app, name="mine"))
    assert bare == TargetDescription("mine") and not bare.rebuildable


def test_a_run_in_process_returns_the_spec_the_region_and_steps_without_scripts():
    target = InProcessTarget.from_spec(MUTANT, region="eu-west-1")
    small = Limits(5, 50, 5000)
    result = engine.run(target, RunConfig(budget="quick", seed=1, properties=("CONF-1",), limits=small))
    assert result.target_description == TargetDescription(f"in-process:{MUTANT}", "eu-west-1",
                                                           in_process=MUTANT)
    assert result.limits == small
    [failure, *_] = result.results["CONF-1"].failures
    assert failure.steps and not hasattr(failure, "reproduction")
    back = run_from_dict(json.loads(json.dumps(run_to_dict(result))))
    assert back.target_description == result.target_description and back.limits == small


def test_a_run_over_http_returns_the_endpoint():
    with serve_in_thread() as url:
        result = engine.run(HttpTarget(url, region="us-west-2"),
                            RunConfig(budget="quick", seed=3, properties=("SYNC-1",)))
    assert result.target_description == TargetDescription(url, "us-west-2", endpoint_url=url)
