"""Turn a failure into two scripts a person can run, each ending in a verdict.

A Python script: one ``replay.call("update_records", ...)`` per step (boto3's method
names and parameters), run by :mod:`cogsync.reproduction`. A bash script: the same
calls as ``aws cognito-sync ...`` commands, whose printed answers go to
``python -m cogsync.reproduction judge-cli``. Either way every answer is judged by
the model as the run judged it, and the exit status says: 1 it reproduces (expected
and received printed), 0 the target now keeps the contract, 2 cannot tell.

Both replay by default where the run found the failure (the run's
:class:`~cogsync.targets.description.TargetDescription`: its endpoint, its in-process
``module:factory``, the embedded emulator) in its region; the bash script serves an
in-process app with ``cogsync serve --app`` to reach it with the AWS CLI.

Session tokens and page tokens are the server's, so a replay cannot reuse the
recorded strings: a token that a recorded answer handed out is taken from that
answer in the replay (``r3.get("SyncSessionToken")`` in Python, ``$(answer 3
SyncSessionToken)`` in bash). A token no answer handed out (a made-up one, on
purpose) is kept literally.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, Err, Ok, Outcome
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.failures import Failure, SentCall
from cogsync.targets.awscli_target import CLI_OPTIONS
from cogsync.targets.base import RAW_OPERATION
from cogsync.targets.description import TargetDescription

#: Request members holding identity ids: replays give them fresh digits.
_ID_MEMBERS = ("IdentityPoolId", "IdentityId")
#: A dataset name made under a run prefix (a named identity): replays use a fresh prefix.
_RUN_PREFIX_LENGTH = len("cogsync-1a2b3c4d")

#: Request member carrying a token -> the answer member that hands it out.
TOKEN_SOURCES: dict[str, str] = {"SyncSessionToken": "SyncSessionToken", "NextToken": "NextToken"}


def _issued_tokens(steps: Sequence[SentCall]) -> dict[tuple[str, str], int]:
    """(answer member, token) -> index of the first step whose answer handed it out."""
    issued: dict[tuple[str, str], int] = {}
    for index, step in enumerate(steps):
        if isinstance(step.outcome, Ok):
            for member in TOKEN_SOURCES.values():
                token = step.outcome.body.get(member)
                if isinstance(token, str):
                    issued.setdefault((member, token), index)
    return issued


def token_refs(steps: Sequence[SentCall]) -> list[dict[str, int]]:
    """For each step: request member -> index of the earlier step whose answer supplies its token.

    ``replay`` uses this to send the tokens the live target hands out instead of the
    recorded strings, exactly as the generated scripts do.
    """
    issued = _issued_tokens(steps)
    refs: list[dict[str, int]] = []
    for index, step in enumerate(steps):
        mine: dict[str, int] = {}
        for member, source in TOKEN_SOURCES.items():
            value = step.call.params.get(member)
            origin = issued.get((source, value)) if isinstance(value, str) else None
            if origin is not None and origin < index:
                mine[member] = origin
        refs.append(mine)
    return refs


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, Ok):
        return "200 " + json.dumps(outcome.body, ensure_ascii=False)[:300]
    if isinstance(outcome, Err):
        return f"{outcome.status} {outcome.error_type}: {outcome.message}"
    return f"no answer ({outcome.reason})"


def _comment(index: int, step: SentCall) -> str:
    text = f"# step {index}: the run got {_describe(step.outcome)}"
    return text if len(text) <= 200 else text[:197] + "..."


def _prefixed(steps: Sequence[SentCall]) -> bool:
    """Do the steps write datasets under a run prefix (the run used a named identity)?"""
    import re

    pattern = re.compile(r"^cogsync-[0-9a-f]{8}")
    return any(pattern.match(str(s.call.params.get("DatasetName", ""))) for s in steps)


def _title(failure: Failure) -> str:
    return f"[{failure.property_id}] {failure.title}"


def _limits_tuple(limits: Limits) -> tuple[int, int, int]:
    return (limits.max_datasets_per_identity, limits.max_records_per_dataset, limits.max_dataset_bytes)


# --- Python -------------------------------------------------------------------------------


def python_script(failure: Failure, target: TargetDescription, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """The failure's calls as a Python script that judges each answer and exits with a verdict."""
    steps = failure.steps
    refs = token_refs(steps)
    name = _title(failure)
    options: list[str] = [f"expected={failure.expected!r}", f"received={failure.received!r}"]
    if target.endpoint_url:
        options.append(f"endpoint_url={target.endpoint_url!r}")
    elif target.in_process:
        options.append(f"in_process={target.in_process!r}")
    elif target.embedded:
        options.append("embedded=True")
    else:
        options.append(f"name={target.name!r}")
    options.append(f"region={target.region!r}")
    if limits != DEFAULT_LIMITS:
        options.append(f"limits={_limits_tuple(limits)!r}")
    if _prefixed(steps):
        options.append("same_ids=True")  # a named identity: real AWS cannot invent ids
    lines = [
        "#!/usr/bin/env python3",
        f'"""Reproduces {name}',
        "",
        f"Found against {target.describe()} (region {target.region}).",
        "Replayed there unless told otherwise; every answer is judged by cogsync's model,",
        "as the run judged it.",
        "",
        "Exit status: 1 it reproduces (expected and received are printed), 0 the target now",
        "keeps the contract on this sequence, 2 cannot tell (unreachable, throttled, an",
        "answer lost).",
        "",
        "Usage: python3 this_script.py [--endpoint-url URL | --in-process MODULE:FACTORY | --embedded]",
        "                              [--region REGION] [--same-ids]",
        '"""',
        "",
        "from cogsync.reproduction import Replay",
        "",
        "replay = Replay(",
        f"    {failure.property_id!r},",
        f"    {failure.title!r},",
        *(f"    {option}," for option in options),
        ")",
        "",
    ]
    for index, step in enumerate(steps):
        lines.append(_comment(index, step))
        if step.call.operation == RAW_OPERATION:
            p = step.call.params
            lines.append(f"r{index} = replay.raw({p.get('method')!r}, {p.get('path')!r}, {p.get('query')!r}, "
                         f"{p.get('headers')!r}, {p.get('body', '')!r})")
            continue
        args = [repr(METHOD_NAMES[step.call.operation])]
        if step.client:
            args.append(f"client={step.client}")
        for member, value in step.call.params.items():
            if member in refs[index]:
                args.append(f"{member}=r{refs[index][member]}.get({TOKEN_SOURCES[member]!r})")
            else:
                args.append(f"{member}={value!r}")
        lines.append(f"r{index} = replay.call({', '.join(args)})")
    lines += ["", "raise SystemExit(replay.verdict())"]
    return "\n".join(lines) + "\n"


# --- bash and the AWS CLI -------------------------------------------------------------------


def _cli_value(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return shlex.quote(json.dumps(value, ensure_ascii=False))
    return shlex.quote(str(value))


def _serve_options(limits: Limits) -> str:
    if limits == DEFAULT_LIMITS:
        return ""
    datasets, records, size = _limits_tuple(limits)
    return f" --max-datasets {datasets} --max-records {records} --max-dataset-bytes {size}"


_SHELL_FUNCTIONS = r'''
STATE=$(mktemp -d) || exit 2
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$STATE"' EXIT

cannot_tell() { echo "cannot tell: $*"; exit 2; }
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import cogsync.reproduction' 2>/dev/null \
    || cannot_tell "$PYTHON cannot import cogsync: set PYTHON to a Python that has it (pip install cogsync)"
command -v aws >/dev/null 2>&1 \
    || cannot_tell "the AWS CLI (aws) is not on PATH: pip install awscli, or run the Python script"

serve() {  # cogsync serve [--app SPEC] on a free port; ENDPOINT from its ready line
    mkfifo "$STATE/ready"
    "$PYTHON" -m cogsync.cli serve --port 0 "$@" >"$STATE/ready" 2>"$STATE/serve.err" &
    SERVER=$!
    exec 3<"$STATE/ready"
    read -r line <&3
    case $line in
        "cogsync emulator listening on "*) ENDPOINT=${line##* } ;;
        *) cannot_tell "cogsync serve $* did not start: $(tr '\n' ' ' <"$STATE/serve.err")" ;;
    esac
}

N=0
judged() {  # judged CLIENT COMMAND...: run the command as that client; keep its answer for the verdict
    printf '%s\n' "$1" >"$STATE/$N.client"
    shift
    printf '%s\0' "$@" >"$STATE/$N.argv"
    date +%s.%N >"$STATE/$N.start"
    "$@" >"$STATE/$N.out" 2>"$STATE/$N.err"
    echo $? >"$STATE/$N.rc"
    date +%s.%N >"$STATE/$N.end"
    N=$((N + 1))
}
not_sent() {  # a step the AWS CLI cannot send
    printf '%s\n' "$*" >"$STATE/$N.raw"
    N=$((N + 1))
}
answer() {  # answer STEP MEMBER: a member of what step STEP printed (a token it handed out)
    "$PYTHON" -c 'import json, sys
try:
    print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "", end="")
except ValueError:
    pass' "$STATE/$1.out" "$2"
}
fresh() {  # the ids with new hex digits, one a line (SAME_IDS=1: as recorded)
    if [ "${SAME_IDS:-0}" = 1 ]; then printf '%s\n' "$@"; else
        "$PYTHON" -c 'import sys; from cogsync.reproduction import fresh_ids
f = fresh_ids(); print("\n".join(f(v) for v in sys.argv[1:]))' "$@"
    fi
}
'''


def shell_script(failure: Failure, target: TargetDescription, *, limits: Limits = DEFAULT_LIMITS,
                 python: str | None = None) -> str:
    """The failure's calls as ``aws cognito-sync`` commands in a bash script ending in a verdict.

    ``python``: the interpreter (with cogsync) the script judges with by default (this one).
    """
    steps = failure.steps
    refs = token_refs(steps)
    prefixed = _prefixed(steps)
    serve_limits = _serve_options(limits)
    q = shlex.quote
    lines = [
        "#!/usr/bin/env bash",
        f"# Reproduces {_title(failure)}",
        f"# Found against {target.describe()} (region {target.region}).",
        "#",
        "# Runs the same calls with the AWS CLI and hands what each printed to cogsync's model,",
        "# which judges them as the run did. Exit status: 1 it reproduces (expected and received",
        "# are printed), 0 the target now keeps the contract on this sequence, 2 cannot tell",
        "# (unreachable, throttled, an answer lost).",
        "#",
        "# Usage: bash this_script.sh                       where the run found it",
        "#        ENDPOINT=URL bash this_script.sh          another server",
        "#        IN_PROCESS=MODULE:FACTORY bash ...        a WSGI app, served by cogsync serve --app",
        "#        EMBEDDED=1 bash this_script.sh            cogsync's reference emulator (cogsync serve)",
        "#        SAME_IDS=1 ...                            keep the recorded identity ids (real AWS)",
        "# Needs the AWS CLI (aws) on PATH and a Python with cogsync (PYTHON=/path/to/python).",
        "set -u",
        f"PYTHON=${{PYTHON:-{python or sys.executable}}}",
        f"export AWS_DEFAULT_REGION=${{REGION:-{target.region}}}",
        "export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}",
        "export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}",
        'export AWS_MAX_ATTEMPTS=1 AWS_PAGER=""',
    ]
    if prefixed:
        lines.append("SAME_IDS=${SAME_IDS:-1}  # a named identity: real AWS cannot invent ids")
    lines += _SHELL_FUNCTIONS.rstrip("\n").split("\n")
    lines += ["", "if [ -n \"${ENDPOINT:-}\" ]; then WHERE=$ENDPOINT",
              "elif [ -n \"${IN_PROCESS:-}\" ]; then serve --app \"$IN_PROCESS\"; "
              "WHERE=\"$IN_PROCESS (cogsync serve --app, $ENDPOINT)\"",
              f"elif [ -n \"${{EMBEDDED:-}}\" ]; then serve{serve_limits}; "
              "WHERE=\"the reference emulator (cogsync serve, $ENDPOINT)\""]
    if target.endpoint_url:
        endpoint = target.endpoint_url
        if endpoint == "aws":
            endpoint = f"https://cognito-sync.{target.region}.amazonaws.com"
        lines.append(f"else ENDPOINT={q(endpoint)}; WHERE=$ENDPOINT")
    elif target.in_process:
        lines.append(f"else serve --app {q(target.in_process)}; "
                     f"WHERE={q(target.in_process)}\" (cogsync serve --app, $ENDPOINT)\"")
    elif target.embedded:
        lines.append(f"else serve{serve_limits}; WHERE=\"the reference emulator (cogsync serve, $ENDPOINT)\"")
    else:
        lines.append(f"else cannot_tell {q(f'the run target ({target.name}) cannot be rebuilt by a script')}"
                     "\": give ENDPOINT=URL, IN_PROCESS=MODULE:FACTORY or EMBEDDED=1\"")
    lines.append("fi")
    originals = sorted({str(s.call.params[m]) for s in steps for m in _ID_MEMBERS
                        if isinstance(s.call.params.get(m), str) and ":" in s.call.params[m]})
    variables = {value: f"ID_{n}" for n, value in enumerate(originals)}
    if variables:
        reads = "; ".join(f"read -r {name}" for name in variables.values())
        lines.append(f"{{ {reads}; }} < <(fresh {' '.join(q(v) for v in variables)})")
    if prefixed:
        lines.append("RUN_PREFIX=cogsync-$(\"$PYTHON\" -c 'import secrets; print(secrets.token_hex(4))')")
    lines.append("")
    written: list[list[str]] = []
    for index, step in enumerate(steps):
        lines.append(_comment(index, step))
        if step.call.operation == RAW_OPERATION:
            p = step.call.params
            why = f"{p.get('method')} {p.get('path')}: a raw request the AWS CLI cannot send (the Python script does)"
            lines.append(f"not_sent {q(why)}")
            continue
        op = METHOD_NAMES[step.call.operation].replace("_", "-")
        parts = [f"judged {step.client} aws cognito-sync {op}"]
        scope: list[str] = []
        for member, value in step.call.params.items():
            flag = CLI_OPTIONS.get(member)
            if flag is None:
                continue
            # Always --option=value: a token may start with '-', which the CLI would read as
            # an option if it came as the next argument.
            if member in refs[index]:
                text = f'{flag}="$(answer {refs[index][member]} {TOKEN_SOURCES[member]})"'
            elif member in _ID_MEMBERS and isinstance(value, str) and value in variables:
                text = f'{flag}="${variables[value]}"'
            elif member == "DatasetName" and prefixed and isinstance(value, str) and value.startswith("cogsync-"):
                text = f'{flag}="$RUN_PREFIX"{q(value[_RUN_PREFIX_LENGTH:])}'
            else:
                text = f"{flag}={_cli_value(value)}"
            parts.append(text)
            if member in ("IdentityPoolId", "IdentityId", "DatasetName"):
                scope.append(text)
        lines.append(" ".join(parts) + ' --endpoint-url="$ENDPOINT" --output=json')
        if step.call.operation == "UpdateRecords" and prefixed and scope not in written:
            written.append(scope)
    where = '--where="$WHERE"'
    judge = [f'"$PYTHON" -m cogsync.reproduction judge-cli "$STATE" --property={q(failure.property_id)}',
             f"    --title={q(failure.title)}",
             f"    --expected={q(failure.expected)}",
             f"    --received={q(failure.received)}",
             f"    {where}"]
    if limits != DEFAULT_LIMITS:
        judge.append(f"    --limits={','.join(map(str, _limits_tuple(limits)))}")
    lines += ["", *[line + " \\" for line in judge[:-1]], judge[-1], "status=$?"]
    for scope in written:  # datasets made under the fresh prefix: not left behind
        lines.append(f"aws cognito-sync delete-dataset {' '.join(scope)} --endpoint-url=\"$ENDPOINT\" "
                     ">/dev/null 2>&1")
    lines.append('exit "$status"')
    return "\n".join(lines) + "\n"
