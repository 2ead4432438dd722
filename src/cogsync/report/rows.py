"""The conformance table as data: one row per property, shared by every report format.

The console table, the Markdown table and the JUnit test cases show the same
result for a property; deciding it once here keeps them from disagreeing. The
result is the run's status, except ``known`` for a breach the baseline forgives.
"""

from __future__ import annotations

from dataclasses import dataclass

from cogsync.baseline import NO_BASELINE, Assessment
from cogsync.conformance.results import PropertyResult, RunResult, Status

KNOWN = "known"
#: Every value :attr:`Row.result` can take, in the order summaries list them.
RESULTS: tuple[str, ...] = (
    Status.PASS.value,
    Status.FAIL.value,
    KNOWN,
    Status.WARN.value,
    Status.FINDING.value,
    Status.INCONCLUSIVE.value,
    Status.NOT_APPLICABLE.value,
    Status.NOT_RUN.value,
)


@dataclass(frozen=True)
class Row:
    property_id: str
    level: str
    result: str
    witnesses: int
    note: str = ""


def result_of(result: PropertyResult, assessment: Assessment = NO_BASELINE) -> str:
    if result.property_id in assessment.known:
        return KNOWN
    return result.status.value


def note_of(result: PropertyResult, assessment: Assessment = NO_BASELINE) -> str:
    """A short remark: baseline reason, first failure, findings, the engine's note."""
    parts = []
    entry = assessment.known.get(result.property_id)
    if entry is not None:
        parts.append(f"baselined: {entry.reason}")
    if assessment.is_stale(result.property_id):
        parts.append("stale baseline entry")
    if assessment.is_expired(result.property_id):
        parts.append("baseline entry expired")
    if entry is None and result.status in (Status.FAIL, Status.WARN) and result.failures:
        more = len(result.failures) - 1
        parts.append(result.failures[0].title + (f" (+{more} more)" if more else ""))
    if result.status is Status.FINDING and result.findings:
        parts.append(
            result.findings[0]
            + (f" (+{len(result.findings) - 1} more)" if len(result.findings) > 1 else "")
        )
    if result.note:
        parts.append(result.note)
    return "; ".join(parts)


def rows(run: RunResult, assessment: Assessment = NO_BASELINE) -> list[Row]:
    return [
        Row(
            r.property_id,
            r.level.value,
            result_of(r, assessment),
            r.witnesses,
            note_of(r, assessment),
        )
        for r in run.results.values()
    ]


def tally(table: list[Row]) -> dict[str, int]:
    """How many rows have each result (every result present, zeros included)."""
    counts = dict.fromkeys(RESULTS, 0)
    for row in table:
        counts[row.result] = counts.get(row.result, 0) + 1
    return counts


def untested_lines(run: RunResult) -> list[str]:
    """Why the run is inconclusive: each selected MUST/SHOULD property no answer put to the
    test, and why (empty when there is none)."""
    missing = run.untested()
    if not missing:
        return []
    head = (f"inconclusive: {len(missing)} selected MUST/SHOULD "
            f"{'property was' if len(missing) == 1 else 'properties were'} never put to the test:")
    return [head, *(f"  {r.property_id}: {r.note or 'no answer of this run put it to the test'}"
                    for r in missing)]


def summary_line(run: RunResult, assessment: Assessment = NO_BASELINE) -> str:
    """``48 properties: 40 pass, 1 fail, ...`` (only the results that occur), duration, exit."""
    counts = tally(rows(run, assessment))
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    exit_code = assessment.exit_code(run)
    noun = "property" if len(run.results) == 1 else "properties"
    return (
        f"{len(run.results)} {noun}: {', '.join(parts) or 'none'} "
        f"in {run.duration:.1f} s (exit {exit_code})"
    )
