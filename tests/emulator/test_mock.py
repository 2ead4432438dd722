"""``mock_cognito_sync()``: context manager, decorator, reset, inspection, and life beside moto."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import boto3
import pytest
from moto import mock_aws

import cogsync
import cogsync.emulator
from cogsync.contracts.constraints import Limits
from cogsync.emulator.mock import CognitoSyncMock, current_mock, mock_cognito_sync

from .conftest import POOL, REGION, make_client, new_identity

SCOPE = {"IdentityPoolId": POOL, "IdentityId": "us-east-1:0000aaaa", "DatasetName": "app"}


def _write(client: object, scope: dict[str, str], key: str = "k", value: str = "v") -> int:
    token = client.list_records(**scope)["SyncSessionToken"]  # type: ignore[attr-defined]
    answer = client.update_records(  # type: ignore[attr-defined]
        **scope, SyncSessionToken=token,
        RecordPatches=[{"Op": "replace", "Key": key, "Value": value, "SyncCount": 0}])
    return int(answer["Records"][0]["SyncCount"])


def test_it_is_exported_from_cogsync_and_cogsync_emulator() -> None:
    assert cogsync.mock_cognito_sync is mock_cognito_sync
    assert cogsync.emulator.mock_cognito_sync is mock_cognito_sync


def test_import_cogsync_stays_light() -> None:
    code = ("import sys, cogsync; "
            "print('botocore' in sys.modules, 'cogsync.emulator.mock' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_context_manager_intercepts_without_a_socket_and_exposes_the_backend() -> None:
    with mock_cognito_sync() as mock:
        client = make_client()
        assert _write(client, SCOPE) == 1
        dataset = mock.backend.describe_dataset(**SCOPE)["Dataset"]
        assert dataset["NumRecords"] == 1
    assert not mock.active


def test_reset_forgets_everything() -> None:
    with mock_cognito_sync() as mock:
        client = make_client()
        _write(client, SCOPE)
        mock.reset()
        assert client.list_records(**SCOPE)["DatasetExists"] is False
        assert _write(client, SCOPE) == 1


def test_each_mock_has_its_own_state_and_the_innermost_wins() -> None:
    client = make_client()
    with mock_cognito_sync() as outer:
        _write(client, SCOPE)
        with mock_cognito_sync() as inner:
            assert current_mock() is inner
            assert client.list_records(**SCOPE)["DatasetExists"] is False
        assert current_mock() is outer
        assert client.list_records(**SCOPE)["DatasetExists"] is True


@mock_cognito_sync
def test_bare_decorator_gives_each_call_a_fresh_emulator() -> None:
    client = make_client()
    assert client.list_records(**SCOPE)["DatasetExists"] is False
    _write(client, SCOPE)
    assert current_mock().backend.describe_dataset(**SCOPE)["Dataset"]["NumRecords"] == 1


_configured = mock_cognito_sync(limits=Limits(max_records_per_dataset=1))


@_configured
def test_decorator_with_options_and_fixtures(tmp_path: object) -> None:
    assert tmp_path is not None  # pytest fixtures still reach the decorated test
    client = make_client()
    token = client.list_records(**SCOPE)["SyncSessionToken"]
    with pytest.raises(client.exceptions.LimitExceededException):
        client.update_records(**SCOPE, SyncSessionToken=token, RecordPatches=[
            {"Op": "replace", "Key": k, "Value": "v", "SyncCount": 0} for k in "ab"])
    assert _configured.active


def test_nothing_is_intercepted_outside_a_mock(http_url: str) -> None:
    client = make_client(http_url)  # a real server answers once no mock is active
    with mock_cognito_sync():
        scope = {**SCOPE, "IdentityId": new_identity()}
        _write(client, scope)  # intercepted: the served emulator never sees it
    assert client.list_records(**scope)["DatasetExists"] is False


def test_clients_made_before_and_after_start_are_both_intercepted() -> None:
    before = make_client()
    mock = CognitoSyncMock()
    with mock:
        after = make_client()
        assert _write(before, SCOPE, "a") == 1
        assert after.list_records(**SCOPE)["Records"][0]["Key"] == "a"


@pytest.mark.parametrize("order", ["moto-outside", "moto-inside"])
def test_an_app_gets_an_identity_from_moto_and_syncs_through_the_emulator(order: str) -> None:
    made_before = boto3.client("cognito-sync", region_name=REGION, aws_access_key_id="x",
                               aws_secret_access_key="y")
    outer, inner = (mock_aws(), mock_cognito_sync()) if order == "moto-outside" else (
        mock_cognito_sync(), mock_aws())
    with outer, inner:
        identity = boto3.client("cognito-identity", region_name=REGION)
        pool = identity.create_identity_pool(IdentityPoolName="app",
                                             AllowUnauthenticatedIdentities=True)
        identity_id = identity.get_id(IdentityPoolId=pool["IdentityPoolId"])["IdentityId"]
        scope = {"IdentityPoolId": pool["IdentityPoolId"], "IdentityId": identity_id,
                 "DatasetName": "settings"}
        made_inside = boto3.client("cognito-sync", region_name=REGION)
        assert _write(made_inside, scope, "theme", "dark") == 1
        records = made_before.list_records(**scope)["Records"]
        assert [(r["Key"], r["Value"]) for r in records] == [("theme", "dark")]
        listed = identity.list_identities(IdentityPoolId=pool["IdentityPoolId"], MaxResults=5)
        assert [i["IdentityId"] for i in listed["Identities"]] == [identity_id]  # moto still serves


def test_a_client_made_before_the_mock_was_imported_is_intercepted_even_beside_moto() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        import boto3
        from moto import mock_aws  # moto's catch-all handler is on the client below
        client = boto3.client("cognito-sync", region_name="us-east-1",
                              aws_access_key_id="a", aws_secret_access_key="b")
        assert "cogsync.emulator.mock" not in sys.modules
        from cogsync import mock_cognito_sync
        with mock_aws(), mock_cognito_sync() as mock:
            scope = {SCOPE!r}
            token = client.list_records(**scope)["SyncSessionToken"]
            client.update_records(**scope, SyncSessionToken=token, RecordPatches=[
                {{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}}])
            print(mock.backend.describe_dataset(**scope)["Dataset"]["NumRecords"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_stop_without_start_is_an_error() -> None:
    with pytest.raises(RuntimeError):
        CognitoSyncMock().stop()
    with pytest.raises(RuntimeError):
        current_mock()


def test_each_call_reaches_the_emulator_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A client made while the mock is active carries the handler twice (builtin + hook);
    # the emulator must still see each request once, or a write's token looks spent.
    from cogsync.emulator import wire

    seen: list[str] = []
    original = wire.CognitoSyncApp.__call__

    def counting(self: object, environ: dict, start_response: object) -> object:
        seen.append(environ["REQUEST_METHOD"])
        return original(self, environ, start_response)  # type: ignore[arg-type]

    monkeypatch.setattr(wire.CognitoSyncApp, "__call__", counting)
    with mock_cognito_sync():
        client = make_client()
        assert _write(client, {**SCOPE, "IdentityId": new_identity()}) == 1
    assert seen == ["GET", "POST"]
