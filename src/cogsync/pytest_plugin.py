"""cogsync's pytest plugin (entry point ``pytest11``): options, fixtures, report header.

Options live in one group, ``cogsync``, all prefixed ``--cogsync-`` and mirroring
``cogsync verify``. Fixtures:

- ``cogsync_target``: the target the options name (default: the embedded emulator
  in this process), probed once per session;
- ``cognito_sync``: a boto3 ``cognito-sync`` client on that target; for the embedded
  emulator, through :func:`cogsync.mock_cognito_sync`, fresh for every test;
- ``cogsync_emulator``: a reference emulator served over HTTP on 127.0.0.1 for the
  whole session (for clients that need a URL), reset before every test that uses it;
- ``cogsync_config``: the :class:`~cogsync.conformance.config.RunConfig` of the options.

The report header says how to reproduce the run (the seed is chosen once and shared
with pytest-xdist workers). The conformance suite itself is ``cogsync.suite``; its
table is printed once at the end of the run, by the xdist controller for all workers.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cogsync import options as shared_options
from cogsync.baseline import Baseline
from cogsync.conformance.config import BUDGETS, RunConfig
from cogsync.contracts.properties import PROFILES
from cogsync.errors import CogsyncError
from cogsync.errors import CogsyncWarning as CogsyncWarning  # where users import it from

OPTIONS_KEY = pytest.StashKey["PluginOptions"]()
SEED_WORKER_KEY = "cogsync_seed"
#: workeroutput key: a worker's verdicts (a JSON report's run) for the controller's table.
RUN_WORKER_KEY = "cogsync_run"
DUMMY_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True)
class PluginOptions:
    """The ``--cogsync-*`` options, checked once at configure time."""

    target: argparse.Namespace  # the fields cogsync.options.open_target reads
    config: RunConfig
    seed: int
    seed_given: bool
    baseline: Baseline | None
    report_dir: str | None
    per_property: bool

    @property
    def endpoint(self) -> str:
        return shared_options.describe_target(self.target)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cogsync", "cogsync: Cognito Sync contract testing")
    add = group.addoption
    add(
        "--cogsync-endpoint-url",
        metavar="URL",
        help="target endpoint, or 'aws' (default: the embedded emulator)",
    )
    add("--cogsync-in-process", metavar="MODULE:FACTORY", help="a WSGI app in this process")
    add("--cogsync-region", help="AWS region requests are signed for")
    add(
        "--cogsync-aws-profile",
        metavar="NAME",
        help="sign with this profile of ~/.aws (its credentials and region), as the AWS CLI's "
        "--profile does",
    )
    add("--cogsync-no-sign-request", action="store_true", help="send unsigned requests")
    add("--cogsync-identity-pool-id", metavar="ID", help="real AWS: an existing identity pool")
    add("--cogsync-identity-id", metavar="ID", help="real AWS: an identity of that pool")
    add(
        "--cogsync-strictness",
        choices=list(PROFILES),
        default="default",
        help="what a SHOULD breach counts as: a failure (default) or, under 'documented', a warning",
    )
    add("--cogsync-profile", help=argparse.SUPPRESS)  # renamed: see _options
    add("--cogsync-budget", choices=list(BUDGETS), default="quick", help="how hard to look")
    add("--cogsync-max-examples", type=shared_options.whole_number("cogsync-max-examples", 1), metavar="N")
    add(
        "--cogsync-seed",
        type=shared_options.whole_number("cogsync-seed", 0, shared_options.SEED_LIMIT - 1),
        metavar="N",
        help="replay a run exactly (default: a random seed, shown in the header)",
    )
    add(
        "--cogsync-properties",
        action="append",
        metavar="IDS",
        help="only these property ids or globs (comma-separated, repeatable)",
    )
    add("--cogsync-skip", action="append", metavar="IDS", help="leave out these ids or globs")
    add(
        "--cogsync-concurrency",
        type=shared_options.whole_number("cogsync-concurrency", 1, 64),
        default=4,
        metavar="K",
    )
    add(
        "--cogsync-rate-limit",
        type=shared_options.requests_per_second,
        metavar="RPS",
        help="requests per second (default: 10 for non-loopback endpoints; 0: no limit)",
    )
    add("--cogsync-timeout", type=shared_options.seconds("cogsync-timeout"), metavar="SECONDS")
    add("--cogsync-deadline", type=shared_options.seconds("cogsync-deadline"), metavar="SECONDS")
    add(
        "--cogsync-require-signatures",
        action="store_true",
        help="fail ISO-2 when the target checks no SigV4 signatures (default: not applicable)",
    )
    add(
        "--cogsync-skip-preflight",
        action="store_true",
        help="do not first check that the target is a Cognito Sync server that accepts the "
        "credentials (for those who know why)",
    )
    add(
        "--cogsync-restart-command",
        metavar="CMD",
        help="a shell command that kills and restarts the target, for DUR-1 (returns once the "
        "restart is issued; cogsync polls until the target answers)",
    )
    add(
        "--cogsync-restart",
        action="store_true",
        help="restart an in-process target (the embedded emulator, --cogsync-in-process) by "
        "rebuilding its app from its factory over the same storage",
    )
    add(
        "--cogsync-restart-every",
        type=shared_options.whole_number("cogsync-restart-every", 1),
        metavar="N",
        help="restart after every N writes (UpdateRecords calls) of the restarts phase "
        "(default: before writes drawn from the seed)",
    )
    add(
        "--cogsync-faults",
        type=shared_options.fault_spec,
        metavar="SPEC",
        help="run every phase but the preflight through these faults (as cogsync verify --faults)",
    )
    add(
        "--cogsync-database",
        metavar="DIR|redis://...",
        help="keep failing examples between runs: a directory or redis://... (default: none)",
    )
    add("--cogsync-baseline", metavar="FILE", help="known deviations (JSON or TOML)")
    add("--cogsync-report-dir", metavar="DIR", help="write reproduction scripts of failures here")
    add(
        "--cogsync-per-property",
        action="store_true",
        help="cogsync.suite: one engine run per property test instead of one shared run",
    )


def _options(config: pytest.Config) -> PluginOptions:
    get = config.getoption
    renamed = get("cogsync_profile")
    if renamed is not None:
        raise pytest.UsageError(
            f"--cogsync-profile {renamed} is not an option: for an AWS profile use "
            f"--cogsync-aws-profile {renamed}; for what a SHOULD breach counts as, "
            "--cogsync-strictness default|documented"
        )
    given = get("cogsync_seed")
    worker_seed = getattr(config, "workerinput", {}).get(SEED_WORKER_KEY)
    seed = given if given is not None else worker_seed
    if seed is None:
        seed = secrets.randbelow(shared_options.SEED_LIMIT)
    target = argparse.Namespace(
        endpoint_url=get("cogsync_endpoint_url"),
        in_process=get("cogsync_in_process"),
        region=get("cogsync_region"),
        aws_profile=get("cogsync_aws_profile"),
        no_sign_request=get("cogsync_no_sign_request"),
        timeout=get("cogsync_timeout"),
        rate_limit=get("cogsync_rate_limit"),
    )
    if target.endpoint_url and target.in_process:
        raise pytest.UsageError(
            "--cogsync-endpoint-url and --cogsync-in-process cannot be combined: "
            "give one or neither"
        )
    try:
        run_config = RunConfig(
            profile=get("cogsync_strictness"),
            budget=get("cogsync_budget"),
            max_examples=get("cogsync_max_examples"),
            seed=seed,
            properties=shared_options.id_list(get("cogsync_properties")) or None,
            skip=shared_options.id_list(get("cogsync_skip")),
            concurrency=get("cogsync_concurrency"),
            identity_pool_id=get("cogsync_identity_pool_id"),
            identity_id=get("cogsync_identity_id"),
            database=get("cogsync_database"),
            deadline_seconds=get("cogsync_deadline"),
            require_signatures=bool(get("cogsync_require_signatures")),
            skip_preflight=bool(get("cogsync_skip_preflight")),
            restart_command=get("cogsync_restart_command"),
            restart_in_process=bool(get("cogsync_restart")),
            restart_every=get("cogsync_restart_every"),
            faults=get("cogsync_faults"),
        )
        path = get("cogsync_baseline")
        baseline = Baseline.load(path) if path else None
        if target.aws_profile is not None:
            from cogsync.targets.signing import profile_session

            profile_session(target.aws_profile)  # a missing profile: a usage error, now
    except CogsyncError as exc:
        raise pytest.UsageError(f"cogsync: {exc}") from None
    return PluginOptions(
        target=target,
        config=run_config,
        seed=seed,
        seed_given=given is not None,
        baseline=baseline,
        report_dir=get("cogsync_report_dir"),
        per_property=bool(get("cogsync_per_property")),
    )


def options_of(config: pytest.Config) -> PluginOptions:
    return config.stash[OPTIONS_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.stash[OPTIONS_KEY] = _options(config)
    config.addinivalue_line("markers", "cogsync_property(id): a conformance test of one property")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistController(config), "cogsync-xdist-controller")


class _XdistController:
    """The controller's side of xdist: every worker gets the controller's seed (so the
    header's command reproduces), and each worker's verdicts come back for one table."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[SEED_WORKER_KEY] = options_of(node.config).seed

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        from cogsync.report.serialize import run_from_dict

        sent = getattr(node, "workeroutput", {}).get(RUN_WORKER_KEY)
        if sent:
            self.config.stash.setdefault(WORKER_RUNS_KEY, []).append(run_from_dict(json.loads(sent)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand the verdicts of the tests it ran to the controller."""
    output = getattr(session.config, "workeroutput", None)
    conformance = session.config.stash.get(SESSION_KEY, None)
    if output is None or conformance is None:
        return
    from cogsync.report.serialize import run_to_dict

    run = conformance.combined(only=conformance.judged)
    if run is not None:
        output[RUN_WORKER_KEY] = json.dumps(run_to_dict(run))


def reproduce_command(config: pytest.Config) -> str:
    """The pytest command line of this run with the seed pinned."""
    options = options_of(config)
    args = list(config.invocation_params.args)
    kept: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
            continue
        if arg == "--cogsync-seed":
            skip_next = True
            continue
        if arg.startswith("--cogsync-seed="):
            continue
        kept.append(arg)
    return shlex.join(["pytest", *kept, f"--cogsync-seed={options.seed}"])


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = options_of(config)
    run = options.config
    return [
        f"cogsync: target {options.endpoint}, strictness {run.profile}, budget {run.budget}, "
        f"seed {options.seed}",
        f"cogsync: reproduce with: {reproduce_command(config)}",
    ]


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cogsync_config(pytestconfig: pytest.Config) -> RunConfig:
    """The run configuration the ``--cogsync-*`` options describe."""
    return options_of(pytestconfig).config


@pytest.fixture(scope="session")
def cogsync_target(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The target of the options, probed once; unreachable is a setup error, not a failure."""
    options = options_of(pytestconfig)
    try:
        target = shared_options.open_target(options.target)
    except CogsyncError as exc:
        pytest.fail(f"cogsync: {exc}", pytrace=False)
    try:
        yield target
    finally:
        target.close()


@dataclass
class ServedEmulator:
    """The session's emulator: its base URL and a reset() that forgets all data."""

    url: str
    backend: Any

    def reset(self) -> None:
        self.backend.reset()


@pytest.fixture(scope="session")
def cogsync_emulator() -> Iterator[ServedEmulator]:
    """A reference emulator over HTTP on 127.0.0.1 (a free port) for the whole session."""
    from cogsync.emulator.backend import CognitoSyncBackend
    from cogsync.emulator.server import serve_in_thread

    backend = CognitoSyncBackend(None)
    with serve_in_thread("127.0.0.1", 0, backend=backend) as url:
        yield ServedEmulator(url, backend)


@pytest.fixture(autouse=True)
def _cogsync_emulator_reset(request: pytest.FixtureRequest) -> None:
    """Reset the session's emulator before each test that uses it: no test sees another's data."""
    if "cogsync_emulator" in request.fixturenames:
        request.getfixturevalue("cogsync_emulator").reset()


def _region(options: PluginOptions, session: Any = None) -> str:
    profile_region = session.region_name if options.target.aws_profile and session else None
    return (
        options.target.region or profile_region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )


def _boto3_session(options: PluginOptions) -> Any:
    """A boto3 session on ``--cogsync-aws-profile`` (checked, as for the targets), else the default."""
    import boto3

    name = options.target.aws_profile
    if name is None:
        return boto3.Session()
    from cogsync.targets.signing import profile_credentials

    try:
        profile_credentials(name)
    except CogsyncError as exc:
        pytest.fail(f"cogsync: {exc}", pytrace=False)
    return boto3.Session(profile_name=name)


def _client_kwargs(options: PluginOptions, session: Any) -> dict[str, Any]:
    from botocore import UNSIGNED
    from botocore.config import Config

    kwargs: dict[str, Any] = {"region_name": _region(options, session)}
    url = options.target.endpoint_url
    if url and url != "aws":
        kwargs["endpoint_url"] = url
        if session.get_credentials() is None:
            kwargs.update(DUMMY_KEYS)  # an emulator endpoint: any keys will do
    if options.target.no_sign_request:
        kwargs["config"] = Config(signature_version=UNSIGNED)
    return kwargs


@pytest.fixture
def cognito_sync(pytestconfig: pytest.Config) -> Iterator[Any]:
    """A boto3 cognito-sync client on the target (the embedded emulator: fresh each test)."""
    import boto3

    options = options_of(pytestconfig)
    if options.target.in_process:
        pytest.skip(
            "cognito_sync needs an HTTP endpoint or the embedded emulator, not --cogsync-in-process"
        )
    if options.target.endpoint_url:
        session = _boto3_session(options)
        yield session.client("cognito-sync", **_client_kwargs(options, session))
        return
    from cogsync.emulator.mock import mock_cognito_sync

    with mock_cognito_sync():
        yield boto3.client("cognito-sync", region_name=_region(options), **DUMMY_KEYS)


# --- the conformance suite (cogsync.suite) ----------------------------------------------

SESSION_KEY = pytest.StashKey[Any]()
SELECTED_KEY = pytest.StashKey[list[str]]()
WORKER_RUNS_KEY = pytest.StashKey[list[Any]]()
MARKER = "cogsync_property"


def _property_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker(MARKER)
    return str(marker.args[0]) if marker is not None and marker.args else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the property tests that --cogsync-properties / --cogsync-skip leave out."""
    wanted = set(options_of(config).config.selected)
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        pid = _property_of(item)
        (drop if pid is not None and pid not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember which property tests will run: the shared engine run covers exactly those."""
    ids = [pid for pid in map(_property_of, session.items) if pid is not None]
    session.config.stash[SELECTED_KEY] = list(dict.fromkeys(ids))


@pytest.fixture(scope="session")
def cogsync_conformance(pytestconfig: pytest.Config, cogsync_target: Any) -> Any:
    """The session's conformance runs (see :mod:`cogsync.suite.session`)."""
    from cogsync.suite.session import ConformanceSession

    options = options_of(pytestconfig)
    session = ConformanceSession(
        cogsync_target,
        options.config,
        selected=pytestconfig.stash.get(SELECTED_KEY, []),
        per_property=options.per_property,
        baseline=options.baseline,
        report_dir=options.report_dir,
        endpoint_url=options.target.endpoint_url,
    )
    pytestconfig.stash[SESSION_KEY] = session
    return session


@dataclass
class PropertyVerdict:
    """What a ``test_<ID>`` test checks: one property's verdict from the session's run."""

    session: Any
    run: Any
    result: Any
    node: Any

    def check(self) -> None:
        from cogsync.suite.session import check_verdict

        check_verdict(
            self.result,
            self.session.assessment(self.run),
            self.node,
            run=self.run,
        )


@pytest.fixture
def cogsync_property(request: pytest.FixtureRequest, cogsync_conformance: Any) -> PropertyVerdict:
    """The verdict for the test's ``cogsync_property`` marker; inconclusive errors here."""
    from cogsync.suite.session import check_setup

    pid = _property_of(request.node)
    if pid is None:
        raise pytest.UsageError("cogsync_property needs @pytest.mark.cogsync_property('ID')")
    run = cogsync_conformance.run_for(pid)
    return PropertyVerdict(cogsync_conformance, run, check_setup(pid, run), request.node)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One conformance table for the whole run: this process's verdicts, or every xdist worker's."""
    from cogsync.suite.session import combine, write_summary

    session = config.stash.get(SESSION_KEY, None)
    local = session.combined() if session is not None else None
    workers = config.stash.get(WORKER_RUNS_KEY, [])
    run = combine([*workers, *([local] if local else [])], parallel=bool(workers))
    if run is None:
        return
    options = options_of(config)
    assessment = options.baseline.assess(run) if options.baseline else None
    write_summary(terminalreporter, run, assessment, report_dir=options.report_dir,
                  command=reproduce_command(config))
