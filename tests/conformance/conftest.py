"""Helpers for judging real answers with the model, call by call."""

from __future__ import annotations

import uuid
from typing import Any

from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.model import Model
from cogsync.targets import InProcessTarget


class Judged:
    """Calls through an in-process target on ``app``, each answer judged by the model in turn."""

    def __init__(self, app: Any) -> None:
        self.target = InProcessTarget(app)
        self.model = Model()
        self.belief = self.model.initial()
        self.violations: list[tuple[str, str, str, str]] = []
        self.findings: dict[str, set[str]] = {}
        self.ids = {"IdentityPoolId": f"us-east-1:{uuid.uuid4()}",
                    "IdentityId": f"us-east-1:{uuid.uuid4()}", "DatasetName": "d"}

    @property
    def owner(self) -> dict[str, str]:
        return {k: self.ids[k] for k in ("IdentityPoolId", "IdentityId")}

    def send(self, operation: str, **params: Any) -> Any:
        call = Call(operation, params)
        response = self.target.send(call)
        self._take(self.model.judge(self.belief, call, response.outcome,
                                    started_at=response.started_at, ended_at=response.ended_at))
        return response

    def pages(self, **params: Any) -> list[Any]:
        """A whole ListRecords pagination, judged as one listing (LIST-4, LIST-5)."""
        call = Call("ListRecords", {**self.ids, **params})
        started = None
        outcomes = []
        while True:
            response = self.target.send(
                call if not outcomes else
                Call("ListRecords", {**call.params, "NextToken": outcomes[-1].body["NextToken"]}))
            started = started if started is not None else response.started_at
            outcomes.append(response.outcome)
            if not (isinstance(response.outcome, Ok) and response.outcome.body.get("NextToken")):
                break
        self._take(self.model.judge_pages(self.belief, call, outcomes, started_at=started,
                                          ended_at=response.ended_at))
        return outcomes

    def token(self, **ids: Any) -> str:
        outcome = self.send("ListRecords", **{**self.ids, **ids}).outcome
        assert isinstance(outcome, Ok), outcome
        return str(outcome.body["SyncSessionToken"])

    def write(self, *patches: dict[str, Any], token: str | None = None, **params: Any) -> Any:
        scope = {**self.ids, **{k: params.pop(k) for k in ("DatasetName",) if k in params}}
        token = token if token is not None else self.token(**scope)
        return self.send("UpdateRecords", **scope, SyncSessionToken=token,
                         RecordPatches=list(patches), **params)

    def _take(self, judgement: Any) -> None:
        self.belief = judgement.belief
        self.violations += [(v.property_id, v.title, v.expected, v.received)
                            for v in judgement.violations]
        for finding in judgement.findings:
            self.findings.setdefault(finding.property_id, set()).add(finding.observation)


def replace(key: str, value: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **extra}


def remove(key: str, count: int) -> dict[str, Any]:
    return {"Op": "remove", "Key": key, "SyncCount": count}
