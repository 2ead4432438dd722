"""The registry as people read it: docs/contract.md, and ``cogsync explain``'s text.

Both say the same of each property (statement, level, sources, condition, check,
model rule, witness, probes, mutants, the sequence that shows it); the Markdown
groups the properties by section like the contract, the text shows one.
"""

from __future__ import annotations

import textwrap

from cogsync.contracts.properties import LEVELS, SECTIONS, SOURCES, Level
from cogsync.registry import tables
from cogsync.registry.entries import ENTRIES, Entry, dotted
from cogsync.registry.showcase import HELPERS, PREAMBLE

#: The command that writes docs/contract.md (a test fails when the committed file is stale).
GENERATE = "python -m cogsync.registry --write docs/contract.md"
DOC = "docs/contract.md"


def _check(e: Entry) -> str:
    if e.check is None:
        return f"none yet: {e.cannot_check}"
    return f"{e.check.kind}: {e.check.how}"


def _rule(e: Entry) -> str:
    if e.decider is None:
        return "none"
    return dotted(e.decider)


def _probes(e: Entry, code: str = "") -> list[str]:
    """The probes' names and the phases aimed at ``e`` (``code`` quotes names, for Markdown)."""
    return ([f"{code}{p.name}{code}" for p in e.probes]
            + [f"the {p.name} phase ({code}{dotted(p.function)}{code})" for p in e.phases])


def _shown_by(e: Entry, code: str = "") -> str:
    s = e.showcase
    if s.code and s.mutant:
        return (f"the sequence below keeps {e.id} on cogsync's emulator and breaks it on the mutant "
                f"{code}{s.mutant}{code}")
    if s.code:
        return "the sequence below shows the server's choice (a finding, never a failure)"
    return s.see.rstrip(".")


# --- Markdown ---------------------------------------------------------------------------------


def _md_entry(e: Entry) -> list[str]:
    p = e.property
    out = [f"### {p.id}", "", f"**{p.level.value}.** {p.statement}", ""]
    out.append(f"- **Sources:** {p.source}")
    if p.condition:
        out.append(f"- **Condition:** only where {p.condition}; elsewhere not-applicable")
    out.append(f"- **Check:** {_check(e)}" + (f"; runs in `{dotted(e.runner)}`" if e.runner else ""))
    if e.decider is not None:
        out.append(f"- **Model rule:** decided in `{_rule(e)}`" + (":" if e.rows else ""))
        out += [f"  - {row}" for row in e.rows]
    out.append(f"- **Witness:** {e.witness}")
    out.append("- **Probes:** " + (", ".join(_probes(e, "`")) or "none"))
    if e.mutants:
        out.append("- **Mutants that break it:**")
        out += [f"  - `{m.name}`: {m.description}" + (f" (only under `--faults {m.faults}`)" if m.faults else "")
                for m in e.mutants]
    out.append(f"- **Shown by:** {_shown_by(e, '`')}.")
    if e.showcase.code:
        out += ["", "```python", e.showcase.code.rstrip(), "```"]
    return out + [""]


#: What comes before a section's properties: the contract's data for it.
_PREFACES = {
    "WIRE": ["Requests are rest-json, signed with SigV4 (signing name `cognito-sync`); path labels "
             "travel percent-encoded. Timestamps are epoch seconds as JSON numbers; a member whose "
             "value is `null` reads as absent, as botocore reads it.", "", *tables.routes()],
    "VAL": ["Requests are held to the constraints of botocore's model (a pattern matches the whole "
            "value; lengths count characters):", "", *tables.input_constraints()],
    "LIM": ["The limits of the developer guide, as the kit and the emulator take them by default:", "",
            *tables.limits()],
}


def markdown() -> str:
    """The whole contract as docs/contract.md holds it."""
    out = [
        "# The Cognito Sync records contract",
        "",
        f"<!-- Generated from cogsync's property registry by `{GENERATE}`. Do not edit: a test fails "
        "when this file is stale. -->",
        "",
        "What a server implementing Amazon Cognito Sync's records API (UpdateRecords, ListRecords, "
        "DescribeDataset, DeleteDataset, ListDatasets) must do, as cogsync checks it. Every property "
        "has a stable id that reports, test names and mutants use; `cogsync explain ID` prints one "
        "property, `cogsync explain --list` all of them.",
        "",
        "## Levels",
        "",
    ]
    out += [f"- **{level.value}**: {text}" for level, text in LEVELS.items()]
    out += ["", "## Sources", ""]
    out += [f"- **{name}**: {text}" for name, text in SOURCES.items()]
    out += [
        "",
        "## How to read a property",
        "",
        "- **Check**: how the engine puts it to the test, and the function it runs.",
        "- **Model rule**: the function where the verdict is made, and the rows of the model's "
        "attribution table (`cogsync.contracts.model`) that blame an answer on the property.",
        "- **Witness**: the observation that puts it to the test. No witness, no pass: a property "
        "no answer tested is `not-run`, and makes the gate inconclusive.",
        "- **Probes**: the directed sequences (`cogsync.conformance.probes`) and engine phases aimed "
        "at it; random programs aim at every property the model judges.",
        "- **Mutants**: bugs of the mutant catalog (`cogsync.mutants`) that break it; "
        "`cogsync verify --in-process cogsync.mutants:<name_with_underscores>` fails on each.",
        "- **Shown by**: a sequence to run after the preamble below (`cogsync explain ID --code` "
        "prints the whole program), or the command that shows what no short sequence can.",
        "",
        "## The preamble of every sequence",
        "",
        "It runs the calls with boto3 on cogsync's emulator, in the same process; for your own "
        "server, drop the emulator line and give the client an `endpoint_url`.",
        "",
        "```python",
        PREAMBLE.rstrip(),
        "",
        "",
        HELPERS.rstrip(),
        "```",
        "",
    ]
    section = ""
    for e in ENTRIES:
        if e.property.section != section:
            section = e.property.section
            out += [f"## {SECTIONS[section]}", ""]
            if section in _PREFACES:
                out += [*_PREFACES[section], ""]
        out += _md_entry(e)
    out += ["## What a run reports", "",
            "Each selected property gets one verdict (`cogsync verify --help` gives the exit statuses):",
            "", *tables.verdicts()]
    return "\n".join(out).rstrip() + "\n"


# --- text ---------------------------------------------------------------------------------------

_WIDTH = 100
_LABEL = 12


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """Wrapped at spaces only: ids, names and options keep their hyphens."""
    return textwrap.wrap(text, _WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False)


def _field(label: str, text: str) -> list[str]:
    return _wrap(text, f"  {label:<{_LABEL}}", " " * (_LABEL + 2)) or [f"  {label}"]


def text(e: Entry) -> str:
    """``cogsync explain ID``: one property, with the program that shows it."""
    p = e.property
    out = [f"{p.id}  {p.level.value}  in {SECTIONS[p.section]}"]
    out += _wrap(p.statement, "  ", "  ")
    out.append("")
    out += _field("sources", p.source)
    if p.condition:
        out += _field("condition", f"only where {p.condition}; elsewhere not-applicable")
    out += _field("check", _check(e))
    if e.runner is not None:
        out += _field("", f"runs in {dotted(e.runner)}")
    if e.decider is not None:
        out += _field("model rule", f"decided in {_rule(e)}")
        for row in e.rows:
            out += _wrap(row, " " * (_LABEL + 2) + "- ", " " * (_LABEL + 4))
    out += _field("witness", e.witness)
    out += _field("probes", ", ".join(_probes(e)) or "none")
    for i, m in enumerate(e.mutants):
        out += _field("mutants" if i == 0 else "", f"{m.name}: {m.description}")
    out += _field("docs", f"{DOC}#{p.id.lower()}")
    out.append("")
    if e.showcase.code:
        out += _wrap(f"Shown by: {_shown_by(e)}. Paste it into python3, or run `cogsync explain {p.id} "
                     f"--code > show.py && python3 show.py`:")
        out += ["", e.showcase.program().rstrip()]
    else:
        out += _wrap(f"Shown by: {_shown_by(e)}")
    return "\n".join(out) + "\n"


def listing() -> str:
    """``cogsync explain --list``: every id, its level and its statement on one line."""
    lines = []
    for e in ENTRIES:
        head = f"{e.id:<8} {e.level.value:<6} "
        lines.append(head + textwrap.shorten(e.property.statement, _WIDTH - len(head), placeholder="..."))
    return "\n".join(lines) + "\n"


__all__ = ["DOC", "GENERATE", "Level", "listing", "markdown", "text"]
