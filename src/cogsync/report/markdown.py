"""The run as GitHub-flavoured Markdown, fit for ``$GITHUB_STEP_SUMMARY``.

A heading with the verdict, a table (one row per property), then each failure in
a collapsed ``<details>`` block with expected, received and the boto3 reproduction.
GitHub caps a step summary at 1 MiB, so scripts are cut at :data:`SCRIPT_LIMIT`
characters and the failure section at :data:`FAILURES_LIMIT` (the scripts on disk
stay whole).
"""

from __future__ import annotations

import os
from pathlib import Path

from cogsync.baseline import NO_BASELINE, Assessment
from cogsync.conformance.results import RunResult
from cogsync.contracts.failures import Failure
from cogsync.report.reproductions import scripts_for
from cogsync.report.rows import rows, summary_line, untested_lines

TABLE_HEADER = ("Property", "Level", "Result", "Witnesses", "Note")
SCRIPT_LIMIT = 8_000
FAILURES_LIMIT = 400_000
VERDICT = {0: "passed", 1: "failed", 2: "inconclusive"}


def cell(text: str) -> str:
    """``text`` safe inside a table cell: no pipes, no line breaks, no raw HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks inside ``text``."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _code(text: str, lang: str = "") -> str:
    if len(text) > SCRIPT_LIMIT:
        text = (
            text[:SCRIPT_LIMIT]
            + f"\n# ... cut at {SCRIPT_LIMIT} characters; the full script is on disk\n"
        )
    fence = _fence(text)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def _failure_block(failure: Failure, known: bool, run: RunResult) -> str:
    label = " (known, baselined)" if known else ""
    lines = [
        "<details>",
        f"<summary><b>{cell(failure.property_id)}</b>{label}: {cell(failure.title)}</summary>",
        "",
    ]
    if failure.expected:
        lines += ["Expected:", "", _code(failure.expected), ""]
    if failure.received:
        lines += ["Received:", "", _code(failure.received), ""]
    scripts = scripts_for(failure, run)
    if scripts is not None:
        lines += ["Reproduction:", "", _code(scripts[0], "python"), ""]
    lines.append("</details>")
    return "\n".join(lines)


def to_markdown(
    run: RunResult, assessment: Assessment = NO_BASELINE
) -> str:
    exit_code = assessment.exit_code(run)
    seed = "" if run.seed is None else f" · seed `{run.seed}`"
    out = [
        f"## cogsync conformance: {VERDICT.get(exit_code, 'error')}",
        "",
        f"Target `{cell(run.target)}` · strictness `{run.profile}` · budget `{run.budget}`{seed}",
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "|".join(["---"] * len(TABLE_HEADER)) + "|",
    ]
    for row in rows(run, assessment):
        values = (row.property_id, row.level, row.result, str(row.witnesses), row.note)
        out.append("| " + " | ".join(cell(v) for v in values) + " |")
    out += [""]
    out += [f"- {cell(n)}" for n in run.notes]
    out += [f"- {cell(line.strip())}" for line in untested_lines(run)]
    out += ["", f"**{summary_line(run, assessment)}**", ""]
    messages = assessment.messages()
    if messages:
        out += [f"- {cell(m)}" for m in messages] + [""]
    failures = run.failures()
    if failures:
        out += ["### Failures", ""]
        size = 0
        for index, failure in enumerate(failures):
            block = _failure_block(failure, failure.property_id in assessment.known, run)
            size += len(block)
            if size > FAILURES_LIMIT:
                out += [
                    f"... and {len(failures) - index} more failure(s): see the JSON report.",
                    "",
                ]
                break
            out += [block, ""]
    if run.command:
        out += ["Reproduce this run:", "", _code(run.command, "sh"), ""]
    return "\n".join(out)


def write_markdown(
    path: str | Path, run: RunResult, assessment: Assessment = NO_BASELINE
) -> Path:
    """Write ``path``; append when it is ``$GITHUB_STEP_SUMMARY`` (other steps write there too)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    mode = "a" if summary and Path(summary).resolve() == path.resolve() else "w"
    with path.open(mode, encoding="utf-8") as stream:
        stream.write(to_markdown(run, assessment))
    return path
