"""The run as JUnit XML: one test case per property id, for CI test dashboards.

Mapping (the schema has pass, failure, error and skipped only):
- ``fail``: ``<failure>`` with the title as message, expected/received and the
  boto3 reproduction as text;
- ``inconclusive``: ``<error type="inconclusive">``: the property could not be
  judged (throttled, timed out), which is not the same as broken;
- ``not-run`` and ``not-applicable``: ``<skipped>``; ``known`` (baselined breach): ``<skipped>`` with the
  baseline's reason, as pytest reports an xfail;
- ``warn`` and ``finding``: a passing case whose ``<system-out>`` says what was seen.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cogsync.baseline import NO_BASELINE, Assessment
from cogsync.conformance.results import RunResult, Status
from cogsync.contracts.failures import Failure
from cogsync.report.reproductions import scripts_for
from cogsync.report.rows import KNOWN, rows

SUITE_NAME = "cogsync.conformance"
#: Characters XML 1.0 cannot hold at all, even escaped; generated values contain them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML cannot carry written as ``\\xNN``/``\\uNNNN``."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _sanitize(element: ET.Element) -> None:
    for node in element.iter():
        if node.text:
            node.text = xml_safe(node.text)
        for key, value in node.attrib.items():
            node.set(key, xml_safe(value))


def _failure_text(failure: Failure, run: RunResult) -> str:
    lines = [f"[{failure.property_id}] {failure.title}"]
    if failure.expected:
        lines.append(f"expected: {failure.expected}")
    if failure.received:
        lines.append(f"received: {failure.received}")
    scripts = scripts_for(failure, run)
    if scripts is not None:
        lines += ["", "reproduction (python):", scripts[0]]
    return "\n".join(lines)


def to_junit_xml(
    run: RunResult, assessment: Assessment = NO_BASELINE
) -> str:
    table = rows(run, assessment)
    counts = {"tests": len(table), "failures": 0, "errors": 0, "skipped": 0}
    per_case = run.duration / len(table) if table else 0.0
    suite = ET.Element(
        "testsuite",
        name=SUITE_NAME,
        timestamp=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", run.target),
        ("strictness", run.profile),
        ("budget", run.budget),
        ("seed", "" if run.seed is None else str(run.seed)),
        ("command", run.command),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    for row in table:
        result = run.results[row.property_id]
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{SUITE_NAME}.{row.property_id.split('-')[0]}",
            name=row.property_id,
            time=f"{per_case:.3f}",
        )
        if row.result == Status.FAIL.value:
            counts["failures"] += 1
            first = result.failures[0] if result.failures else None
            element = ET.SubElement(
                case,
                "failure",
                message=first.title if first else row.note or "failed",
                type=row.level,
            )
            element.text = (
                "\n\n".join(_failure_text(f, run) for f in result.failures) or row.note
            )
        elif row.result == Status.INCONCLUSIVE.value:
            counts["errors"] += 1
            element = ET.SubElement(
                case, "error", message=row.note or "inconclusive", type="inconclusive"
            )
            element.text = row.note
        elif row.result in (Status.NOT_RUN.value, Status.NOT_APPLICABLE.value):
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=row.note or row.result)
        elif row.result == KNOWN:
            counts["skipped"] += 1
            skipped = ET.SubElement(
                case,
                "skipped",
                message=f"known deviation: {assessment.known[row.property_id].reason}",
            )
            skipped.text = "\n\n".join(_failure_text(f, run) for f in result.failures)
        out = []
        if row.result == Status.WARN.value:
            out += [
                f"warn [{f.property_id}] {f.title}: expected {f.expected}; received {f.received}"
                for f in result.failures
            ]
        if result.findings:
            out += [f"finding: {text}" for text in result.findings]
        if assessment.is_stale(row.property_id):
            out.append("stale baseline entry: the property passes; remove it from the baseline")
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{run.duration:.3f}")
    root = ET.Element("testsuites", {"name": "cogsync", **{k: str(v) for k, v in counts.items()}})
    root.set("time", f"{run.duration:.3f}")
    root.append(suite)
    _sanitize(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(
    path: str | Path, run: RunResult, assessment: Assessment = NO_BASELINE
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_junit_xml(run, assessment), encoding="utf-8")
    return path
