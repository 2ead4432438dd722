"""benchmarks/bench_vs_schemathesis.py reads schemathesis's reports right and decides kills
as documented: a kind the reference run did not report. The captured strings are
schemathesis 4's own output (JSON report and console) on the reference emulator."""

from __future__ import annotations

import importlib
import json
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

import pytest

DATASETS = "/identitypools/{IdentityPoolId}/identities/{IdentityId}/datasets"
DATASET = DATASETS + "/{DatasetName}"

REPORT = {
    "failures": [
        {"type": "RejectedPositiveData", "code": "ST202", "title": "Schema-valid request rejected",
         "count": 2, "operations": [f"GET {DATASETS}", f"POST {DATASET}"]},
        {"type": "UnsupportedMethodResponse", "code": "ST204", "count": 1,
         "title": "Wrong response to undeclared method", "operations": [f"TRACE {DATASET}"]},
    ],
    "errors": [{"title": "Network Error", "count": 1}],
}

CONSOLE = f"""\
=================================== FAILURES ===================================
_____ GET {DATASETS} _____
1. Test Case ID: m7il74

- ST202 Schema-valid request rejected

    Valid data should have been accepted

[400] Bad Request:

    `{{"message":"Invalid nextToken: ''","__type":"InvalidParameterException"}}`

Reproduce with:

    curl -X GET 'http://127.0.0.1:42363/identitypools/0%3A0/identities/0%3A0/datasets?nextToken='

 TRACE {DATASET} \n1. Test Case ID: GpFmPq

- ST204 Wrong response to undeclared method

    Unsupported method TRACE returned 400, expected 405 Method Not Allowed
2. Test Case ID: AbCdEf

- ST204 Wrong response to undeclared method
- ST001 Server error

[500] Internal Server Error:
=================================== WARNINGS ===================================
- ST999 not a failure: past the failures section
"""


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The benchmark script, imported as ``benchmarks.bench_vs_schemathesis``."""
    return importlib.import_module("benchmarks.bench_vs_schemathesis")


def test_kinds_are_a_check_code_per_operation_and_errors_by_title(bench: ModuleType) -> None:
    assert bench.schemathesis_kinds(REPORT) == {
        f"ST202 GET {DATASETS}", f"ST202 POST {DATASET}", f"ST204 TRACE {DATASET}",
        "error: Network Error",
    }


def test_excerpts_keep_the_first_test_case_of_each_kind(bench: ModuleType) -> None:
    excerpts = bench.schemathesis_excerpts(CONSOLE)
    assert sorted(excerpts) == [f"ST001 TRACE {DATASET}", f"ST202 GET {DATASETS}",
                                f"ST204 TRACE {DATASET}"]
    assert excerpts[f"ST202 GET {DATASETS}"].startswith("1. Test Case ID: m7il74")
    assert "Invalid nextToken" in excerpts[f"ST202 GET {DATASETS}"]
    assert "expected 405" in excerpts[f"ST204 TRACE {DATASET}"]
    assert "[500]" in excerpts[f"ST001 TRACE {DATASET}"]
    assert bench.schemathesis_excerpts("no failures section") == {}


def test_a_kill_is_a_kind_the_reference_run_did_not_report(bench: ModuleType) -> None:
    seeds = [7, 8]
    seen = f"ST202 GET {DATASETS}"

    def outcome(tool: str, app: str, seed: int, *kinds: str) -> object:
        return bench.Outcome(tool, app, seed, list(kinds), 1.0)

    outcomes = [
        outcome("schemathesis", "reference", 7, seen),
        outcome("schemathesis", "reference-with-signatures", 7),
        outcome("schemathesis", "count-per-patch", 7, seen),  # only what the reference shows
        outcome("schemathesis", "bad-sync-count-type-500", 7, seen, f"ST001 POST {DATASET}"),
        *[outcome("cogsync", app, s) for app in ("reference", "reference-with-signatures")
          for s in seeds],
        outcome("cogsync", "count-per-patch", 7, "SYNC-1"),
        outcome("cogsync", "count-per-patch", 8, "SYNC-1"),
        outcome("cogsync", "bad-sync-count-type-500", 7, "WIRE-1"),
        outcome("cogsync", "bad-sync-count-type-500", 8),
    ]
    verdicts = bench.decide(outcomes, ["count-per-patch", "bad-sync-count-type-500"], seeds)
    assert verdicts.schemathesis == {"count-per-patch": [],
                                     "bad-sync-count-type-500": [f"ST001 POST {DATASET}"]}
    assert verdicts.false_positives["schemathesis"]["reference"] == [seen]
    assert verdicts.sweep == {7: ["count-per-patch", "bad-sync-count-type-500"],
                              8: ["count-per-patch"]}
    report = bench.markdown(verdicts, outcomes, version="4.0", seeds=seeds, max_examples=5,
                            transport="in-process", command="bench")
    assert "| mutants killed (of 2) | 1 | 2 |" in report
    assert "Killed only by schemathesis: none." in report
    assert "Same set under every seed: NO." in report
    assert "- bad-sync-count-type-500 (NOT concurrency-only): detected under 1 of 2 seeds." in report
    notes = bench.findings(verdicts, outcomes, 7)
    assert "## bad-sync-count-type-500 (cogsync quick: WIRE-1)" in notes
    assert f"### ST001 POST {DATASET}" in notes and "count-per-patch" not in notes


def test_resume_reuses_the_logged_outcomes_of_the_same_budget(bench: ModuleType, tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    logged = [bench.Outcome("schemathesis", "reference", 7, ["ST204 TRACE /x"], 1.0,
                            budget="--max-examples 5", commit="abc"),
              bench.Outcome("cogsync", "reference", 7, [], 1.0, budget="quick in-process")]
    log.write_text("".join(json.dumps(asdict(o)) + "\n" for o in logged))
    tasks = [bench.Task("schemathesis", "reference", 7), bench.Task("cogsync", "reference", 7)]
    outcomes = bench.run_all(tasks, jobs=1, max_examples=5, transport="in-process", log=log)
    assert outcomes == logged  # nothing ran: both were in the log
    assert set(bench.load_log(log)) == {o.key for o in logged}
    other_budget = bench.load_log(log).get(("schemathesis", "reference", 7, "--max-examples 100"))
    assert other_budget is None
