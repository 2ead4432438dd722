"""Each report format, parsed back: JSON round-trips, JUnit counts match, Markdown rows match."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cogsync.baseline import Baseline
from cogsync.conformance.results import RunResult, Status
from cogsync.report import console
from cogsync.report.json_report import read_json, to_json, write_json
from cogsync.report.junit import to_junit_xml
from cogsync.report.markdown import to_markdown, write_markdown
from cogsync.report.reproductions import write_reproductions
from cogsync.report.rows import rows, tally
from cogsync.report.serialize import run_to_dict

from .conftest import parse_table

TODAY = dt.date(2026, 3, 1)


def known_conf_1(run: RunResult):  # type: ignore[no-untyped-def]
    return Baseline.parse('[{"id": "CONF-1", "reason": "fix in #7"}]').assess(run, TODAY)


def test_the_sample_run_has_every_status(sample_run: RunResult, documented_run: RunResult) -> None:
    statuses = {r.status for r in sample_run.results.values()}
    assert statuses == {
        Status.PASS,
        Status.FAIL,
        Status.FINDING,
        Status.INCONCLUSIVE,
        Status.NOT_APPLICABLE,
        Status.NOT_RUN,
    }
    assert documented_run.results["LIST-3"].status is Status.WARN


# --- JSON -----------------------------------------------------------------------------


def test_json_loads_and_round_trips(sample_run: RunResult, tmp_path: Path) -> None:
    path = write_json(tmp_path / "out" / "report.json", sample_run, known_conf_1(sample_run))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tool"] == "cogsync" and len(data["properties"]) == len(sample_run.results)
    back = read_json(path)
    assert run_to_dict(back) == run_to_dict(sample_run)
    assert back.failures()[0].steps == sample_run.failures()[0].steps


def test_json_gate_member_says_what_the_baseline_did(sample_run: RunResult) -> None:
    data = json.loads(to_json(sample_run, known_conf_1(sample_run)))
    assert data["exit_code"] == 1  # the run on its own
    assert data["gate"]["exit_code"] == 1  # LIST-3 is not baselined
    assert [e["id"] for e in data["gate"]["known"]] == ["CONF-1"]
    assert data["gate"]["stale"] == [] and data["gate"]["expired"] == []


# --- JUnit ----------------------------------------------------------------------------


def test_junit_parses_and_counts_match(sample_run: RunResult) -> None:
    assessment = known_conf_1(sample_run)
    root = ET.fromstring(to_junit_xml(sample_run, assessment))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == list(sample_run.results)
    counts = tally(rows(sample_run, assessment))
    failures = [c for c in cases if c.find("failure") is not None]
    errors = [c for c in cases if c.find("error") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert [c.get("name") for c in failures] == ["LIST-3"]
    assert [c.get("name") for c in errors] == ["DS-4"]
    assert {c.get("name") for c in skipped} == {"CONF-1", "ISO-2", "LIM-1"}
    for element in (root, suite):
        assert int(element.get("tests", -1)) == len(cases) == len(sample_run.results)
        assert int(element.get("failures", -1)) == counts["fail"] == len(failures)
        assert int(element.get("errors", -1)) == counts["inconclusive"] == len(errors)
        assert (
            int(element.get("skipped", -1))
            == counts["not-run"] + counts["not-applicable"] + counts["known"]
            == len(skipped)
        )


def test_junit_failure_carries_expected_received_and_the_reproduction(
    sample_run: RunResult,
) -> None:
    root = ET.fromstring(to_junit_xml(sample_run))
    case = next(c for c in root.iter("testcase") if c.get("name") == "CONF-1")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "stale replace accepted"
    text = failure.text or ""
    assert "expected: 409 ResourceConflictException" in text
    assert "received: 200 with the record at SyncCount 2" in text
    assert "from cogsync.reproduction import Replay" in text and "replay.call('update_records'" in text
    # the \x01 the failing sequence wrote cannot be in XML 1.0: it is escaped, the XML parses
    assert "\\x01" in text


def test_junit_warn_and_finding_are_system_out(
    documented_run: RunResult, sample_run: RunResult
) -> None:
    warn_case = next(
        c
        for c in ET.fromstring(to_junit_xml(documented_run)).iter("testcase")
        if c.get("name") == "LIST-3"
    )
    assert warn_case.find("failure") is None
    assert "warn [LIST-3]" in (warn_case.findtext("system-out") or "")
    finding_case = next(
        c
        for c in ET.fromstring(to_junit_xml(sample_run)).iter("testcase")
        if c.get("name") == "SYNC-6"
    )
    assert "finding: an empty write bumps the sync count" in (
        finding_case.findtext("system-out") or ""
    )


# --- Markdown -------------------------------------------------------------------------


def _markdown_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    parsed = []
    for line in lines[1:]:  # the header
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        parsed.append(
            [
                c.strip().replace("\\|", "|").replace("\\\\", "\\").replace("&lt;", "<")
                for c in cells
            ]
        )
    return parsed


def test_markdown_table_rows_match(sample_run: RunResult) -> None:
    assessment = known_conf_1(sample_run)
    text = to_markdown(sample_run, assessment)
    parsed = _markdown_rows(text)
    expected = [
        [r.property_id, r.level, r.result, str(r.witnesses), r.note]
        for r in rows(sample_run, assessment)
    ]
    assert parsed == expected
    assert ["CONF-1", "MUST", "known", "5", "baselined: fix in #7"] in parsed
    assert "## cogsync conformance: failed" in text
    assert "<details>" in text and "```python" in text


def test_markdown_cells_survive_pipes_and_newlines(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].note = "a | b\nc"
    parsed = {row[0]: row for row in _markdown_rows(to_markdown(sample_run))}
    assert parsed["DS-4"][4] == "a | b c"
    assert len(parsed["DS-4"]) == 5


def test_markdown_appends_only_to_the_step_summary(
    sample_run: RunResult, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    write_markdown(summary, sample_run)
    assert summary.read_text().startswith("earlier step\n## cogsync")
    other = tmp_path / "report.md"
    other.write_text("old report\n")
    write_markdown(other, sample_run)
    assert other.read_text().startswith("## cogsync")


# --- console --------------------------------------------------------------------------


def test_console_table_rows_match(sample_run: RunResult) -> None:
    assessment = known_conf_1(sample_run)
    parsed = parse_table(console.render_table(rows(sample_run, assessment)))
    assert parsed == {
        r.property_id: [r.level, r.result, str(r.witnesses), r.note]
        for r in rows(sample_run, assessment)
    }
    assert parsed["CONF-1"] == ["MUST", "known", "5", "baselined: fix in #7"]


LONG_NOTE = (
    "answers were throttled: HTTP 429 ThrottlingException on 12 of 12 calls to ListRecords, "
    "UpdateRecords and DescribeDataset; retried with backoff until the run's deadline passed"
)


def test_console_table_wraps_a_long_note_whole_words_and_all(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].note = LONG_NOTE
    text = console.render_table(rows(sample_run))
    assert all(len(line) <= console.PLAIN_WIDTH for line in text.splitlines())
    ds4 = next(i for i, line in enumerate(text.splitlines()) if line.startswith("DS-4 "))
    continuation = text.splitlines()[ds4 + 1]
    assert continuation.startswith(" " * 20) and continuation.strip()  # under the note column
    assert parse_table(text)["DS-4"][3] == LONG_NOTE  # nothing cut, no word broken


def test_console_table_wide_keeps_one_line_per_property(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].note = LONG_NOTE
    text = console.render_table(rows(sample_run), wide=True)
    assert len(text.splitlines()) == 2 + len(sample_run.results)
    assert parse_table(text)["DS-4"][3] == LONG_NOTE


def test_console_table_shows_a_note_with_brackets_as_text(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].note = "[bold]SYNC-4[/bold] [red] stays as written"
    assert parse_table(console.render_table(rows(sample_run)))["DS-4"][3] == (
        "[bold]SYNC-4[/bold] [red] stays as written"
    )


def test_console_report_lists_failures_and_how_to_reproduce(
    sample_run: RunResult, tmp_path: Path
) -> None:
    written = write_reproductions(sample_run, tmp_path / "repro")
    text = console.render_report(
        sample_run, written, reproduce_command="cogsync verify --seed 1234"
    )
    assert "CONF-1: stale replace accepted" in text
    assert "  expected: 409 ResourceConflictException" in text
    assert f"python {tmp_path / 'repro' / 'CONF-1-1.py'}" in text
    assert text.splitlines()[-2] == console.summary_line(sample_run)
    assert text.rstrip().endswith("reproduce this run: cogsync verify --seed 1234")


def test_summary_line_counts(sample_run: RunResult) -> None:
    line = console.summary_line(sample_run)
    n = len(sample_run.results)
    assert line.startswith(
        f"{n} properties: {n - 12} pass, 2 fail, 7 finding, 1 inconclusive, 1 not-applicable, 1 not-run"
    )
    assert line.endswith("(exit 1)")


# --- reproduction files -------------------------------------------------------------


def test_one_python_and_one_shell_script_per_failure(sample_run: RunResult, tmp_path: Path) -> None:
    written = write_reproductions(sample_run, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "CONF-1-1.py",
        "CONF-1-1.sh",
        "LIST-3-1.py",
        "LIST-3-1.sh",
    ]
    for item in written:
        assert item.python is not None and item.shell is not None
        compile(item.python.read_text(), str(item.python), "exec")
        assert item.shell.read_text().startswith("#!/usr/bin/env bash")
    conf = (tmp_path / "CONF-1-1.py").read_text()
    # the second update's token is the one the second listing handed out, not the recorded string
    assert "SyncSessionToken=r2.get('SyncSessionToken')" in conf
