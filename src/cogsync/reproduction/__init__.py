"""The runtime of the reproduction scripts ``cogsync verify`` writes: replay, judge, give a verdict.

A failure's Python script is its calls, one ``replay.call("update_records", ...)`` a
step (the boto3 method and its parameters), then ``raise SystemExit(replay.verdict())``.
Its shell script runs the same calls with the AWS CLI and hands what each printed
to ``python -m cogsync.reproduction judge-cli`` (see ``__main__``). Either way each
answer is judged by the model as in the run (:mod:`._verdict`), and the exit status
is the verdict: 1 it reproduces (expected and received printed), 0 the target keeps
the contract on this sequence, 2 cannot tell.

By default a script replays where the run found the failure: its endpoint, its
``--in-process module:factory``, or the embedded emulator when that was the target;
``--endpoint-url``, ``--in-process`` and ``--embedded`` say otherwise. Identity ids
get fresh hex digits (same shape) so that what the run left behind cannot get in the
way (``--same-ids`` keeps them: real AWS cannot invent ids); dataset names under a
run prefix (``cogsync-1a2b3c4d-...``, a named identity) get a fresh prefix and are
deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from collections.abc import Sequence
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, Call, Ok
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.errors import CogsyncError
from cogsync.reproduction._verdict import (
    EXIT_CANNOT_TELL,
    EXIT_KEPT,
    EXIT_REPRODUCED,
    Judged,
    Wanted,
)
from cogsync.targets.description import TargetDescription

__all__ = ["EXIT_CANNOT_TELL", "EXIT_KEPT", "EXIT_REPRODUCED", "Replay", "fresh_ids"]

_OPERATIONS = {method: operation for operation, method in METHOD_NAMES.items()}
_ID_MEMBERS = ("IdentityPoolId", "IdentityId")
#: A dataset name the engine made on a named identity: the run prefix first.
RUN_PREFIX = re.compile(r"^cogsync-[0-9a-f]{8}")
_HEX = "0123456789abcdef"


class fresh_ids:  # noqa: N801 - used like a function: fresh = fresh_ids(); fresh(value)
    """Recorded id -> the same id with new lowercase hex digits (same shape and length).

    The same id always maps to the same new one and two ids never to the same, so a
    replay keeps which calls share an identity and which do not.
    """

    def __init__(self) -> None:
        self._made: dict[str, str] = {}

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or ":" not in value:
            return value
        if value not in self._made:
            region, _, rest = value.partition(":")
            for _ in range(1000):  # a clash needs two ids of a few hex digits: rare, and retried
                new = region + ":" + "".join(secrets.choice(_HEX) if c in _HEX else c for c in rest)
                if new not in self._made.values():
                    break
            self._made[value] = new
        return self._made[value]


def _options(argv: Sequence[str] | None, target: TargetDescription, same_ids: bool) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=f"Replay a failure and judge every answer. By default the target is "
                    f"{target.describe()}. Exit status: 1 it reproduces, 0 the target keeps the "
                    "contract on this sequence, 2 cannot tell.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--endpoint-url", metavar="URL", help="replay against this server ('aws': the real service)")
    where.add_argument("--in-process", metavar="MODULE:FACTORY", help="replay against this WSGI app, in this process")
    where.add_argument("--embedded", action="store_true", help="replay against cogsync's reference emulator")
    parser.add_argument("--region", default=target.region, help=f"region to sign for (default {target.region})")
    parser.add_argument("--same-ids", action="store_true", default=same_ids,
                        help="keep the recorded identity ids (real AWS: ids cannot be invented)")
    return parser.parse_args(list(sys.argv[1:] if argv is None else argv))


class Replay:
    """Sends a failure's calls again and judges each answer; see the module docstring.

    The constructor takes what the run recorded (the failure, its target, the limits
    the model held it to) and reads the script's command line (``argv``, default
    ``sys.argv[1:]``) for another target.
    """

    def __init__(self, property_id: str, title: str, *, expected: str = "", received: str = "",
                 endpoint_url: str | None = None, in_process: str | None = None, embedded: bool = False,
                 region: str = "us-east-1", name: str = "", limits: tuple[int, int, int] | None = None,
                 same_ids: bool = False, argv: Sequence[str] | None = None) -> None:
        recorded = TargetDescription(name or "the run's target", region, endpoint_url, in_process, embedded)
        options = _options(argv, recorded, same_ids)
        if options.endpoint_url or options.in_process or options.embedded:
            recorded = TargetDescription("given", options.region, options.endpoint_url, options.in_process,
                                         options.embedded)
        self.target_description = TargetDescription(recorded.name, options.region, recorded.endpoint_url,
                                                    recorded.in_process, recorded.embedded)
        self.limits = Limits(*limits) if limits else DEFAULT_LIMITS
        self.same_ids = bool(options.same_ids)
        self.judged = Judged(Wanted(property_id, title, expected, received),
                             where=self.target_description.describe(), limits=self.limits)
        self._fresh = fresh_ids()
        self._prefix = "cogsync-" + secrets.token_hex(4)
        self._written: set[tuple[str, str, str]] = set()
        self._target: Any = None
        self._steps = 0

    # -- sending -----------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._target is not None:
            return self._target
        described = self.target_description
        if not described.rebuildable:
            self._stop(f"the run's target ({described.name}) cannot be rebuilt by a script: give "
                       "--endpoint-url URL, --in-process MODULE:FACTORY or --embedded.")
        try:
            if described.embedded:
                from cogsync.targets import InProcessTarget

                self._target = InProcessTarget.emulator(region=described.region, limits=self.limits)
            else:
                from cogsync.targets import make_target

                if described.in_process and os.getcwd() not in sys.path:
                    sys.path.insert(0, os.getcwd())  # module:factory found where the script runs
                self._target = make_target(endpoint_url=described.endpoint_url, in_process=described.in_process,
                                           region=described.region)
        except CogsyncError as exc:
            self._stop(str(exc))
        return self._target

    def _stop(self, reason: str) -> None:
        print(f"cannot tell whether [{self.judged.wanted.property_id}] still fails: {reason}", flush=True)
        raise SystemExit(EXIT_CANNOT_TELL)

    def _isolated(self, params: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for member, value in params.items():
            if value is None:
                continue  # a token an answer did not hand out this time: sent without it
            if member in _ID_MEMBERS and not self.same_ids:
                value = self._fresh(value)
            elif member == "DatasetName" and isinstance(value, str) and RUN_PREFIX.match(value):
                value = RUN_PREFIX.sub(self._prefix, value, count=1)
            out[member] = value
        return out

    def call(self, method: str, /, *, client: int = 0, **params: Any) -> dict[str, Any]:
        """Send ``client.<method>(**params)`` (a boto3 method name); judge the answer.

        Returns the answer's body (``{}`` for an error or a lost answer), from which
        later steps take the tokens it handed out.
        """
        operation = _OPERATIONS.get(method)
        if operation is None:
            raise CogsyncError(f"method={method!r} is not allowed: method must be one of "
                               + ", ".join(sorted(_OPERATIONS)) + ".")
        call = Call(operation, self._isolated(params))
        response = self._open().send(call)
        if operation == "UpdateRecords" and isinstance(response.outcome, Ok):
            self._written.add(call.scope)  # type: ignore[arg-type]
        self.judged.answer(self._steps, method, response, client=client)
        self._steps += 1
        if self.judged.unreachable:
            raise SystemExit(self.verdict())  # no answer, and none to expect from the next calls
        outcome = response.outcome
        return dict(outcome.body) if isinstance(outcome, Ok) else {}

    def raw(self, method: str, path: str, query: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None, body: str = "") -> dict[str, Any]:
        """Send a request boto3 cannot make (the wire fuzzer's), signed, as recorded; judge it."""
        from cogsync.targets.wire_request import operation_at

        target = self._open()
        label = f"{method} {path}"
        if not getattr(target, "supports_raw", False):
            self.judged.skipped(self._steps, f"{label}: {self.target_description.describe()} cannot send "
                                "raw requests")
        else:
            response = target.send_raw(method, path, query=query, headers=headers,
                                       body=body.encode("utf-8", "surrogateescape"))
            self.judged.raw_answer(self._steps, label, response, operation_at(method, path))
        self._steps += 1
        return {}

    # -- the verdict ---------------------------------------------------------------------------

    def verdict(self) -> int:
        """Print the verdict and return the exit status; delete the datasets made under the prefix."""
        try:
            return self.judged.verdict()
        finally:
            self._clean_up()

    def _clean_up(self) -> None:
        if self._target is None:
            return
        try:
            for pool, identity, dataset in sorted(self._written):
                if dataset.startswith(self._prefix):
                    self._target.send(Call("DeleteDataset", {"IdentityPoolId": pool, "IdentityId": identity,
                                                             "DatasetName": dataset}))
        finally:
            self._target.close()
