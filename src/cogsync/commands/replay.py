"""Re-run the failing sequences of a JSON report and say which still fail.

FAILURE is a JSON report from ``cogsync verify --report-json`` (all its failures)
or a directory of them. Each failing sequence is sent again in order; tokens an
answer handed out are taken from the live answers, not the recorded strings (as
the reproduction scripts do); every answer is judged again by the model and the
wire checks. A failure "still fails" when its own property is breached again.
Exit status: 1 if any still fails, 0 if none does, 3 on a usage error.

Each replay is isolated: prefixed dataset names (real AWS) get a fresh run prefix,
invented identity ids (emulators) fresh ids, both of the same length so boundary
lengths stay boundaries; what the replay wrote is deleted afterwards. Concurrent
failures (CONF-6) are replayed one call after another, which may not reproduce a race.
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cogsync.conformance.config import new_run_prefix
from cogsync.contracts.calls import OPERATIONS, Call, Ok, Outcome
from cogsync.contracts.failures import Failure, SentCall
from cogsync.errors import UsageError
from cogsync.report.reproduce import TOKEN_SOURCES, token_refs

#: A dataset name the engine made: the run prefix (``cogsync-`` + 8 hex digits) first.
RUN_PREFIX = re.compile(r"^cogsync-[0-9a-f]{8}")
#: An id the engine invents for an emulator: ``region:GUID``.
INVENTED_ID = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
ID_MEMBERS = ("IdentityPoolId", "IdentityId")


@dataclass(frozen=True)
class Problem:
    """A breach seen while replaying (from the model's judgement or a wire check)."""

    property_id: str
    title: str
    expected: str = ""
    received: str = ""
    step: int = 0

    def describe(self) -> str:
        return (
            f"[{self.property_id}] {self.title} at step {self.step} "
            f"(expected {_short(self.expected)}; received {_short(self.received)})"
        )


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ReplayVerdict:
    failure: Failure
    source: str
    replayable: bool = True
    reason: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def still_fails(self) -> bool:
        return any(p.property_id == self.failure.property_id for p in self.problems)

    @property
    def other_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.property_id != self.failure.property_id]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cogsync.options import add_target_arguments

    parser.add_argument(
        "failure", metavar="FAILURE", help="a JSON report, or a directory of JSON reports"
    )
    add_target_arguments(parser)


def load_failures(path: str | Path) -> list[tuple[str, Failure]]:
    """(report file, failure) for every failure in the report or the directory's reports."""
    from cogsync.report.json_report import read_json

    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            raise UsageError(
                f"failure={str(path)!r} is not allowed: the directory holds no .json report."
            )
    elif path.is_file():
        files = [path]
    else:
        raise UsageError(f"failure={str(path)!r} is not allowed: no such file or directory.")
    found: list[tuple[str, Failure]] = []
    for file in files:
        try:
            run = read_json(file)
        except (ValueError, KeyError, TypeError) as exc:
            if path.is_dir():
                continue  # other JSON files may share the directory
            raise UsageError(
                f"failure={str(file)!r} is not allowed: not a cogsync JSON report ({exc})."
            ) from None
        found += [(str(file), f) for f in run.failures()]
    return found


def renamed(steps: Iterable[SentCall], prefix: str) -> list[SentCall]:
    """``steps`` with the engine's run prefix in dataset names replaced by ``prefix``."""
    out = []
    for step in steps:
        name = step.call.params.get("DatasetName")
        if isinstance(name, str) and RUN_PREFIX.match(name):
            params = {**step.call.params, "DatasetName": RUN_PREFIX.sub(prefix, name, count=1)}
            step = SentCall(Call(step.call.operation, params), step.outcome, step.client)
        out.append(step)
    return out


def with_fresh_ids(steps: Iterable[SentCall]) -> list[SentCall]:
    """``steps`` with every invented ``region:GUID`` id replaced by a new one of the same length.

    Against an emulator the engine invents identities (and leaves dataset names
    bare), so a fresh identity is what keeps one replay from seeing another's data.
    Ids of another shape (the malformed ones of VAL tests) are kept as they are.
    """
    fresh: dict[str, str] = {}
    out = []
    for step in steps:
        params = dict(step.call.params)
        for member in ID_MEMBERS:
            value = params.get(member)
            if isinstance(value, str) and INVENTED_ID.match(value):
                if value not in fresh:
                    fresh[value] = f"{value.split(':', 1)[0]}:{uuid.uuid4()}"
                params[member] = fresh[value]
        out.append(SentCall(Call(step.call.operation, params), step.outcome, step.client))
    return out


def isolated(steps: Iterable[SentCall]) -> tuple[list[SentCall], bool]:
    """The steps made safe to replay, and whether their datasets are ours to delete after.

    Prefixed dataset names (real AWS, named identity) get a fresh prefix; otherwise
    the invented identities get fresh ids.
    """
    steps = list(steps)
    if any(RUN_PREFIX.match(str(s.call.params.get("DatasetName", ""))) for s in steps):
        return renamed(steps, new_run_prefix()), True
    fresh = with_fresh_ids(steps)
    return fresh, fresh != steps


def live_call(step: SentCall, refs: dict[str, int], answers: list[Outcome]) -> Call:
    """The recorded call with each token taken from the live answer that handed it out."""
    params = dict(step.call.params)
    for member, origin in refs.items():
        answer = answers[origin]
        if isinstance(answer, Ok):
            token = answer.body.get(TOKEN_SOURCES[member])
            if isinstance(token, str):
                params[member] = token
    return Call(step.call.operation, params)


def _wire_problems(response: Any, index: int) -> list[Problem]:
    from cogsync.conformance.wire_checks import run_wire_checks

    return [Problem(p.property_id, p.title, p.expected, p.received, index) for p in run_wire_checks(response)]


def replay_one(target: Any, model: Any, failure: Failure, source: str) -> ReplayVerdict:
    verdict = ReplayVerdict(failure, source)
    unsupported = {s.call.operation for s in failure.steps} - set(OPERATIONS)
    if not failure.steps or unsupported:
        verdict.replayable = False
        verdict.reason = (
            "no call sequence was recorded"
            if not failure.steps
            else f"raw requests ({', '.join(sorted(unsupported))}) cannot be replayed from a report"
        )
        return verdict
    steps, ours = isolated(failure.steps)
    refs = token_refs(steps)
    answers: list[Outcome] = []
    belief = model.initial()
    try:
        for index, step in enumerate(steps):
            call = live_call(step, refs[index], answers)
            response = target.send(call)
            answers.append(response.outcome)
            judgement = model.judge(
                belief,
                call,
                response.outcome,
                started_at=response.started_at or None,
                ended_at=response.ended_at or None,
            )
            belief = judgement.belief
            verdict.problems += [
                Problem(v.property_id, v.title, v.expected, v.received, index)
                for v in judgement.violations
            ]
            verdict.problems += _wire_problems(response, index)
    finally:
        if ours:
            _clean_up(target, steps)
    return verdict


def _clean_up(target: Any, steps: Iterable[SentCall]) -> None:
    """Delete the datasets the replay wrote to (all under its fresh prefix or fresh ids)."""
    scopes = {s.call.scope for s in steps if s.call.operation == "UpdateRecords"}
    for pool, identity, dataset in sorted(scopes, key=str):
        if isinstance(dataset, str):
            params = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": dataset}
            target.send(Call("DeleteDataset", params))


def render(verdict: ReplayVerdict) -> str:
    f = verdict.failure
    head = f"{f.property_id}: {f.title} ({verdict.source})"
    if not verdict.replayable:
        return f"{head}\n  not replayed: {verdict.reason}"
    lines = [head]
    if verdict.still_fails:
        lines.append("  still fails:")
        lines += [f"    {p.describe()}" for p in verdict.problems if p.property_id == f.property_id]
    else:
        lines.append(f"  no longer fails: {len(f.steps)} call(s) replayed, {f.property_id} holds")
    if verdict.other_problems:
        lines.append("  other breaches seen:")
        lines += [f"    {p.describe()}" for p in verdict.other_problems]
    if f.property_id == "CONF-6":
        lines.append(
            "  note: replayed sequentially; a race may need the concurrent run to show again"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from cogsync.contracts.model import Model
    from cogsync.options import importable_cwd, open_target

    importable_cwd(args)
    failures = load_failures(args.failure)
    if not failures:
        print(f"cogsync: {args.failure} holds no failures: nothing to replay")
        return 0
    target = open_target(args)
    model = Model()
    verdicts = []
    try:
        for source, failure in failures:
            verdict = replay_one(target, model, failure, source)
            verdicts.append(verdict)
            print(render(verdict))
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("cogsync: interrupted", file=sys.stderr)
        return 130
    finally:
        target.close()
    still = sum(v.still_fails for v in verdicts)
    skipped = sum(not v.replayable for v in verdicts)
    print(
        f"\n{len(verdicts)} failure(s) replayed: {still} still fail, "
        f"{len(verdicts) - still - skipped} no longer fail, {skipped} not replayable"
    )
    return 1 if still else 0
