"""AwsCliTarget: replays each call as a user of the AWS CLI would type it.

``aws cognito-sync <op> --cli-input-json <json> --endpoint-url=... --output=json``
runs in a subprocess with dummy credentials in its environment, every other
``AWS_*`` variable removed, ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``
pointed at empty files of our own (the user's are never read) and retries off
(``AWS_MAX_ATTEMPTS=1``). The CLI keeps its own parameter validation on, as a CLI
user has it: a call it refuses is ``Unknown("client refused: ...")``.

What comes back is the CLI's rendering, not the wire: on success the printed JSON
(botocore's parser drops null and unknown members; timestamps print as they came,
``cli_timestamp_format`` defaulting to ``wire`` in CLI v1; ISO-8601 strings, as
CLI v2 prints them, are turned back into epoch numbers). On failure the CLI prints
``An error occurred (Type) when calling the Op operation: message``; the outcome's
status is inferred from the type (:data:`~cogsync.contracts.calls.ERROR_STATUS`; a
type the model does not know counts as 400). The HTTP exchange itself is never
seen, so every Response has ``status=None``, ``headers={}`` and ``raw_body=None``:
wire checks (WIRE-2, WIRE-4) have nothing to judge and skip it. It is slow (a
Python start per call) but has no shared mutable
state: many threads may use one instance.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from cogsync.contracts.calls import ERROR_STATUS, METHOD_NAMES, Call, Err, Ok, Outcome, Unknown
from cogsync.targets.base import CLIENT_REFUSED, Response, describe_exception
from cogsync.targets.deadline import DEADLINE_PASSED, RequestDeadline
from cogsync.targets.http_target import check_region, check_timeout, normalize_endpoint, probe_call
from cogsync.targets.sender import NoRawSender
from cogsync.targets.signing import DUMMY_CREDENTIALS
from cogsync.targets.wire_request import route_of

#: Longer JSON goes through a ``file://`` argument: Linux caps one argv string at 128 KiB.
INLINE_JSON_LIMIT = 64 * 1024
TIMESTAMP_MEMBERS = frozenset({"CreationDate", "LastModifiedDate", "DeviceLastModifiedDate"})
#: Variables kept from the caller's environment even though they start with AWS_.
KEPT_AWS_VARIABLES = frozenset({"AWS_CA_BUNDLE"})

_SERVICE_ERROR = re.compile(
    r"An error occurred \((?P<type>[^)]*)\) when calling the (?P<operation>\w+) operation"
    r"(?: \(reached max retries: \d+\))?: (?P<message>.*)",
    re.DOTALL,
)


#: Request member -> the AWS CLI option that carries it (reproduction scripts spell calls so).
CLI_OPTIONS: dict[str, str] = {
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


def cli_operation(operation: str) -> str:
    """``UpdateRecords`` -> ``update-records``."""
    route_of(operation)
    return METHOD_NAMES[operation].replace("_", "-")


def cli_input_json(call: Call) -> str:
    """The call's parameters as ``--cli-input-json`` takes them (non-ASCII escaped)."""
    return json.dumps(call.params, default=str)


def cli_arguments(
    call: Call,
    endpoint_url: str,
    *,
    region: str,
    input_json: str,
    aws_executable: str = "aws",
    sign: bool = True,
    timeout: float | None = None,
) -> list[str]:
    # --option=value wherever the CLI allows it, so a value starting with '-' cannot read
    # as an option. --cli-input-json is the exception: the CLI spots it by its exact
    # spelling before parsing (else it demands the required members as options); its
    # value is a JSON object, which starts with '{'.
    arguments = [
        aws_executable,
        "cognito-sync",
        cli_operation(call.operation),
        "--cli-input-json",
        input_json,
        f"--endpoint-url={endpoint_url}",
        f"--region={region}",
        "--output=json",
    ]
    if timeout is not None:
        seconds = str(max(1, round(timeout)))
        arguments += [f"--cli-read-timeout={seconds}", f"--cli-connect-timeout={seconds}"]
    if not sign:
        arguments.append("--no-sign-request")
    return arguments


def cli_command(
    call: Call,
    endpoint_url: str,
    *,
    region: str = "us-east-1",
    aws_executable: str = "aws",
    dummy_credentials: bool = False,
) -> str:
    """A shell command line (shlex-quoted) that replays ``call``, for reproduction scripts.

    ``dummy_credentials=True`` prefixes ``AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...``
    so the line runs as is against an emulator on a machine with no AWS set-up.
    """
    arguments = cli_arguments(
        call,
        normalize_endpoint(endpoint_url),
        region=check_region(region),
        input_json=cli_input_json(call),
        aws_executable=aws_executable,
    )
    line = shlex.join(arguments)
    if dummy_credentials:
        prefix = (
            f"AWS_ACCESS_KEY_ID={DUMMY_CREDENTIALS.access_key} "
            f"AWS_SECRET_ACCESS_KEY={DUMMY_CREDENTIALS.secret_key} "
        )
        line = prefix + line
    return line


def find_aws_executable(aws_executable: str) -> str | None:
    """A path to run. The default ``aws`` prefers the CLI installed beside this Python."""
    if aws_executable == "aws":
        beside = Path(sys.executable).with_name("aws")
        if beside.is_file() and os.access(beside, os.X_OK):
            return str(beside)
    return shutil.which(aws_executable)


def _epoch(value: str) -> float | int | str:
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    seconds = moment.timestamp()
    return int(seconds) if seconds == int(seconds) else seconds


def timestamps_as_numbers(value: Any) -> Any:
    """Turn ISO-8601 timestamp members (CLI v2's default rendering) back into epoch numbers."""
    if isinstance(value, dict):
        return {
            k: _epoch(v)
            if k in TIMESTAMP_MEMBERS and isinstance(v, str)
            else timestamps_as_numbers(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [timestamps_as_numbers(item) for item in value]
    return value


def outcome_of_failure(stderr: str, exit_code: int) -> Outcome:
    """The outcome of a CLI run that exited non-zero, read from what it printed."""
    match = _SERVICE_ERROR.search(stderr)
    if match is not None:
        error_type, message = match["type"], match["message"].strip()
        status = int(error_type) if error_type.isdigit() else ERROR_STATUS.get(error_type)
        if status is not None and (status == 429 or status >= 500):
            return Unknown(f"server error: HTTP {status} {error_type}: {message}", status)
        if status is None or 400 <= status < 500:
            return Err(error_type, status or 400, message)
        return Unknown(f"unexpected answer: {error_type}: {message}", status)
    last_line = " ".join(stderr.strip().splitlines()[-1:]) or f"exit code {exit_code}"
    lowered = stderr.lower()
    if "timeout" in lowered or "timed out" in lowered:
        return Unknown(f"timeout: {last_line}")
    if "could not connect" in lowered or "connection was closed" in lowered:
        return Unknown(f"connection error: {last_line}")
    if "parameter validation failed" in lowered or "invalid type for parameter" in lowered:
        return Unknown(f"{CLIENT_REFUSED}: {' '.join(stderr.split())}")
    return Unknown(f"aws cli failed (exit {exit_code}): {last_line}")


def outcome_of_success(stdout: str) -> Outcome:
    """The outcome of a CLI run that exited 0 (the service said 2xx), read from its print."""
    if not stdout.strip():
        return Ok({})
    try:
        body = json.loads(stdout)
    except ValueError:
        return Unknown(f"aws cli printed something that is not JSON: {stdout[:80]!r}", 200)
    if not isinstance(body, dict):
        return Unknown(f"aws cli printed a JSON {type(body).__name__}, not an object", 200)
    return Ok(timestamps_as_numbers(body))


def reached_server(outcome: Outcome) -> bool:
    """Whether a CLI outcome shows the server answered (CLI responses have no status)."""
    return isinstance(outcome, (Ok, Err)) or (
        isinstance(outcome, Unknown) and outcome.status is not None
    )


class AwsCliTarget(RequestDeadline, NoRawSender):
    """Runs ``aws cognito-sync ...`` against ``endpoint_url`` for every call.

    Near the deadline given to ``set_deadline`` the CLI's own timeouts and the
    subprocess's are cut to the time left.
    """


    def __init__(
        self,
        endpoint_url: str,
        *,
        region: str = "us-east-1",
        aws_executable: str = "aws",
        sign: bool = True,
        timeout: float = 30.0,
    ) -> None:
        self.endpoint_url = normalize_endpoint(endpoint_url)
        self.region = check_region(region)
        self.timeout = check_timeout(timeout)
        self.sign = bool(sign)
        self.aws_executable = aws_executable
        self.executable = find_aws_executable(aws_executable)
        self.name = f"awscli:{self.endpoint_url}"
        self._workdir = tempfile.TemporaryDirectory(prefix="cogsync-awscli-")
        folder = Path(self._workdir.name)
        (folder / "config").write_text("")
        (folder / "credentials").write_text("")
        self._folder = folder
        self._environment = self._build_environment(folder)

    def __repr__(self) -> str:
        return f"AwsCliTarget({self.endpoint_url!r}, region={self.region!r})"

    def _build_environment(self, folder: Path) -> dict[str, str]:
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("AWS_", "BOTO")) or name in KEPT_AWS_VARIABLES
        }
        environment.update(
            AWS_ACCESS_KEY_ID=DUMMY_CREDENTIALS.access_key,
            AWS_SECRET_ACCESS_KEY=DUMMY_CREDENTIALS.secret_key,
            AWS_CONFIG_FILE=str(folder / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(folder / "credentials"),
            AWS_DEFAULT_REGION=self.region,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            AWS_PAGER="",
        )
        return environment

    def send(self, call: Call) -> Response:
        started = time.time()
        if self.executable is None:
            return self._done(call, Unknown(self._missing()), started)
        seconds = self.request_timeout()
        if seconds is None:
            return self._done(call, Unknown(DEADLINE_PASSED), started)
        # The CLI may take this long to start, besides its own timeouts; not past a deadline.
        wall = self.timeout + 30 if seconds >= self.timeout else seconds
        input_json = cli_input_json(call)
        input_file: Path | None = None
        if len(input_json) > INLINE_JSON_LIMIT:
            input_file = self._folder / f"input-{uuid.uuid4().hex}.json"
            input_file.write_text(input_json, "utf-8")
            input_json = f"file://{input_file}"
        arguments = cli_arguments(
            call,
            self.endpoint_url,
            region=self.region,
            input_json=input_json,
            aws_executable=self.executable,
            sign=self.sign,
            timeout=seconds,
        )
        try:
            finished = subprocess.run(
                arguments,
                env=self._environment,
                capture_output=True,
                timeout=wall,
                check=False,
            )
        except subprocess.TimeoutExpired:
            reason = f"timeout: the aws CLI did not finish within {wall:.3g} s"
            return self._done(call, Unknown(reason), started)
        except OSError as exc:
            return self._done(
                call, Unknown(f"{CLIENT_REFUSED}: {describe_exception(exc)}"), started
            )
        finally:
            if input_file is not None:
                input_file.unlink(missing_ok=True)
        stdout = finished.stdout.decode("utf-8", "replace")
        stderr = finished.stderr.decode("utf-8", "replace")
        if finished.returncode == 0:
            return self._done(call, self._success(stdout), started)
        return self._done(call, outcome_of_failure(stderr, finished.returncode), started)

    @staticmethod
    def _success(stdout: str) -> Outcome:
        """The CLI exited 0: the service said 2xx. An empty print is an empty body."""
        return outcome_of_success(stdout)

    @staticmethod
    def _done(call: Call, outcome: Outcome, started: float) -> Response:
        """The CLI never shows the HTTP exchange: no status, headers or raw body."""
        return Response(call, outcome, None, {}, None, started, time.time())

    def _missing(self) -> str:
        return (
            f"{CLIENT_REFUSED}: no aws executable {self.aws_executable!r} found "
            "(pip install awscli)"
        )

    def probe(self) -> str | None:
        if self.executable is None:
            return self._missing()
        outcome = self.send(probe_call(self.region)).outcome
        if not reached_server(outcome):
            return f"{self.name} is not reachable: {getattr(outcome, 'reason', '')}"
        return None

    def close(self) -> None:
        self._workdir.cleanup()
