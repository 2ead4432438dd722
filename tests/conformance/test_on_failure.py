"""``engine.run(..., on_failure=...)`` hears of each failure as it is seen, and changes nothing.

The mutant benchmark times the first failure with it (benchmarks/bench_mutants.py);
these runs are the quick budget with one program example, narrowed to one id.
"""

from __future__ import annotations

from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import embedded_target, run
from cogsync.conformance.results import Status
from cogsync.contracts.failures import Failure
from cogsync.mutants import get
from cogsync.targets import InProcessTarget

CONFIG = RunConfig(budget="quick", seed=7, properties=("CONF-5",), max_examples=1)


def test_a_failure_reaches_the_callback_and_the_verdict_is_unchanged() -> None:
    heard: list[Failure] = []
    mutant = get("conflict-message-reworded")
    result = run(InProcessTarget(mutant.build()), CONFIG, on_failure=heard.append)
    assert result.results["CONF-5"].status is Status.FAIL
    assert "CONF-5" in {failure.property_id for failure in heard}
    silent = run(InProcessTarget(mutant.build()), CONFIG)
    assert silent.results["CONF-5"].status is Status.FAIL


def test_the_callback_hears_nothing_from_a_correct_server() -> None:
    heard: list[Failure] = []
    target = embedded_target()
    try:
        result = run(target, CONFIG, on_failure=heard.append)
    finally:
        target.close()
    assert result.results["CONF-5"].status is Status.PASS
    assert heard == []
