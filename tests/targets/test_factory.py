"""make_target and InProcessTarget.from_spec: options in, the right target out, mistakes named."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from cogsync.contracts.calls import Call, Ok, Unknown
from cogsync.errors import UsageError
from cogsync.targets import (
    AwsCliTarget,
    Boto3Target,
    HttpTarget,
    InProcessTarget,
    RateLimited,
    make_target,
)

from .conftest import closed_port, fresh_token, list_records


def test_no_endpoint_is_a_fresh_in_process_emulator(ids: dict[str, str]) -> None:
    first, second = make_target(), make_target()
    assert isinstance(first, InProcessTarget) and first.name == "in-process"
    token = fresh_token(first, ids)
    patch = [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]
    assert isinstance(
        first.send(
            Call("UpdateRecords", {**ids, "SyncSessionToken": token, "RecordPatches": patch})
        ).outcome,
        Ok,
    )
    listed = second.send(list_records(ids)).outcome
    assert isinstance(listed, Ok) and listed.body["DatasetExists"] is False  # fresh state


@pytest.mark.parametrize(
    "transport, kind", [("http", HttpTarget), ("boto3", Boto3Target), ("awscli", AwsCliTarget)]
)
def test_an_endpoint_gets_the_chosen_transport(transport: str, kind: Any) -> None:
    target = make_target(
        endpoint_url="http://127.0.0.1:8123/", transport=transport, region="eu-west-1"
    )
    try:
        assert type(target) is kind
        assert getattr(target, "region", None) == "eu-west-1"
        assert "http://127.0.0.1:8123" in target.name
    finally:
        target.close()


def test_real_aws_is_named_by_region_and_sends_nothing_when_built() -> None:
    http = make_target(endpoint_url="aws", region="eu-central-1")
    boto = make_target(endpoint_url="aws", region="eu-central-1", transport="boto3")
    assert http.name == boto.name == "aws:eu-central-1"
    assert isinstance(http, HttpTarget)
    assert http.endpoint_url == "https://cognito-sync.eu-central-1.amazonaws.com"
    http.close()
    boto.close()


def test_rate_limit_wraps(ids: dict[str, str]) -> None:
    target = make_target(requests_per_second=1000)
    assert isinstance(target, RateLimited)
    assert isinstance(target.send(list_records(ids)).outcome, Ok)


def test_an_unreachable_endpoint_is_found_by_probe_not_by_make_target() -> None:
    target = make_target(endpoint_url=f"http://127.0.0.1:{closed_port()}", timeout=2)
    reason = target.probe()
    assert reason is not None and "not reachable" in reason and "\n" not in reason
    target.close()


@pytest.mark.parametrize(
    "options, argument",
    [
        ({"transport": "grpc"}, "transport"),
        ({"transport": "boto3"}, "transport"),
        ({"transport": "awscli"}, "transport"),
        ({"endpoint_url": "ftp://example"}, "endpoint_url"),
        ({"endpoint_url": "127.0.0.1:8000"}, "endpoint_url"),
        ({"endpoint_url": "http://127.0.0.1:99999"}, "endpoint_url"),
        ({"endpoint_url": 8000}, "endpoint_url"),
        ({"endpoint_url": "http://127.0.0.1:1", "region": "us east"}, "region"),
        ({"endpoint_url": "aws", "transport": "awscli", "region": "us-east-1"}, "transport"),
        ({"in_process": "x:y", "endpoint_url": "http://127.0.0.1:1"}, "in_process"),
        ({"in_process": "no-colon"}, "in_process"),
        ({"in_process": "cogsync_no_such_module_xyz:app"}, "in_process"),
        ({"in_process": "json:no_such_factory"}, "in_process"),
        ({"no_sign_request": "yes"}, "no_sign_request"),
        ({"timeout": 0}, "timeout"),
        ({"requests_per_second": -2}, "requests_per_second"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_option(
    options: dict[str, Any], argument: str
) -> None:
    with pytest.raises(UsageError) as raised:
        make_target(**options)
    assert f"{argument}=" in str(raised.value)


def test_real_aws_without_a_region_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "config").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(UsageError, match="region=None"):
        make_target(endpoint_url="aws")


# -- a user's own app, in process ------------------------------------------------------------
APP_MODULE = """
import json

def wsgi(environ, start_response):
    body = json.dumps({"path": environ["PATH_INFO"], "query": environ["QUERY_STRING"]})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]

class Framework:
    wsgi_app = staticmethod(wsgi)

def make_app():
    return wsgi

def make_framework():
    return Framework()

def make_nothing():
    return 42

def broken(environ, start_response):
    raise RuntimeError("boom")

def make_broken():
    return broken
"""


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"cogsync_user_app_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(APP_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.mark.parametrize("factory", ["make_app", "make_framework"])
def test_from_spec_loads_a_factory(user_module: str, ids: dict[str, str], factory: str) -> None:
    target = make_target(in_process=f"{user_module}:{factory}")
    assert isinstance(target, InProcessTarget)
    outcome = target.send(list_records(ids, LastSyncCount=2)).outcome
    assert isinstance(outcome, Ok)
    assert outcome.body == {
        "path": f"/identitypools/{ids['IdentityPoolId']}/identities/{ids['IdentityId']}"
        f"/datasets/{ids['DatasetName']}/records",
        "query": "lastSyncCount=2",
    }
    assert not target.supports_reset
    with pytest.raises(Exception, match="reset"):
        target.reset()


def test_from_spec_refuses_a_factory_that_returns_no_app(user_module: str) -> None:
    with pytest.raises(UsageError, match="not a WSGI app"):
        InProcessTarget.from_spec(f"{user_module}:make_nothing")


def test_an_app_that_raises_is_an_unknown_500_not_a_crash(
    user_module: str, ids: dict[str, str]
) -> None:
    target = InProcessTarget.from_spec(f"{user_module}:make_broken")
    response = target.send(list_records(ids))
    assert isinstance(response.outcome, Unknown)
    assert response.status == 500 and "boom" in response.outcome.reason
    assert target.probe() is not None
