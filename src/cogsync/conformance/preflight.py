"""Preflight: before any phase, decide whether the target is a Cognito Sync server we can test.

A gate is worth exactly as much as its green. A server that refuses our credentials
answers every call with a 403 the model allows; a plain web server answers 404s; a
throttling one answers nothing at all. Judged call by call, each looks like a server
that "passes" something. So before the phases run, a short fixed sequence of calls on a fresh
dataset (ListDatasets, ListRecords, one UpdateRecords with the listed token,
DeleteDataset) decides what the target is:

============  ==================================================================  ========
verdict       when                                                                the run
============  ==================================================================  ========
UNUSABLE      no connection (refused, unknown host, reset); credentials refused  exit 3
              (403 with an auth error type); writes refused (reads answer,
              UpdateRecords is 403 AccessDenied/NotAuthorized); answers that are
              not JSON (HTML, garbage); 404 without an error type on every route
INCONCLUSIVE  throttled after backing off; no answer in time; deadline passed    exit 2
BROKEN        JSON answers, but the sequence could not complete (no token, the    exit 1
              write refused, a 5xx...): the model says which properties broke
USABLE        the sequence completed; its failures, if any, still count           goes on
============  ==================================================================  ========

Every JSON answer is judged by the model like any other (a :class:`Session`), but the
preflight's answers never count as evidence for a pass: only their failures are kept.
On a named identity (real AWS) the dataset is run-prefixed and remembered for cleanup,
and ListDatasets is not judged (the identity's other datasets are unknown).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cogsync.conformance.backoff import TargetKeptThrottling, is_throttled
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session, Tally
from cogsync.contracts.calls import AUTH_ERROR_TYPES, Call, Err, Ok, Unknown
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.model import Model
from cogsync.errors import InfrastructureError
from cogsync.targets.base import CLIENT_REFUSED, UNNAMED_4XX, Response, Target, error_type_of

#: The key the preflight's one write puts in its fresh dataset.
PREFLIGHT_KEY = "cogsync-preflight"
#: How to give credentials, said whenever they were refused.
CREDENTIALS_HINT = (
    "pass credentials it accepts (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), "
    "or --no-sign-request for a server that checks no signatures"
)
#: Write refusals that mean "these credentials may read but not write".
WRITE_REFUSALS = frozenset({"AccessDeniedException", "NotAuthorizedException"})
_SNIPPET = 60


class Verdict(StrEnum):
    USABLE = "usable"
    UNUSABLE = "unusable"
    INCONCLUSIVE = "inconclusive"
    BROKEN = "broken"


@dataclass(frozen=True)
class PreflightReport:
    """What the preflight decided, why (one line), and the contract failures it saw."""

    verdict: Verdict
    reason: str
    failures: tuple[Failure, ...] = ()
    steps: tuple[SentCall, ...] = ()


class _Decided(Exception):
    """Ends the sequence early with a verdict."""

    def __init__(self, verdict: Verdict, reason: str):
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason


def run_preflight(
    target: Target,
    *,
    model: Model,
    scope: Scope,
    selected: frozenset[str] | None = None,
    stopping: tuple[type[Exception], ...] = (),
) -> PreflightReport:
    """Run the sequence against ``target`` and classify it (see the module docstring).

    ``stopping``: exceptions the target may raise that mean the run must stop (the
    engine's deadline watch); they make the preflight inconclusive, like
    :class:`TargetKeptThrottling` from the backoff.
    """
    sequence = _PreflightSequence(target, model, scope, selected)
    try:
        sequence.run()
    except _Decided as decided:
        verdict, reason = decided.verdict, decided.reason
    except (TargetKeptThrottling, *stopping) as exc:
        verdict, reason = Verdict.INCONCLUSIVE, f"the preflight could not finish: {exc}"
    else:
        verdict, reason = Verdict.USABLE, f"the preflight sequence against {target.name} completed"
    if verdict is Verdict.BROKEN and sequence.every_answer_unrouted():
        verdict, reason = Verdict.UNUSABLE, sequence.unrouted_reason()
    return PreflightReport(verdict, reason, tuple(sequence.session.failures), tuple(sequence.session.steps))


class _PreflightSequence:
    """The four calls, each answer screened before the next call is made."""

    def __init__(self, target: Target, model: Model, scope: Scope, selected: frozenset[str] | None):
        self.target = target
        self.scope = scope
        # A throwaway tally: the preflight's answers are never evidence for a pass.
        self.session = Session(target, model, tally=Tally(), selected=selected)
        self.answers: list[Response] = []
        self.identity = scope.identity()
        self.dataset = scope.dataset("cogsync-preflight")

    def ids(self, **extra: Any) -> dict[str, Any]:
        return {"IdentityPoolId": self.identity.pool_id, "IdentityId": self.identity.identity_id, **extra}

    def run(self) -> None:
        # ListDatasets of a named identity shows datasets the model cannot know: unjudged.
        self.send(Call("ListDatasets", self.ids()), judged=not self.scope.real)
        listed = self.send(Call("ListRecords", self.ids(DatasetName=self.dataset)))
        token = listed.outcome.body.get("SyncSessionToken") if isinstance(listed.outcome, Ok) else None
        if not isinstance(token, str) or not token:
            how = "without" if isinstance(listed.outcome, Ok) else "instead of"
            raise self.broken(f"ListRecords of a new dataset answered {describe(listed)} {how} a "
                              "SyncSessionToken")
        self.scope.remember(self.identity, self.dataset)
        patch = {"Op": "replace", "Key": PREFLIGHT_KEY, "Value": "1", "SyncCount": 0}
        written = self.send(Call("UpdateRecords", self.ids(DatasetName=self.dataset, SyncSessionToken=token,
                                                           RecordPatches=[patch])))
        if not isinstance(written.outcome, Ok):
            raise self.broken(f"UpdateRecords of a new dataset, with the token ListRecords gave, answered "
                              f"{describe(written)}")
        deleted = self.send(Call("DeleteDataset", self.ids(DatasetName=self.dataset)))
        if not isinstance(deleted.outcome, Ok):
            raise self.broken(f"DeleteDataset of the dataset it had just written answered {describe(deleted)}")

    def send(self, call: Call, *, judged: bool = True) -> Response:
        response = self.session.send(call) if judged else self.target.send(call)
        self.answers.append(response)
        self.screen(response)
        return response

    def screen(self, response: Response) -> None:
        """Stop at an answer that says the target cannot be tested at all."""
        operation = response.call.operation
        outcome = response.outcome
        if response.status is None and isinstance(outcome, Unknown) and outcome.status is None:
            raise _Decided(*no_answer(self.target.name, operation, outcome.reason))
        if is_throttled(response):
            raise _Decided(Verdict.INCONCLUSIVE, f"the preflight was throttled: {operation} answered "
                                                 f"{describe(response)}")
        if not_json(response.raw_body):
            raise _Decided(Verdict.UNUSABLE, f"{self.target.name} is not a Cognito Sync endpoint: "
                                             f"{operation} answered {wire_summary(response)}; expected "
                                             "JSON from the Cognito Sync rest-json API: check the endpoint URL")
        if isinstance(outcome, Err) and outcome.error_type in AUTH_ERROR_TYPES:
            refused = f"{operation} answered {outcome.status} {outcome.error_type}: {outcome.message or '(no message)'}"
            if operation in ("UpdateRecords", "DeleteDataset") and outcome.error_type in WRITE_REFUSALS:
                raise _Decided(Verdict.UNUSABLE, f"{self.target.name} answers reads but refused a write "
                                                 f"({refused}): cogsync needs credentials allowed to write and "
                                                 "delete datasets of the identity")
            raise _Decided(Verdict.UNUSABLE, f"{self.target.name} refused the credentials ({refused}): "
                                             f"{CREDENTIALS_HINT}")

    def broken(self, why: str) -> _Decided:
        return _Decided(Verdict.BROKEN, f"the preflight could not complete ({why})")

    def every_answer_unrouted(self) -> bool:
        """404 without an AWS error type on every call: no such API here."""
        return bool(self.answers) and all(unrouted(r) for r in self.answers)

    def unrouted_reason(self) -> str:
        last = self.answers[-1]
        calls = " and ".join(dict.fromkeys(r.call.operation for r in self.answers))
        return (f"{self.target.name} is not a Cognito Sync endpoint: {calls} answered "
                f"{wire_summary(last)}; expected the Cognito Sync rest-json API: check the endpoint URL")


# --- reading one answer -------------------------------------------------------------------


def no_answer(name: str, operation: str, reason: str) -> tuple[Verdict, str]:
    """What a call without an HTTP answer says of the target."""
    if reason.startswith("timeout"):
        return Verdict.INCONCLUSIVE, f"the preflight got no answer in time: {operation} to {name} ({reason})"
    if reason.startswith(CLIENT_REFUSED):
        return Verdict.UNUSABLE, f"cogsync could not send {operation} to {name} ({reason})"
    if any(mark in reason for mark in ("reset by peer", "aborted", "RemoteDisconnected", "closed")):
        return Verdict.UNUSABLE, (f"{name} closed the connection without answering {operation} ({reason}); "
                                  "is it an HTTP server, and is the scheme (http/https) right?")
    return Verdict.UNUSABLE, f"cannot reach {name}: {reason}; is a server listening there?"


def not_json(raw: bytes | None) -> bool:
    """A body that is there and is not JSON at all (HTML, plain text, garbage)."""
    if raw is None or not raw.strip():
        return False
    try:
        json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return True
    return False


def unrouted(response: Response) -> bool:
    """A 404 that names no AWS error type: the path is unknown to the server."""
    if response.status != 404:
        return False
    body: Any = None
    try:
        body = json.loads(response.raw_body or b"")
    except (UnicodeDecodeError, ValueError, RecursionError):
        pass
    return error_type_of(response.headers, body if isinstance(body, dict) else None) == UNNAMED_4XX


def wire_summary(response: Response) -> str:
    """Status, content type and the first bytes of the body, for a one-line message."""
    content_type = response.headers.get("content-type", "no Content-Type")
    raw = response.raw_body or b""
    shown = repr(raw[:_SNIPPET].decode("utf-8", "replace")) + ("..." if len(raw) > _SNIPPET else "")
    return f"HTTP {response.status}, {content_type}, body {shown if raw else '(empty)'}"


def describe(response: Response) -> str:
    """An answer in a few words: the JSON body, the error, or why there was none."""
    outcome = response.outcome
    if isinstance(outcome, Ok):
        text = json.dumps(outcome.body, sort_keys=True)
        return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."
    if isinstance(outcome, Err):
        message = f": {outcome.message}" if outcome.message else ""
        return f"HTTP {outcome.status} {outcome.error_type}{message}"
    kind, _, rest = outcome.reason.partition(": ")
    if kind in ("server error", "throttled") and rest.startswith("HTTP "):
        return rest  # "HTTP 500 InternalErrorException: boom"
    return outcome.reason


class TargetUnusable(InfrastructureError):
    """The preflight found a target that cannot be tested at all (CLI exit 3)."""
