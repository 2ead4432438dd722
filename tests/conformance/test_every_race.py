"""The concurrency phase races every call against every other, and never counts an undecided history.

The openings rotate round by round (``concurrency.OPENINGS``), so a quick run's three
rounds put UpdateRecords against UpdateRecords, DeleteDataset, a listing and a
describe at the same instant; a history the checker cannot decide in its time cap is
a run note and CONF-6's note, never a pass or a fail.
"""

from __future__ import annotations

import itertools
import random

from cogsync.conformance import concurrency, engine
from cogsync.conformance.config import RunConfig
from cogsync.conformance.lin_spec import ModelSpec
from cogsync.conformance.linearizability import CheckResult
from cogsync.conformance.results import Status
from cogsync.conformance.scope import Scope
from cogsync.contracts.calls import Call, Ok
from cogsync.mutants import reference
from cogsync.targets.in_process import InProcessTarget

#: The opening move -> the operation it sends after the barrier.
_OPERATION = {"cas": "UpdateRecords", "fresh": "UpdateRecords", "delete": "DeleteDataset",
              "list": "ListRecords", "describe": "DescribeDataset", "list_datasets": "ListDatasets"}
QUICK_ROUNDS = 3
CLIENTS = RunConfig().concurrency


def _pairs_raced_in_quick_rounds() -> set[frozenset[str]]:
    pairs = set()
    for opening in concurrency.OPENINGS[:QUICK_ROUNDS]:
        moves = [_OPERATION[opening[k % len(opening)]] for k in range(CLIENTS)]
        pairs |= {frozenset((a, b)) for a, b in itertools.combinations(moves, 2)}
    return pairs


def test_the_quick_rounds_open_with_every_pair_the_contract_cares_about() -> None:
    wanted = {frozenset(p) for p in (("UpdateRecords",), ("UpdateRecords", "DeleteDataset"),
                                     ("DeleteDataset", "ListRecords"),
                                     ("DescribeDataset", "UpdateRecords"),
                                     ("DeleteDataset", "DescribeDataset"))}
    assert wanted <= _pairs_raced_in_quick_rounds()


def test_a_round_with_a_delete_is_decided_linearizable_on_the_reference() -> None:
    target = InProcessTarget(reference())
    history = concurrency.race(target, Scope(RunConfig()), clients=CLIENTS, rng=random.Random(3),
                               opening=concurrency.OPENINGS[1])
    operations = {op.call.operation for op in history}
    assert {"DeleteDataset", "UpdateRecords", "ListRecords", "ListDatasets"} <= operations
    deleted = [op for op in history if op.call.operation == "DeleteDataset" and isinstance(op.outcome, Ok)]
    assert deleted, "the opening delete found the dataset client 0 wrote first"
    assert concurrency.judge_history(history, RunConfig().limits, timeout=30).ok is True


def test_histories_that_delete_are_searched_without_count_order_pruning() -> None:
    write = Call("UpdateRecords", {"IdentityPoolId": "p", "IdentityId": "i", "DatasetName": "d"})
    answer = Ok({"Records": [{"Key": "k", "SyncCount": 4}]})
    assert ModelSpec().order_key(write, answer) == 4
    assert ModelSpec(counts_may_restart=True).order_key(write, answer) is None
    assert ModelSpec(per_identity=True).partition(write) == ("p", "i")


def test_an_undecided_history_is_a_run_note_never_a_verdict(monkeypatch) -> None:
    monkeypatch.setattr(concurrency, "judge_history",
                        lambda *_a, **_k: CheckResult(ok=None, explanation="the checker's time cap ran out"))
    result = engine.run(InProcessTarget(reference()),
                        RunConfig(budget="quick", seed=5, properties=("CONF-6",), skip_preflight=True))
    entry = result.results["CONF-6"]
    assert entry.status is Status.INCONCLUSIVE
    assert "time cap ran out" in entry.note
    assert sum("could not be decided in time" in note for note in result.notes) == QUICK_ROUNDS
