"""The verdict of a shell reproduction: judge what each ``aws cognito-sync`` command printed.

The shell script runs each step as ``judged CLIENT aws cognito-sync OPERATION --option=value ...``,
which keeps, in the state directory, per step ``N``: the command's arguments
(``N.argv``, NUL-separated), its exit code, what it printed (``N.out``, ``N.err``),
when it started and ended, and the client; a step the AWS CLI cannot send leaves
``N.raw``. Here each command becomes the :class:`Call` it sent (its options read
back) and what it printed the outcome, exactly as cogsync's AWS CLI target reads it
(:mod:`cogsync.targets.awscli_target`); then the same judgement as the Python
script. The CLI shows no HTTP exchange, so the wire checks have nothing to read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, Call
from cogsync.contracts.constraints import Limits
from cogsync.reproduction._verdict import Judged, Wanted
from cogsync.targets.awscli_target import CLI_OPTIONS, outcome_of_failure, outcome_of_success
from cogsync.targets.base import Response

_MEMBERS = {flag: member for member, flag in CLI_OPTIONS.items()}
_OPERATIONS = {method.replace("_", "-"): operation for operation, method in METHOD_NAMES.items()}
_JSON_MEMBERS = frozenset({"RecordPatches"})
_INTEGER_MEMBERS = frozenset({"LastSyncCount", "MaxResults"})


def call_of(argv: list[str]) -> Call:
    """The call an ``aws cognito-sync OPERATION --member=value ...`` command line sends."""
    words = [w for w in argv if not w.startswith("--")]
    operation = next((_OPERATIONS[w] for w in words if w in _OPERATIONS), None)
    if operation is None:
        raise ValueError(f"not an aws cognito-sync command of the five operations: {argv!r}")
    params: dict[str, Any] = {}
    for word in argv:
        flag, sep, text = word.partition("=")
        member = _MEMBERS.get(flag)
        if not sep or member is None:
            continue  # --endpoint-url, --output...
        value: Any = text
        if member in _JSON_MEMBERS:
            try:
                value = json.loads(text)
            except ValueError:
                pass
        elif member in _INTEGER_MEMBERS:
            try:
                value = int(text)
            except ValueError:
                pass
        params[member] = value
    return Call(operation, params)


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")
    except OSError:
        return ""


def _seconds(path: Path) -> float:
    try:
        return float(_text(path).strip())
    except ValueError:
        return 0.0  # no clock reading (a date without %N): the call's window is not checked


def judge_shell_steps(state: Path, wanted: Wanted, *, where: str, limits: Limits) -> int:
    """Judge every step the shell script kept under ``state``; print and return the verdict."""
    judged = Judged(wanted, where=where, limits=limits)
    indices = sorted({int(p.name.split(".")[0]) for p in state.iterdir() if p.suffix in (".argv", ".raw")
                      and p.name.split(".")[0].isdigit()})
    for index in indices:
        if (state / f"{index}.raw").exists():
            judged.skipped(index, _text(state / f"{index}.raw").strip()
                           or "a raw request the AWS CLI cannot send (the Python script sends it)")
            continue
        argv = [w.decode("utf-8", "surrogateescape")
                for w in (state / f"{index}.argv").read_bytes().split(b"\0")[:-1]]
        call = call_of(argv)
        code_text = _text(state / f"{index}.rc").strip()
        code = int(code_text) if code_text.lstrip("-").isdigit() else 1
        stdout, stderr = _text(state / f"{index}.out"), _text(state / f"{index}.err")
        outcome = outcome_of_success(stdout) if code == 0 else outcome_of_failure(stderr, code)
        client_text = _text(state / f"{index}.client").strip()
        response = Response(call, outcome, None, {}, None, _seconds(state / f"{index}.start"),
                            _seconds(state / f"{index}.end"))
        label = METHOD_NAMES[call.operation]
        judged.answer(index, label, response, client=int(client_text) if client_text.isdigit() else 0)
    return judged.verdict()
