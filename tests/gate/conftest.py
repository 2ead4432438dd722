"""Hand-built runs for the report, baseline and console tests (no engine needed)."""

from __future__ import annotations

import pytest

from cogsync.conformance.results import RunResult, Status
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.properties import PROFILES

POOL = "us-east-1:0a0b0c0d-0000-0000-0000-000000000001"
IDENTITY = "us-east-1:0a0b0c0d-0000-0000-0000-000000000002"
DATASET = "cogsync-1a2b3c4d-game"


def scope(**extra: object) -> dict[str, object]:
    return {"IdentityPoolId": POOL, "IdentityId": IDENTITY, "DatasetName": DATASET, **extra}


def conflict_failure() -> Failure:
    """A CONF-1 failure: a stale replace that the target accepted."""
    steps = (
        SentCall(
            Call("ListRecords", scope()),
            Ok({"Records": [], "DatasetSyncCount": 0, "SyncSessionToken": "tok-1"}),
        ),
        SentCall(
            Call(
                "UpdateRecords",
                scope(
                    SyncSessionToken="tok-1",
                    RecordPatches=[
                        {"Op": "replace", "Key": "k", "Value": "v|1\x01", "SyncCount": 0}
                    ],
                ),
            ),
            Ok({"Records": [{"Key": "k", "Value": "v|1\x01", "SyncCount": 1}]}),
        ),
        SentCall(
            Call("ListRecords", scope()),
            Ok({"Records": [], "DatasetSyncCount": 1, "SyncSessionToken": "tok-2"}),
        ),
        SentCall(
            Call(
                "UpdateRecords",
                scope(
                    SyncSessionToken="tok-2",
                    RecordPatches=[{"Op": "replace", "Key": "k", "Value": "w", "SyncCount": 0}],
                ),
            ),
            Ok({"Records": [{"Key": "k", "Value": "w", "SyncCount": 2}]}),
        ),
    )
    return Failure(
        property_id="CONF-1",
        title="stale replace accepted",
        expected="409 ResourceConflictException",
        received="200 with the record at SyncCount 2",
        steps=steps,
    )


def should_failure() -> Failure:
    steps = (
        SentCall(
            Call("ListRecords", scope(LastSyncCount=37)),
            Ok({"Records": [], "DatasetSyncCount": 1, "SyncSessionToken": "tok-9"}),
        ),
    )
    return Failure(
        "LIST-3",
        "lastSyncCount above the dataset's accepted",
        "400 InvalidParameterException",
        "200 | no records",
        steps=steps,
    )


def build_run() -> RunResult:
    """Every status at least once, including a failure with `|`, `<` and control characters."""
    run = RunResult.empty(
        target="http://127.0.0.1:9/", profile="default", seed=1234, budget="quick"
    )
    profile = PROFILES["default"]
    for result in run.results.values():
        result.record_witnesses(5)
        if result.level.value == "MAY":
            result.record_finding("the server chose one way")
        result.settle()
    run.results["CONF-1"].record_failure(conflict_failure(), profile)
    run.results["LIST-3"].record_failure(should_failure(), profile)
    run.results["SYNC-6"].status = Status.FINDING
    run.results["SYNC-6"].findings.append("an empty write bumps the sync count")
    run.results["DS-4"].status = Status.INCONCLUSIVE
    run.results["DS-4"].note = "throttled: HTTP 429 on 12 of 12 calls"
    run.results["ISO-2"].status = Status.NOT_APPLICABLE
    run.results["ISO-2"].witnesses = 0
    run.results["ISO-2"].note = "the target does not check signatures"
    run.results["LIM-1"].status = Status.NOT_RUN  # left out by the run's mode: no exit 2
    run.results["LIM-1"].witnesses = 0
    run.results["LIM-1"].excluded = "a named identity's other datasets are unknown"
    run.results["LIM-1"].note = "excluded: a named identity's other datasets are unknown"
    run.duration = 3.25
    run.command = "cogsync verify --budget quick --seed 1234"
    return run


def build_documented_run() -> RunResult:
    """Under the documented profile a SHOULD breach is a warn."""
    run = RunResult.empty(
        target="embedded",
        profile="documented",
        seed=7,
        budget="quick",
        selected=["LIST-3", "SYNC-1"],
    )
    for result in run.results.values():
        result.record_witnesses(3)
    run.results["LIST-3"].record_failure(should_failure(), PROFILES["documented"])
    for result in run.results.values():
        result.settle()
    return run


@pytest.fixture
def sample_run() -> RunResult:
    return build_run()


@pytest.fixture
def documented_run() -> RunResult:
    return build_documented_run()


MUTANT_SOURCE = '''
"""A mutant of the reference emulator: every record in every answer loses its Value."""
import json

from cogsync.targets.emulator_app import build_emulator_app


def make_app():
    app, _ = build_emulator_app()

    def drop_values(environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(app(environ, capture))
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("Records"), list):
            for record in data["Records"]:
                record.pop("Value", None)
            body = json.dumps(data).encode()
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v)
                   for k, v in seen["headers"]]
        start_response(seen["status"], headers)
        return [body]

    return drop_values
'''


@pytest.fixture
def mutant_app(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    """``module:factory`` of the drop-the-Value mutant, importable for --in-process."""
    folder = tmp_path_factory.mktemp("mutant")
    (folder / "cogsync_mutant_drop_values.py").write_text(MUTANT_SOURCE)
    monkeypatch.syspath_prepend(str(folder))
    return "cogsync_mutant_drop_values:make_app"


@pytest.fixture
def cogsync_cli():  # type: ignore[no-untyped-def]
    """Run ``cogsync ARGV`` in this process as the console script does; returns the exit code."""
    from cogsync import cli

    def run(*argv: str) -> int:
        try:
            return cli.main(list(argv))
        except SystemExit as exc:  # argparse errors exit through SystemExit (code 3)
            return int(exc.code or 0)

    return run


def parse_table(text: str) -> dict[str, list[str]]:
    """The plain conformance table at the start of ``text``: property id -> [level, result,
    witnesses, note], a wrapped note's continuation lines (under the note column, the
    other columns blank) joined back with spaces. Empty if ``text`` has no table."""
    lines = text.splitlines()
    if not lines or lines[0].split() != ["property", "level", "result", "witnesses", "note"]:
        return {}
    assert set(lines[1].replace(" ", "")) == {"-"}, lines[1]
    found: dict[str, list[str]] = {}
    last: list[str] = []
    for line in lines[2:]:
        if not line.strip():
            break
        if line[0].isspace():  # a continuation of the note above
            assert last, f"a continuation line with no row above it: {line!r}"
            last[3] = f"{last[3]} {line.strip()}".strip()
            continue
        cells = line.split(maxsplit=4)
        pid, last = cells[0], [*cells[1:4], cells[4] if len(cells) > 4 else ""]
        assert pid not in found, f"{pid} appears twice"
        found[pid] = last
    return found


def cogsync_command() -> list[str]:
    """The installed ``cogsync`` console script (``python -m cogsync.cli`` without one)."""
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("cogsync")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cogsync.cli"]


def run_cogsync(*argv: str, **options: object):  # type: ignore[no-untyped-def]
    """``cogsync ARGV`` in a real subprocess, as a user runs it; text output captured."""
    import subprocess

    options.setdefault("timeout", 300)
    return subprocess.run(  # type: ignore[call-overload]
        [*cogsync_command(), *argv], capture_output=True, text=True, **options
    )
