"""Turn a failing sequence into something a person can paste and run.

Two forms: a standalone Python script using boto3, and the same calls as
``aws cognito-sync ...`` commands in a bash script. Session tokens and page tokens
are the server's, so a replay cannot reuse the recorded strings: a token that a
recorded answer handed out is replaced by a reference to that answer in the
replay (``r3["SyncSessionToken"]`` in Python, ``$TOKEN_3`` in bash). A token no
answer handed out (a made-up one, on purpose) is kept literally.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any

from cogsync.conformance.results import Step
from cogsync.contracts.calls import METHOD_NAMES, Call, Err, Ok, Outcome
from cogsync.targets.base import RAW_OPERATION

#: Request members holding identity ids: replays give them fresh digits (see ``fresh``).
_ID_MEMBERS = ("IdentityPoolId", "IdentityId")

#: Request members that carry a token an earlier answer handed out, and the answer member.
_TOKEN_SOURCES = {"SyncSessionToken": "SyncSessionToken", "NextToken": "NextToken"}


def _issued_tokens(steps: Sequence[Step]) -> dict[tuple[str, str], int]:
    """(answer member, token) -> index of the first step whose answer handed it out."""
    issued: dict[tuple[str, str], int] = {}
    for index, step in enumerate(steps):
        if isinstance(step.outcome, Ok):
            for member in _TOKEN_SOURCES.values():
                token = step.outcome.body.get(member)
                if isinstance(token, str):
                    issued.setdefault((member, token), index)
    return issued


def _token_refs(steps: Sequence[Step]) -> list[dict[str, int]]:
    """For each step: request member -> index of the step whose answer supplies it."""
    issued = _issued_tokens(steps)
    refs: list[dict[str, int]] = []
    for index, step in enumerate(steps):
        mine: dict[str, int] = {}
        for member, source in _TOKEN_SOURCES.items():
            value = step.call.params.get(member)
            origin = issued.get((source, value)) if isinstance(value, str) else None
            if origin is not None and origin < index:
                mine[member] = origin
        refs.append(mine)
    return refs


def token_refs(steps: Sequence[Step]) -> list[dict[str, int]]:
    """For each step: request member -> index of the earlier step whose answer supplies its token.

    ``replay`` uses this to send the tokens the live target hands out instead of the
    recorded strings, exactly as the generated scripts do.
    """
    return _token_refs(steps)


#: Request member carrying a token -> the answer member that hands it out.
TOKEN_SOURCES: dict[str, str] = dict(_TOKEN_SOURCES)


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, Ok):
        return "200 " + json.dumps(outcome.body, ensure_ascii=False)[:300]
    if isinstance(outcome, Err):
        return f"{outcome.status} {outcome.error_type}: {outcome.message}"
    return f"unknown ({outcome.reason})"


def python_script(
    steps: Sequence[Step],
    *,
    title: str = "",
    expected: str = "",
    endpoint_url: str | None = None,
    region: str = "us-east-1",
) -> str:
    """A standalone boto3 script replaying ``steps``.

    With no endpoint it replays against cogsync's embedded emulator
    (``cogsync.mock_cognito_sync``); ``--endpoint-url URL`` points it anywhere.
    """
    refs = _token_refs(steps)
    lines = [
        "#!/usr/bin/env python3",
        f'"""Reproduces: {title or "a cogsync failure"}',
        "",
        "Usage: python this_script.py [--endpoint-url URL | --embedded] [--same-ids]",
        "With no endpoint (or --embedded) it runs against cogsync's embedded emulator.",
        '"""',
        "import argparse",
        "import contextlib",
        "import json",
        "import secrets",
        "",
        "import boto3",
        "from botocore.config import Config",
        "from botocore.exceptions import ClientError",
        "",
        "parser = argparse.ArgumentParser()",
        f"parser.add_argument('--endpoint-url', default={endpoint_url!r})",
        f"parser.add_argument('--region', default={region!r})",
        "parser.add_argument('--embedded', action='store_true',",
        "                    help=\"replay against cogsync's embedded emulator, whatever the endpoint\")",
        "parser.add_argument('--same-ids', action='store_true',",
        "                    help='keep the recorded identity ids (real AWS: ids cannot be invented)')",
        "args = parser.parse_args()",
        "FRESH = {}",
        "",
        "",
        "def fresh(value):",
        "    \"\"\"The recorded id with new hex digits (same shape and length), so leftovers of the",
        "    original run cannot get in the way; the same id always maps to the same new one.\"\"\"",
        "    if args.same_ids or not isinstance(value, str) or ':' not in value:",
        "        return value",
        "    if value not in FRESH:",
        "        region, _, rest = value.partition(':')",
        "        FRESH[value] = region + ':' + ''.join(",
        "            secrets.choice('0123456789abcdef') if c in '0123456789abcdef' else c for c in rest)",
        "    return FRESH[value]",
        "",
        "",
        "def make_client():",
        "    return boto3.client(",
        "        'cognito-sync', region_name=args.region, endpoint_url=args.endpoint_url,",
        "        aws_access_key_id='testing', aws_secret_access_key='testing',",
        "        # Send invalid input as is, and never retry behind our back.",
        "        config=Config(parameter_validation=False, retries={'total_max_attempts': 1}),",
        "    )",
        "",
        "",
        "def call(client, name, **params):",
        "    try:",
        "        answer = getattr(client, name)(**params)",
        "    except ClientError as exc:",
        "        error = exc.response['Error']",
        "        print(f\"{name}: {error.get('Code')}: {error.get('Message')}\")",
        "        return {}",
        "    answer.pop('ResponseMetadata', None)",
        "    print(f'{name}: ' + json.dumps(answer, default=str, ensure_ascii=False)[:500])",
        "    return answer",
        "",
        "",
        "def raw(method, path, query=None, headers=None, body=''):",
        "    \"\"\"A request boto3 cannot make (the wire fuzzer's), SigV4-signed and sent as is.\"\"\"",
        "    import urllib.error, urllib.parse, urllib.request",
        "    from botocore.auth import SigV4Auth",
        "    from botocore.awsrequest import AWSRequest",
        "    from botocore.credentials import Credentials",
        "    if not args.endpoint_url:",
        "        print(f'{method} {path}: a raw request; run again with --endpoint-url to send it')",
        "        return {}",
        "    url = args.endpoint_url.rstrip('/') + path",
        "    if query:",
        "        url += '?' + urllib.parse.urlencode(query)",
        "    data = body.encode('utf-8', 'surrogateescape')",
        "    request = AWSRequest(method=method, url=url, data=data, headers=dict(headers or {}))",
        "    SigV4Auth(Credentials('testing', 'testing'), 'cognito-sync', args.region).add_auth(request)",
        "    prepared = urllib.request.Request(url, data=data or None, method=method,",
        "                                      headers=dict(request.headers.items()))",
        "    try:",
        "        with urllib.request.urlopen(prepared) as answer:",
        "            status, text = answer.status, answer.read()",
        "    except urllib.error.HTTPError as exc:",
        "        status, text = exc.code, exc.read()",
        "    print(f'{method} {path}: {status} {text[:300]!r}')",
        "    return {}",
        "",
        "",
        "def replay(client):",
    ]
    for index, step in enumerate(steps):
        if step.call.operation == RAW_OPERATION:
            p = step.call.params
            lines.append(f"    # step {index}: the target answered {_describe(step.outcome)!r}"[:400])
            lines.append(f"    r{index} = raw({p.get('method')!r}, {p.get('path')!r}, {p.get('query')!r}, "
                         f"{p.get('headers')!r}, {p.get('body', '')!r})")
            continue
        args = []
        for member, value in step.call.params.items():
            if member in refs[index]:
                origin = refs[index][member]
                args.append(f"{member}=r{origin}.get({_TOKEN_SOURCES[member]!r})")
            elif member in _ID_MEMBERS:
                args.append(f"{member}=fresh({value!r})")
            else:
                args.append(f"{member}={value!r}")
        lines.append(f"    # step {index}: the target answered {_describe(step.outcome)!r}"[:400])
        method = METHOD_NAMES[step.call.operation]
        lines.append(f"    r{index} = call(client, {method!r}, {', '.join(args)})")
    if not steps:
        lines.append("    pass")
    lines += [
        "",
        "",
        "if args.embedded:",
        "    args.endpoint_url = None",
        "if args.endpoint_url:",
        "    replay(make_client())",
        "else:",
        "    from cogsync import mock_cognito_sync",
        "",
        "    with mock_cognito_sync():",
        "        replay(make_client())",
    ]
    if expected:
        lines.append(f"print('cogsync expected at the last step: ' + {expected!r})")
    return "\n".join(lines) + "\n"


_CLI_ARGS = {
    "IdentityPoolId": "--identity-pool-id",
    "IdentityId": "--identity-id",
    "DatasetName": "--dataset-name",
    "DeviceId": "--device-id",
    "RecordPatches": "--record-patches",
    "SyncSessionToken": "--sync-session-token",
    "ClientContext": "--client-context",
    "LastSyncCount": "--last-sync-count",
    "MaxResults": "--max-results",
    "NextToken": "--next-token",
}


def _cli_value(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return shlex.quote(json.dumps(value, ensure_ascii=False))
    return shlex.quote(str(value))


def cli_script(
    steps: Sequence[Step],
    *,
    title: str = "",
    endpoint_url: str | None = None,
    region: str = "us-east-1",
) -> str:
    """The same sequence as ``aws cognito-sync`` commands in a bash script."""
    refs = _token_refs(steps)
    needed = {origin for mine in refs for origin in mine.values()}
    endpoint = f" --endpoint-url={shlex.quote(endpoint_url)}" if endpoint_url else ' --endpoint-url="$ENDPOINT"'
    lines = [
        "#!/usr/bin/env bash",
        f"# Reproduces: {title or 'a cogsync failure'}",
        "# Usage: ENDPOINT=http://127.0.0.1:PORT bash this_script.sh   (cogsync serve prints the URL)",
        "set -u",
        f"export AWS_DEFAULT_REGION={shlex.quote(region)}",
        "export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}",
        "export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}",
        "# Identity ids get fresh hex digits so leftovers of the original run cannot interfere;",
        "# SAME_IDS=1 keeps the recorded ones (real AWS: ids cannot be invented).",
        "fresh() { if [ \"${SAME_IDS:-}\" = 1 ]; then printf '%s' \"$1\"; else python3 -c '"
        "import secrets, sys; r, _, s = sys.argv[1].partition(\":\"); "
        "print(r + \":\" + \"\".join(secrets.choice(\"0123456789abcdef\") "
        "if c in \"0123456789abcdef\" else c for c in s), end=\"\")' \"$1\"; fi; }",
    ]
    originals = sorted({str(s.call.params[m]) for s in steps for m in _ID_MEMBERS
                        if isinstance(s.call.params.get(m), str) and ":" in s.call.params[m]})
    variables = {value: f"ID_{n}" for n, value in enumerate(originals)}
    for value, name in variables.items():
        lines.append(f"{name}=$(fresh {shlex.quote(value)})")
    lines.append("")
    for index, step in enumerate(steps):
        if step.call.operation == RAW_OPERATION:
            p = step.call.params
            lines.append(f"# step {index}: a raw {p.get('method')} {p.get('path')} the AWS CLI cannot send "
                         f"(see the Python reproduction); the target answered {_describe(step.outcome)}"[:300])
            continue
        op = METHOD_NAMES[step.call.operation].replace("_", "-")
        parts = [f"aws cognito-sync {op}"]
        for member, value in step.call.params.items():
            flag = _CLI_ARGS.get(member)
            if flag is None:
                continue
            # Always --option=value: a token may start with '-', which the CLI would read
            # as an option if it came as the next argument.
            if member in refs[index]:
                origin = refs[index][member]
                parts.append(f'{flag}="$TOKEN_{origin}_{_TOKEN_SOURCES[member]}"')
            elif member in _ID_MEMBERS and isinstance(value, str) and value in variables:
                parts.append(f'{flag}="${variables[value]}"')
            else:
                parts.append(f"{flag}={_cli_value(value)}")
        command = " ".join(parts) + endpoint + " --output=json"
        lines.append(f"# step {index}: the target answered {_describe(step.outcome)}"[:300])
        if index in needed:
            lines.append(f"OUT_{index}=$({command})")
            lines.append(f'echo "$OUT_{index}"')
            for source in ("SyncSessionToken", "NextToken"):
                lines.append(
                    f"TOKEN_{index}_{source}=$(printf '%s' \"$OUT_{index}\" | "
                    f"python3 -c 'import json,sys; print(json.load(sys.stdin).get(\"{source}\") or \"\")')"
                )
        else:
            lines.append(command)
    return "\n".join(lines) + "\n"


def single_call_command(call: Call, *, endpoint_url: str | None = None) -> str:
    """One call as one ``aws cognito-sync`` command line (tokens kept literally)."""
    return cli_script([Step(call, Err("", 0))], endpoint_url=endpoint_url).splitlines()[-1]
