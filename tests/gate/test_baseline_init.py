"""`cogsync baseline init`: a JSON report's failures become a TOML baseline that makes the same
run pass (real subprocesses of the CLI on a mutant of the reference emulator)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from cogsync.baseline import Baseline

from .conftest import MUTANT_SOURCE, parse_table, run_cogsync

MUTANT = "cogsync_mutant_drop_values:make_app"
RUN = ("verify", "--in-process", MUTANT, "--budget", "quick", "--seed", "5",
       "--properties", "SYNC-*,LIST-*")


def test_init_writes_a_baseline_that_forgives_the_report_s_failures(tmp_path: Path) -> None:
    (tmp_path / "cogsync_mutant_drop_values.py").write_text(MUTANT_SOURCE)
    env = {**os.environ, "CI": "true"}
    first = run_cogsync(*RUN, "--report-json", "report.json", "--report-dir", "repro", cwd=tmp_path, env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    failing = {p["id"]: p["failures"][0]["title"] for p in report["properties"] if p["status"] == "fail"}
    assert failing, report

    init = run_cogsync("baseline", "init", "report.json", cwd=tmp_path, env=env)
    assert init.returncode == 0 and init.stderr == "", init.stderr
    (tmp_path / "known.toml").write_text(init.stdout)
    data = tomllib.loads(init.stdout)
    assert {e["id"]: e["reason"] for e in data["known"]} == failing  # the failure's title as reason
    assert all(set(e) == {"id", "reason"} for e in data["known"])  # no expiry
    for pid in failing:  # each entry under a comment saying what the contract expected
        assert f"\n# {pid} (MUST, fail): " in init.stdout or f"\n# {pid} (SHOULD, fail): " in init.stdout
    assert "#   expected: " in init.stdout and "#   received: " in init.stdout
    assert len(Baseline.load(tmp_path / "known.toml").entries) == len(failing)

    again = run_cogsync(*RUN, "--baseline", "known.toml", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    table = parse_table(again.stdout)
    assert {pid for pid, cells in table.items() if cells[1] == "known"} == set(failing)


def test_init_on_a_report_without_failures_writes_an_empty_baseline(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    ok = run_cogsync("verify", "--budget", "quick", "--seed", "2", "--properties", "SYNC-1", "--quiet",
                     "--report-json", str(report))
    assert ok.returncode == 0, ok.stderr
    init = run_cogsync("baseline", "init", str(report))
    assert init.returncode == 0
    assert Baseline.parse(init.stdout, fmt="toml").entries == ()
    assert "this baseline forgives nothing" in init.stdout


def test_init_on_something_else_is_one_line_and_exit_3(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    for path in (other, tmp_path / "absent.json"):
        result = run_cogsync("baseline", "init", str(path))
        assert result.returncode == 3 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith(f"cogsync: error: report={str(path)!r} is not allowed")
