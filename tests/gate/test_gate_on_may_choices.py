"""`cogsync verify` passes correct servers that differ from the reference where the contract allows.

Two such servers, both real WSGI apps run in-process:

- the reference emulator behind the AWS wire habits (tests/support/aws_habits.py):
  nulls for absent members, Java-double timestamps, Coral error types, base64-of-gzip
  tokens; the kit must read them as botocore does;
- the FLIPPED emulator (cogsync.emulator.choices): the other branch at every MAY point.

Each must exit 0 with its MAY choices reported as findings and no failure. The seeds
of the FLIPPED runs (quick 1, ci 7) are ones whose fuzzing draws an id with upper-case
hex, which FLIPPED accepts (VAL-4's MAY); the model once failed that as VAL-1, and
tests/conformance/test_model_agrees_at_former_false_positives.py pins it to one call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HABITS = "tests.support.aws_habits:make_app"
FLIPPED = "cogsync.emulator.apps:flipped_app"
#: MAY points whose findings tell the reference's choice from FLIPPED's.
CHOICE_IDS = ("VAL-4", "SYNC-6", "CONF-7", "DEL-3", "TOK-5", "DS-3", "LIM-4")

Run = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture
def verify(tmp_path: Path) -> Run:
    """``cogsync verify --in-process SPEC --budget B --seed S [extra]``: (exit code, JSON report).

    In a fresh interpreter: a run's examples then depend on its seed alone, not on
    which modules this test process happens to have loaded (Hypothesis draws some
    values from constants it finds in loaded modules).
    """

    def run(spec: str, budget: str, seed: int, *extra: str) -> tuple[int, dict[str, Any]]:
        report = tmp_path / f"{budget}-{seed}.json"
        command = [sys.executable, "-m", "cogsync.cli", "verify", "--in-process", spec,
                   "--budget", budget, "--seed", str(seed), "--quiet", "--report-json", str(report),
                   "--report-dir", str(tmp_path / "repro"), *extra]
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PYTHONPATH": path})  # tests.support, for HABITS
        if done.returncode != 0:
            print(done.stdout, done.stderr)  # the failures, for the test's report
        data = json.loads(report.read_text("utf-8")) if report.exists() else {}
        assert data, done.stderr
        return done.returncode, data

    return run


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["status"] for p in report["properties"]}


def findings(report: dict[str, Any]) -> dict[str, frozenset[str]]:
    return {p["id"]: frozenset(p["findings"]) for p in report["properties"]}


def assert_passes_with_findings(code: int, report: dict[str, Any]) -> None:
    """Exit 0, no failure, the MAY choices reported as findings."""
    failed = sorted(pid for pid, status in statuses(report).items() if status == "fail")
    assert failed == [], failed
    assert code == 0 and report["gate"]["exit_code"] == 0
    may = [p["id"] for p in report["properties"] if p["level"] == "MAY"]
    reported = [pid for pid in may if statuses(report)[pid] == "finding"]
    assert set(reported) >= {"VAL-4", "SYNC-6", "CONF-7", "DEL-3", "TOK-5", "LIM-4"}, reported


# -- the reference, with the real service's wire habits -----------------------------------
def test_the_gate_passes_the_reference_in_aws_wire_habits_quick(verify: Run) -> None:
    code, report = verify(HABITS, "quick", 7)
    assert_passes_with_findings(code, report)


@pytest.mark.slow  # about 15-30 s
def test_the_gate_passes_the_reference_in_aws_wire_habits_ci(verify: Run) -> None:
    code, report = verify(HABITS, "ci", 7)
    assert_passes_with_findings(code, report)


# -- the FLIPPED emulator -------------------------------------------------------------------
def test_the_gate_passes_the_flipped_emulator_quick(verify: Run) -> None:
    code, flipped = verify(FLIPPED, "quick", 1)
    assert_passes_with_findings(code, flipped)
    assert statuses(flipped)["LIST-7"] == "finding"  # pages of 100
    _, reference = verify(HABITS, "quick", 1)
    told_apart = [pid for pid in CHOICE_IDS
                  if findings(flipped)[pid] and findings(reference)[pid]
                  and findings(flipped)[pid] != findings(reference)[pid]]
    assert told_apart == list(CHOICE_IDS)


@pytest.mark.slow  # about 15-30 s
def test_the_gate_passes_the_flipped_emulator_ci(verify: Run) -> None:
    code, report = verify(FLIPPED, "ci", 7)
    assert_passes_with_findings(code, report)
