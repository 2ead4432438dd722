"""The engine runs behind the suite's tests, and what each property's verdict means to pytest.

One shared run per session (per xdist worker; each worker sends the verdicts of
the tests it ran to the controller, which prints one table), over exactly the
properties whose tests were collected and selected: ``-k SYNC`` or ``--lf`` narrow the run itself, and
the engine's state machines, which exercise many properties in the same call
sequences, run once instead of once per property. ``--cogsync-per-property`` runs
the engine focused on each test's property instead (``RunConfig(properties=(id,))``),
for many-core xdist runs or when a single property is being worked on.

Verdicts: pass passes; fail fails with expected, received and the reproduction;
warn and finding pass (a warning, a ``user_properties`` entry); inconclusive, and a
MUST or SHOULD property no answer put to the test, are errors (the property could not
be judged, which is not a failure of it); not-applicable, a MAY not seen, and a
property the run's mode excludes skip; a breach the baseline forgives is an xfail,
an expired entry fails.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cogsync.baseline import NO_BASELINE, Assessment, Baseline
from cogsync.conformance.config import RunConfig
from cogsync.conformance.results import PropertyResult, RunResult, Status
from cogsync.contracts.properties import PROPERTIES
from cogsync.errors import CogsyncWarning, InfrastructureError
from cogsync.report.reproductions import scripts_for, write_reproductions

MESSAGE_SCRIPT_LIMIT = 6000


class ConformanceSession:
    """Runs the engine lazily and hands each test its property's verdict."""

    def __init__(
        self,
        target: Any,
        config: RunConfig,
        *,
        selected: list[str],
        per_property: bool = False,
        baseline: Baseline | None = None,
        report_dir: str | None = None,
        endpoint_url: str | None = None,
    ) -> None:
        self.target = target
        self.config = config
        self.selected = selected
        self.per_property = per_property
        self.baseline = baseline
        self.report_dir = report_dir
        self.endpoint_url = endpoint_url
        self.runs: list[RunResult] = []
        self.judged: list[str] = []  # the properties whose tests asked for a verdict here
        self._by_id: dict[str, RunResult] = {}
        self.unusable: str | None = None

    def _run(self, properties: tuple[str, ...]) -> RunResult:
        from cogsync.conformance import engine

        if self.unusable is not None:  # the preflight said so once: no second run
            pytest.fail(self.unusable, pytrace=False)
        config = replace(self.config, properties=properties, skip=())
        try:
            run = engine.run(self.target, config)
        except InfrastructureError as exc:  # the preflight: not a target cogsync can test
            self.unusable = f"cogsync: {exc}"
            pytest.fail(self.unusable, pytrace=False)
        self.runs.append(run)
        if self.report_dir:
            write_reproductions(run, self.report_dir)
        for pid in run.results:
            self._by_id.setdefault(pid, run)
        return run

    def run_for(self, property_id: str) -> RunResult:
        if property_id not in self.judged:
            self.judged.append(property_id)
        if property_id not in self._by_id:
            wanted = (property_id,) if self.per_property else tuple(self.selected or [property_id])
            if property_id not in wanted:
                wanted = (property_id,)
            self._run(wanted)
        return self._by_id[property_id]

    def assessment(self, run: RunResult) -> Assessment:
        return self.baseline.assess(run) if self.baseline else NO_BASELINE

    def combined(self, *, only: Collection[str] | None = None) -> RunResult | None:
        """Every verdict so far in one RunResult (for the terminal summary); ``only``: of these ids."""
        return combine(self.runs, only=only)


def combine(
    runs: Sequence[RunResult], *, only: Collection[str] | None = None, parallel: bool = False
) -> RunResult | None:
    """One RunResult of several: the first verdict of each property, in the catalog's order.

    ``parallel``: the runs happened at the same time (xdist workers), so the whole took
    as long as the longest; otherwise one after the other.
    """
    if not runs:
        return None
    first = runs[0]
    found: dict[str, PropertyResult] = {}
    for run in runs:
        for pid, result in run.results.items():
            if only is None or pid in only:
                found.setdefault(pid, result)
    order = {p.id: index for index, p in enumerate(PROPERTIES)}
    results = {pid: found[pid] for pid in sorted(found, key=lambda pid: order.get(pid, len(order)))}
    durations = [r.duration for r in runs]
    merged = RunResult(
        first.target,
        first.profile,
        first.seed,
        first.budget,
        results,
        duration=max(durations) if parallel else sum(durations),
        selected=tuple(results),
    )
    merged.notes = list(dict.fromkeys(n for r in runs for n in r.notes))
    merged.target_description, merged.limits = first.target_description, first.limits
    return merged


def failure_message(result: PropertyResult, run: RunResult | None) -> str:
    """Each failure with expected and received, and its Python reproduction script."""
    blocks = []
    for failure in result.failures:
        lines = [f"[{failure.property_id}] {failure.title}"]
        if failure.expected:
            lines.append(f"  expected: {failure.expected}")
        if failure.received:
            lines.append(f"  received: {failure.received}")
        scripts = scripts_for(failure, run)
        if scripts is not None:
            script = scripts[0]
            if len(script) > MESSAGE_SCRIPT_LIMIT:
                script = script[:MESSAGE_SCRIPT_LIMIT] + "\n# ... cut; use --cogsync-report-dir\n"
            lines += ["  reproduction:", script]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) or result.note or f"{result.property_id} failed"


def check_setup(property_id: str, run: RunResult) -> PropertyResult:
    """In the test's setup: an inconclusive property is an error, a missing one too."""
    result = run.results.get(property_id)
    if result is None:
        pytest.fail(f"{property_id}: the engine returned no verdict for it", pytrace=False)
    if result.status is Status.INCONCLUSIVE:
        pytest.fail(
            f"{property_id} inconclusive: {result.note or 'throttled or timed out'}", pytrace=False
        )
    if result.untested:  # a MUST/SHOULD nothing put to the test: as inconclusive, never a pass
        pytest.fail(f"{property_id} never put to the test: {result.note}", pytrace=False)
    return result


def check_verdict(
    result: PropertyResult,
    assessment: Assessment,
    node: Any,
    *,
    run: RunResult | None = None,
) -> None:
    """In the test's call: turn the verdict into pass, fail, xfail, skip or a warning
    (``run``: the run it came from, whose target its reproduction scripts replay on)."""
    pid = result.property_id
    expired = [e for e in assessment.expired if e.covers(pid)]
    if expired:
        pytest.fail(
            f"{pid}: baseline entry expired on {expired[0].expires}: fix the deviation or "
            f"renew the entry ({expired[0].reason})",
            pytrace=False,
        )
    if pid in assessment.known:
        pytest.xfail(f"known deviation: {assessment.known[pid].reason}")
    for text in result.findings:
        node.user_properties.append(("cogsync_finding", text))
    if assessment.is_stale(pid):
        warnings.warn(
            CogsyncWarning(f"{pid} passes: its baseline entry is stale, remove it"), stacklevel=1
        )
    if result.status is Status.FAIL:
        pytest.fail(failure_message(result, run), pytrace=False)
    if result.status is Status.WARN:
        warnings.warn(CogsyncWarning(failure_message(result, run)), stacklevel=1)
    elif result.status is Status.NOT_RUN:
        pytest.skip(f"{pid} not run: {result.note or 'the engine did not exercise it'}")
    elif result.status is Status.NOT_APPLICABLE:
        pytest.skip(f"{pid} not applicable: {result.note}")


def write_summary(
    terminal: Any,
    run: RunResult,
    assessment: Assessment | None,
    *,
    report_dir: str | None,
    command: str,
) -> None:
    """The conformance table, notes, one summary line and how to reproduce the run."""
    from cogsync.report.console import render_table
    from cogsync.report.rows import rows, summary_line, untested_lines

    assessment = assessment or NO_BASELINE
    terminal.write_sep("=", "cogsync conformance")
    terminal.write_line(render_table(rows(run, assessment)))
    for line in [*(f"note: {n}" for n in run.notes), *untested_lines(run)]:
        terminal.write_line(line)
    terminal.write_line(summary_line(run, assessment))
    if report_dir:
        terminal.write_line(f"reproduction scripts: {Path(report_dir).resolve()}")
    terminal.write_line(f"reproduce this run: {command}")
