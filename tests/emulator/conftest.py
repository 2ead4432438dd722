"""Fixtures for the emulator's tests: real boto3 clients on every transport.

``sync`` is the workhorse: a :class:`Sync` (a boto3 client plus a fresh identity, so
tests never see each other's data) on each transport, the same tests running
against all three:

- ``mock``: ``mock_cognito_sync()`` in-process (memory storage);
- ``http``: ``serve_in_thread`` over HTTP on 127.0.0.1 (memory storage);
- ``http-sqlite``: the same with a SQLite file.

Servers are shared by the session (each test has its own identity); the mock is
started and stopped around each test so it never intercepts another suite's calls.

Every backend here is built with the reference's choices, ``Choices()``, spelled
out: these tests are what "the reference" means. ``flipped`` is a :class:`Sync` on an
emulator making the other choice at every MAY point (``FLIPPED``), in-process and
over HTTP.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.choices import FLIPPED, Choices
from cogsync.emulator.mock import CognitoSyncMock
from cogsync.emulator.server import serve_in_thread
from cogsync.emulator.storage import SQLiteStorage

POOL = "us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100"
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "AKIDEMULATORTEST", "aws_secret_access_key": "emulator-test-secret"}
TRANSPORTS = ("mock", "http", "http-sqlite")
FLIPPED_TRANSPORTS = ("mock", "http")
#: The choices every reference backend of these tests is built with.
REFERENCE_CHOICES = Choices()
#: Error types any operation may answer besides its own list (WIRE-3).
ACCESS_ERRORS = frozenset(
    {"AccessDeniedException", "InvalidSignatureException", "UnrecognizedClientException",
     "MissingAuthenticationTokenException", "NotAuthorizedException"}
)


def new_identity() -> str:
    return f"{REGION}:{uuid.uuid4()}"


def make_client(
    endpoint_url: str | None = None, *, keys: tuple[str, str] | None = None, **config: Any
) -> Any:
    """A real boto3 cognito-sync client; no retries, so tests see every answer as sent."""
    # total_max_attempts counts the first try: no retry (max_attempts=1 would allow one,
    # and botocore retries LimitExceededException as throttling).
    options: dict[str, Any] = {"retries": {"total_max_attempts": 1, "mode": "standard"}}
    options.update(config)
    credentials = KEYS if keys is None else {
        "aws_access_key_id": keys[0], "aws_secret_access_key": keys[1]}
    kwargs: dict[str, Any] = {"region_name": REGION, **credentials,
                              "config": botocore.config.Config(**options)}
    if endpoint_url is not None:
        kwargs["endpoint_url"] = endpoint_url
    return boto3.client("cognito-sync", **kwargs)


@dataclass
class RawAnswer:
    """One answer as it came over the wire (before botocore parsed it)."""

    operation: str
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Sync:
    """A boto3 client bound to one identity, with the chores of a sync client."""

    client: Any
    backend: CognitoSyncBackend
    transport: str
    identity: str = field(default_factory=new_identity)
    pool: str = POOL
    raw_answers: list[RawAnswer] = field(default_factory=list)

    def scope(self, dataset: str = "ds", **overrides: Any) -> dict[str, Any]:
        return {"IdentityPoolId": self.pool, "IdentityId": self.identity,
                "DatasetName": dataset, **overrides}

    def other_identity(self) -> Sync:
        return Sync(self.client, self.backend, self.transport, raw_answers=self.raw_answers)

    def listing(self, dataset: str = "ds", **params: Any) -> dict[str, Any]:
        return dict(self.client.list_records(**self.scope(dataset), **params))

    def token(self, dataset: str = "ds") -> str:
        return str(self.listing(dataset)["SyncSessionToken"])

    def write(
        self, patches: list[dict[str, Any]], dataset: str = "ds", token: str | None = None,
        **params: Any,
    ) -> dict[str, Any]:
        token = token if token is not None else self.token(dataset)
        return dict(self.client.update_records(
            **self.scope(dataset), SyncSessionToken=token, RecordPatches=patches, **params
        ))

    def put(self, key: str, value: str, count: int, dataset: str = "ds") -> dict[str, Any]:
        """Replace one key presenting ``count``; the written record."""
        records = self.write([{"Op": "replace", "Key": key, "Value": value, "SyncCount": count}],
                             dataset)["Records"]
        return dict(records[0])

    def records(self, dataset: str = "ds", **params: Any) -> dict[str, dict[str, Any]]:
        """Every record of a full listing (all pages), by key."""
        found: dict[str, dict[str, Any]] = {}
        token = None
        while True:
            page = self.listing(dataset, **params, **({"NextToken": token} if token else {}))
            for record in page["Records"]:
                assert record["Key"] not in found, f"{record['Key']} listed twice"
                found[record["Key"]] = record
            token = page.get("NextToken")
            if not token:
                return found

    def state(self, dataset: str = "ds") -> tuple[Any, ...]:
        """What a refused call must leave alone: existence, sync count, every record."""
        page = self.listing(dataset)
        records = sorted(
            (r["Key"], r.get("Value"), r["SyncCount"]) for r in self.records(dataset).values()
        )
        return (page["DatasetExists"], page["DatasetSyncCount"], tuple(records))


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    """(type, status, message) of the error ``call`` must raise."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message", ""))


@pytest.fixture(scope="session")
def http_backend() -> CognitoSyncBackend:
    return CognitoSyncBackend(choices=REFERENCE_CHOICES)


@pytest.fixture(scope="session")
def http_url(http_backend: CognitoSyncBackend) -> Iterator[str]:
    with serve_in_thread(backend=http_backend) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CognitoSyncBackend]:
    storage = SQLiteStorage(tmp_path_factory.mktemp("emulator") / "state.db")
    yield CognitoSyncBackend(storage, choices=REFERENCE_CHOICES)
    storage.close()


@pytest.fixture(scope="session")
def sqlite_url(sqlite_backend: CognitoSyncBackend) -> Iterator[str]:
    with serve_in_thread(backend=sqlite_backend) as url:
        yield url


@pytest.fixture(scope="session")
def mock_backend() -> CognitoSyncBackend:
    return CognitoSyncBackend(choices=REFERENCE_CHOICES)


@pytest.fixture(scope="session")
def clients(http_url: str, sqlite_url: str) -> dict[str, Any]:
    """One boto3 client per transport, made once (making clients is slow)."""
    return {"mock": make_client(), "http": make_client(http_url),
            "http-sqlite": make_client(sqlite_url)}


def _capture(raw_answers: list[RawAnswer]) -> Callable[..., None]:
    def after_call(http_response: Any, model: Any, **_: Any) -> None:
        raw_answers.append(RawAnswer(model.name, http_response.status_code,
                                  {k.lower(): v for k, v in http_response.headers.items()},
                                  http_response.content))
    return after_call


@pytest.fixture(params=TRANSPORTS)
def sync(
    request: pytest.FixtureRequest,
    clients: dict[str, Any],
    mock_backend: CognitoSyncBackend,
    http_backend: CognitoSyncBackend,
    sqlite_backend: CognitoSyncBackend,
) -> Iterator[Sync]:
    transport: str = request.param
    backend = {"mock": mock_backend, "http": http_backend, "http-sqlite": sqlite_backend}[transport]
    client = clients[transport]
    result = Sync(client, backend, transport)
    handler = _capture(result.raw_answers)
    client.meta.events.register("after-call.cognito-sync", handler)
    try:
        if transport == "mock":
            with CognitoSyncMock(backend=mock_backend):
                yield result
        else:
            yield result
    finally:
        client.meta.events.unregister("after-call.cognito-sync", handler)


@pytest.fixture(scope="session")
def flipped_backend() -> CognitoSyncBackend:
    return CognitoSyncBackend(choices=FLIPPED)


@pytest.fixture(scope="session")
def flipped_url(flipped_backend: CognitoSyncBackend) -> Iterator[str]:
    with serve_in_thread(backend=flipped_backend) as url:
        yield url


@pytest.fixture(scope="session")
def flipped_mock_backend() -> CognitoSyncBackend:
    return CognitoSyncBackend(choices=FLIPPED)


@pytest.fixture(scope="session")
def flipped_clients(flipped_url: str) -> dict[str, Any]:
    return {"mock": make_client(), "http": make_client(flipped_url)}


@pytest.fixture(params=FLIPPED_TRANSPORTS)
def flipped(
    request: pytest.FixtureRequest,
    flipped_clients: dict[str, Any],
    flipped_backend: CognitoSyncBackend,
    flipped_mock_backend: CognitoSyncBackend,
) -> Iterator[Sync]:
    """A :class:`Sync` on the FLIPPED emulator (in-process mock, or HTTP)."""
    transport: str = request.param
    backend = flipped_mock_backend if transport == "mock" else flipped_backend
    client = flipped_clients[transport]
    result = Sync(client, backend, transport)
    handler = _capture(result.raw_answers)
    client.meta.events.register("after-call.cognito-sync", handler)
    try:
        if transport == "mock":
            with CognitoSyncMock(backend=flipped_mock_backend):
                yield result
        else:
            yield result
    finally:
        client.meta.events.unregister("after-call.cognito-sync", handler)


@pytest.fixture
def unvalidated(sync: Sync, http_url: str, sqlite_url: str) -> Any:
    """A client of the same transport with boto3's own parameter validation off."""
    url = {"mock": None, "http": http_url, "http-sqlite": sqlite_url}[sync.transport]
    client = make_client(url, parameter_validation=False)
    client.meta.events.register("after-call.cognito-sync", _capture(sync.raw_answers))
    return client


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "emulator.db"
