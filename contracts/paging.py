"""Whole paginations of ListRecords, followed page by page and judged once complete.

LIST-4 and LIST-5 speak of a pagination as a whole (no record lost or repeated across
pages), so each client's pages are gathered from the first page (no NextToken) to the
last (none in the answer), then handed to :meth:`Model.judge_pages`. Shared by the
public :class:`~cogsync.contracts.judge.Judge` and the conformance engine's session.
"""

from __future__ import annotations

from typing import Any

from cogsync.contracts.calls import Call, Ok, Outcome
from cogsync.contracts.failures import Failure
from cogsync.contracts.model import Belief, Model

PAGING = ("LIST-4", "LIST-5")


class Paginations:
    """Each client's open pagination, keyed by client and dataset."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._open: dict[tuple[Any, ...], tuple[Belief, Call, list[Outcome]]] = {}

    def page(self, before: Belief, call: Call, outcome: Outcome,
             client: Any) -> tuple[set[str], list[Failure]]:
        """Take one answer; when it ends a pagination of two pages or more, what the whole
        pagination witnessed and broke of LIST-4/LIST-5 (else nothing)."""
        if call.operation != "ListRecords":
            return set(), []
        if call.params.get("NextToken") is None:
            body = outcome.body if isinstance(outcome, Ok) else None
            if not (isinstance(body, dict) and body.get("NextToken")):
                if self._open:
                    self._open.pop((client, *call.scope), None)
                return set(), []  # one page: no pagination to follow (the usual listing)
            key = (client, *call.scope)
            self._open[key] = (before, call, [])
        else:
            key = (client, *call.scope)
        start = self._open.get(key)
        if start is None or not isinstance(outcome, Ok):
            self._open.pop(key, None)
            return set(), []
        start[2].append(outcome)
        if outcome.body.get("NextToken"):
            return set(), []
        del self._open[key]
        if len(start[2]) < 2:
            return set(), []
        judgement = self.model.judge_pages(start[0], start[1], start[2])
        return ({pid for pid in judgement.witnessed if pid in PAGING},
                [v for v in judgement.violations if v.property_id in PAGING])
