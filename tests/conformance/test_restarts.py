"""The restarts phase (DUR-1): its schedule, its judge, in-process restarts, and what it forgives.

Targets are the real emulator in-process over a SQLite file of the test, rebuilt from
its factory at each restart (what ``--restart`` does); a wrapper loses one answer, and
a rebuild that forgets every token stands for a server whose tokens die with it.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cogsync.conformance.config import RunConfig
from cogsync.conformance.durability import Dataset, Listing, judge_read_back, restart_points
from cogsync.conformance.engine import run
from cogsync.conformance.results import Status
from cogsync.contracts.calls import Call, Unknown
from cogsync.errors import UsageError
from cogsync.targets import InProcessTarget
from cogsync.targets.base import Response
from cogsync.targets.emulator_app import build_emulator_app

OWNER = {"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-0000000000aa",
         "IdentityId": "us-east-1:00000000-0000-4000-8000-0000000000bb"}


def dur_1(target: Any, **options: Any) -> Any:
    config = {"budget": "quick", "seed": 5, "properties": ("DUR-1",), "restart_in_process": True, **options}
    return run(target, RunConfig(**config)).results["DUR-1"]


# --- the schedule and the judge ------------------------------------------------------------


def test_restarts_come_every_n_calls_or_at_seeded_points_never_before_the_first_call():
    assert restart_points(random.Random(1), 40, 3, 10) == [10, 20, 30]
    seeded = restart_points(random.Random(1), 40, 3, None)
    assert seeded == restart_points(random.Random(1), 40, 3, None) and len(seeded) == 3
    assert all(0 < point < 40 for point in seeded)


def _dataset(**records: tuple[str | None, int]) -> Dataset:
    return Dataset("d", records=dict(records), count=max((c for _v, c in records.values()), default=0))


def _listing(count: int, exists: bool = True, **records: tuple[str | None, int]) -> Listing:
    return Listing(exists, count, dict(records), "token", ())


def test_the_judge_passes_a_read_back_showing_every_acknowledged_record_and_count():
    assert judge_read_back(_dataset(a=("x", 1), b=(None, 2)), _listing(2, a=("x", 1), b=(None, 2))) == []


@pytest.mark.parametrize(("listing", "blamed"), [
    (_listing(1, a=("x", 1)), "'b' is missing, acknowledged as a tombstone at SyncCount 2"),
    (_listing(2, a=("old", 1), b=(None, 2)), "'a' is 'old' at SyncCount 1, acknowledged as 'x'"),
    (_listing(0, exists=False), "gone (DatasetExists false)"),
    (_listing(1, a=("x", 1), b=(None, 2)), "DatasetSyncCount went back to 1 from the acknowledged 2"),
])
def test_the_judge_names_what_a_restart_lost(listing: Listing, blamed: str):
    problems = judge_read_back(_dataset(a=("x", 1), b=(None, 2)), listing)
    assert blamed in "; ".join(problems)


def test_a_write_whose_answer_was_lost_may_show_as_applied_or_not_but_never_in_part():
    def unsure() -> Dataset:
        dataset = _dataset(a=("x", 1))
        dataset.unsure = {"a": "y", "b": "y"}
        return dataset

    assert judge_read_back(unsure(), _listing(1, a=("x", 1))) == []
    assert judge_read_back(unsure(), _listing(2, a=("y", 2), b=("y", 2))) == []
    (problem,) = judge_read_back(unsure(), _listing(2, a=("y", 2)))
    assert "landed in part" in problem


# --- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "named"), [
    ({"restart_every": 5}, "restart_every"),
    ({"restart_every": 0, "restart_in_process": True}, "restart_every"),
    ({"restart_command": "  "}, "restart_command"),
    ({"restart_command": "true", "restart_in_process": True}, "restart_in_process"),
])
def test_restart_options_that_cannot_work_are_refused_naming_the_option(options: dict, named: str):
    with pytest.raises(UsageError, match=named):
        RunConfig(**options)


def test_an_in_process_restart_needs_a_factory_to_rebuild_from():
    app, _owner = build_emulator_app()
    with pytest.raises(UsageError, match="--restart-command"):
        dur_1(InProcessTarget(app))


# --- in-process restarts -----------------------------------------------------------------


def _write_then_restart(target: InProcessTarget) -> dict[str, Any]:
    listing = {**OWNER, "DatasetName": "kept"}
    token = target.send(Call("ListRecords", listing)).outcome.body["SyncSessionToken"]
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}
    target.send(Call("UpdateRecords", {**listing, "SyncSessionToken": token, "RecordPatches": [patch]}))
    target.restart()
    return target.send(Call("ListRecords", listing)).outcome.body


def test_an_in_process_restart_reopens_the_sqlite_file_and_empties_memory(tmp_path: Path):
    on_disk = _write_then_restart(InProcessTarget.emulator(storage=f"sqlite:{tmp_path / 'e.db'}"))
    assert [(r["Key"], r["Value"], r["SyncCount"]) for r in on_disk["Records"]] == [("k", "v", 1)]
    assert _write_then_restart(InProcessTarget.emulator())["DatasetExists"] is False


def test_the_embedded_emulator_on_sqlite_passes_dur_1_and_in_memory_fails_it(tmp_path: Path):
    assert dur_1(InProcessTarget.emulator(storage=f"sqlite:{tmp_path / 'e.db'}")).status is Status.PASS
    lost = dur_1(InProcessTarget.emulator())
    assert lost.status is Status.FAIL and "in memory only" in lost.failures[0].received


def test_without_a_way_to_restart_dur_1_is_not_applicable_saying_how_to_give_one():
    result = dur_1(InProcessTarget.emulator(), restart_in_process=False)
    assert result.status is Status.NOT_APPLICABLE and "--restart-command" in result.note


def test_tokens_refused_after_a_restart_are_never_a_failure(tmp_path: Path):
    """TOK-5: the phase lists again for a fresh token."""
    path = tmp_path / "tokens.db"

    def forgetting_tokens() -> tuple[Any, Any]:
        with sqlite3.connect(path) as conn:
            conn.execute("DELETE FROM tokens")
        return build_emulator_app(storage=f"sqlite:{path}")

    app, owner = build_emulator_app(storage=f"sqlite:{path}")
    result = dur_1(InProcessTarget(app, owner=owner, rebuild=forgetting_tokens), restart_every=4)
    assert result.status is Status.PASS and result.witnesses > 0


class LosesAnswers:
    """The real target, except that every 5th write's answer is lost after it was applied."""

    def __init__(self, inner: InProcessTarget) -> None:
        self.inner, self.writes = inner, 0
        self.name, self.supports_raw, self.supports_restart = inner.name, inner.supports_raw, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def send(self, call: Call) -> Response:
        response = self.inner.send(call)
        if call.operation == "UpdateRecords":
            self.writes += 1
            if self.writes % 5 == 0:
                return Response(call, Unknown("the answer was lost"), None)
        return response


def test_an_answer_lost_before_a_restart_is_an_unknown_outcome_not_a_failure(tmp_path: Path):
    target = LosesAnswers(InProcessTarget.emulator(storage=f"sqlite:{tmp_path / 'e.db'}"))
    assert dur_1(target, restart_every=5).status is Status.PASS
    assert target.writes >= 5  # the 5th write's answer was lost, just before the first restart


def test_a_restart_command_that_outlives_the_deadline_ends_the_run_inconclusive():
    result = dur_1(InProcessTarget.emulator(), restart_in_process=False, restart_command="sleep 30",
                   deadline_seconds=1.5)
    assert result.status is Status.INCONCLUSIVE
