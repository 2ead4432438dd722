"""The sequential model, seen as a specification for the linearizability checker.

The checker (``linearizability.check``) is generic; this adapter tells it how the
contract's model steps (``Model.judge``), which calls are independent (datasets
share nothing in the concurrency workload), how a successful write reveals its
place (the sync count it returned) and how to say in words why an answer cannot be
placed.
"""

from __future__ import annotations

from collections.abc import Hashable

from cogsync.contracts.calls import Call, Ok, Outcome
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.model import Belief, Model


class ModelSpec:
    """A ``SequentialSpec`` over :class:`Model` beliefs (hashable sets of candidate worlds)."""

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS, model: Model | None = None,
                 per_identity: bool = False, counts_may_restart: bool = False):
        self.model = model or Model(limits=limits, check_schemas=False)
        self.per_identity = per_identity
        self.counts_may_restart = counts_may_restart

    def initial(self) -> Belief:
        return self.model.initial()

    def step(self, state: Belief, call: Call, outcome: Outcome) -> Belief | None:
        judgement = self.model.judge(state, call, outcome)
        return judgement.belief if judgement.ok else None

    def partition(self, call: Call) -> Hashable:
        """One dataset: sync counts order its writes, and datasets share no records.

        Sound for workloads that stay under the dataset limit and never list
        datasets, where datasets are independent. With ``per_identity`` one identity
        (ListDatasets sees its datasets come and go): the concurrency runner's rounds,
        one dataset of one identity each, list datasets too.
        """
        return call.scope[:2] if self.per_identity else call.scope

    def order_key(self, call: Call, outcome: Outcome) -> int | None:
        """A successful write's records all carry the dataset's new sync count.

        Counts rise in every accepted order, unless a history deletes a dataset
        (``counts_may_restart``): a re-created dataset may count from 0 again (DS-3's
        MAY), so no write has a key there and the search goes without this pruning.
        """
        if self.counts_may_restart:
            return None
        if call.operation == "UpdateRecords" and isinstance(outcome, Ok):
            counts = {r.get("SyncCount") for r in outcome.body.get("Records") or []}
            if len(counts) == 1:
                (count,) = counts
                return count if isinstance(count, int) else None
        return None

    def explain(self, state: Belief, call: Call, outcome: Outcome) -> str:
        judgement = self.model.judge(state, call, outcome)
        if judgement.ok:
            return "the model allows this answer here"
        return "; ".join(
            f"[{v.property_id}] {v.title} (expected {v.expected}; received {v.received})"
            for v in judgement.violations
        )
