"""``cogsync verify --faults``: the kit survives its own faults and judges them honestly.

Under every fault kind a run ends (its deadline holds), never crashes, never reports a
fault as the server's failure, and reports what it injected: a run note (the table's
notes) and a ``faults`` member of the JSON report listing each fault.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cogsync.cli import main
from cogsync.conformance.concurrency import is_a_race, judge_history, race
from cogsync.conformance.config import RunConfig
from cogsync.conformance.history import History, Operation
from cogsync.conformance.results import FaultReport, RunResult
from cogsync.conformance.scope import Scope
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.constraints import DEFAULT_LIMITS
from cogsync.errors import UsageError
from cogsync.faults.spec import FaultKind, FaultSpec
from cogsync.faults.target import DUPLICATE_DELIVERY, FaultyTarget
from cogsync.mutants import get, reference
from cogsync.report.serialize import run_from_dict, run_to_dict
from cogsync.targets import InProcessTarget

#: Cheap, and still every phase that judges writes: probes, programs, concurrency.
NARROW = ["--budget", "quick", "--max-examples", "2", "--properties", "SYNC-1,SYNC-2,CONF-1,CONF-6,TOK-4"]
HIDES_ANSWERS = {"drop-request", "drop-answer", "reset"}


@pytest.mark.parametrize("kind", [k.value for k in FaultKind])
def test_under_each_fault_kind_a_run_ends_reports_its_faults_and_blames_none_on_the_server(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    spec = f"{kind}=0.2" + (",delay-seconds=0.02" if kind == "delay" else "")
    report = tmp_path / "run.json"
    code = main(["verify", "--faults", spec, *NARROW, "--deadline", "60", "--seed", "7",
                 "--report-json", str(report), "-q"])
    out = capsys.readouterr().out
    assert code in (0, 2)  # never 1: a fault is never the server's failure; never 3 or a crash
    faults = json.loads(report.read_text())["faults"]
    assert faults["spec"] == spec and faults["injected"]
    assert {f["kind"] for f in faults["injected"]} == {kind}
    assert all(f["phase"] and f["what"] for f in faults["injected"])
    assert (faults["unknown_answers"] > 0) == (kind in HIDES_ANSWERS)
    assert faults["summary"] in out  # the run note: "N faults injected (SPEC): ...; M answers unknown"
    assert f"{len(faults['injected'])} faults injected ({spec})" in faults["summary"]
    assert f"; {faults['unknown_answers']} answer" in faults["summary"]


def test_the_deadline_holds_against_delays_longer_than_the_run(capsys: pytest.CaptureFixture[str]):
    code = main(["verify", "--faults", "delay=1,delay-seconds=30", "--deadline", "1", "--seed", "7", "-q"])
    out = capsys.readouterr().out
    assert code == 2 and "the run's deadline passed" in out and "fault injected" in out


def test_a_bad_spec_is_a_usage_error_naming_the_option(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as stopped:
        main(["verify", "--faults", "drop-everything=1"])
    assert stopped.value.code == 3
    assert "--faults" in capsys.readouterr().err
    with pytest.raises(UsageError, match="--faults"):
        RunConfig(faults="duplicate=2")


def test_the_fault_report_survives_the_json_round_trip():
    run = RunResult.empty(target="t", profile="default", seed=1, budget="quick")
    run.faults = FaultReport("duplicate=0.2", [{"index": 3, "kind": "duplicate", "what": "UpdateRecords",
                                                "phase": "probes"}], unknown_answers=2, requests=9)
    data = run_to_dict(run)
    assert data["faults"]["summary"] == ("1 fault injected (duplicate=0.2): 1 duplicate, over 9 requests; "
                                         "2 answers unknown")
    assert run_from_dict(json.loads(json.dumps(data))).faults == run.faults
    assert run_to_dict(RunResult.empty(target="t", profile="default", seed=1, budget="quick"))["faults"] is None


def _write(op_id: int, client: int, count: int, start: float, end: float | None, outcome: object) -> Operation:
    params = {"IdentityPoolId": "us-east-1:1", "IdentityId": "us-east-1:2", "DatasetName": "d",
              "SyncSessionToken": f"t{op_id}",
              "RecordPatches": [{"Op": "replace", "Key": "k", "Value": str(op_id), "SyncCount": count}]}
    return Operation(op_id, client, Call("UpdateRecords", params), start, end, outcome)  # type: ignore[arg-type]


def test_a_compare_and_set_race_of_known_answers_is_a_race_whatever_lost_answers_did():
    conflict = Err("ResourceConflictException", 409, "Current SyncCount for: k is: 1 not: 0")
    known_pair = [_write(1, 0, 0, 0.0, 1.0, Ok({"Records": []})), _write(2, 1, 0, 2.0, 3.0, conflict)]
    lost = _write(3, 2, 1, 4.0, 5.0, Unknown("timeout: the answer was lost (fault injected: drop-answer)"))
    assert is_a_race(History([*known_pair, lost]))
    assert not is_a_race(History([known_pair[0], lost]))  # one known write: nothing raced


def test_a_duplicated_write_in_a_race_is_an_open_copy_that_a_correct_server_explains_and_a_mutant_cannot():
    verdicts = {}
    for name, app in (("reference", reference()), ("retry-applied-twice", get("retry-applied-twice").build())):
        faulty = FaultyTarget(InProcessTarget(app))
        faulty.use(FaultSpec.parse("duplicate=1").schedule())
        history = race(faulty, Scope(RunConfig(seed=3)), clients=3, rng=random.Random(3))
        copies = [op for op in history if isinstance(op.outcome, Unknown) and op.outcome.reason == DUPLICATE_DELIVERY]
        assert copies and all(op.call.operation in ("UpdateRecords", "DeleteDataset") for op in copies)
        verdicts[name] = judge_history(history, DEFAULT_LIMITS, timeout=30).ok
    assert verdicts == {"reference": True, "retry-applied-twice": False}
