"""Each failure printed on the console says how to reproduce it, as the README promises: its
two scripts (which give a verdict) and, when a Hypothesis search found it, the blob."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cogsync.conformance.results import RunResult
from cogsync.report import console
from cogsync.report.reproductions import write_reproductions

#: Only the random programs (a Hypothesis search) catch this mutant, with seed 1.
SEARCHED = "cogsync.mutants:response_omits_removed_keys"


def test_a_failure_from_a_search_is_printed_with_its_blob_and_scripts(  # type: ignore[no-untyped-def]
    cogsync_cli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cogsync_cli("verify", "--budget", "quick", "--seed", "1", "--quiet", "--in-process", SEARCHED,
                       "--properties", "SYNC-4", "--report-dir", str(tmp_path / "repro"),
                       "--report-json", str(tmp_path / "r.json"))
    out = capsys.readouterr().out
    assert code == 1, out
    block = out.split("failures:\n\n", 1)[1]
    assert block.startswith("SYNC-4: ")
    assert f"  reproduce: python {tmp_path / 'repro' / 'SYNC-4-1.py'}\n" in block
    assert f"             bash {tmp_path / 'repro' / 'SYNC-4-1.sh'}\n" in block
    assert "exits 1 if it reproduces, 0 if fixed, 2 if it cannot tell" in block
    [blob_line] = [line for line in block.splitlines() if line.startswith("  hypothesis: ")]
    blob = blob_line.removeprefix("  hypothesis: ")
    assert blob.startswith("@reproduce_failure(") and blob.endswith(")")
    [failure] = json.loads((tmp_path / "r.json").read_text())["properties"][0]["failures"]
    assert failure["hypothesis_blob"] == blob  # the JSON report keeps it too


def test_a_failure_no_search_found_has_no_blob_line(sample_run: RunResult, tmp_path: Path) -> None:
    text = console.render_failures(write_reproductions(sample_run, tmp_path))
    assert "CONF-1: stale replace accepted" in text and "hypothesis:" not in text
    failing = sample_run.results["CONF-1"]
    failing.failures[0] = replace(failing.failures[0], hypothesis_blob="@reproduce_failure('6.1', b'AXicY2A')")
    text = console.render_failures(write_reproductions(sample_run, tmp_path))
    assert "\n  hypothesis: @reproduce_failure('6.1', b'AXicY2A')" in text


def test_the_readmes_reproduction_commands(  # type: ignore[no-untyped-def]
    cogsync_cli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """README, "Reproduction scripts": verify in-process, then the script there and on the reference."""
    import subprocess
    import sys

    repro = tmp_path / "repro"
    code = cogsync_cli("verify", "--in-process", "cogsync.mutants:stale_replace_accepted", "--properties",
                       "CONF-1", "--report-dir", str(repro), "--budget", "quick", "--seed", "1", "--quiet")
    assert code == 1, capsys.readouterr().out
    script = repro / "CONF-1-1.py"
    there = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert there.returncode == 1 and "\nreproduced: [CONF-1] " in there.stdout, there.stdout + there.stderr
    fixed = subprocess.run([sys.executable, str(script), "--embedded"], capture_output=True, text=True,
                           timeout=120)
    assert fixed.returncode == 0 and "\nkept: [CONF-1] " in fixed.stdout, fixed.stdout + fixed.stderr
