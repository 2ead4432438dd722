"""The fixtures users get: the served emulator with its per-test reset, boto3 clients, targets."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cogsync.emulator.server import serve_in_thread

WRITE_AND_READ = """
import uuid

POOL = "us-east-1:00000000-0000-0000-0000-00000000000a"
IDENTITY = "us-east-1:00000000-0000-0000-0000-00000000000b"
SCOPE = dict(IdentityPoolId=POOL, IdentityId=IDENTITY, DatasetName="settings")


def write(client, key, value):
    token = client.list_records(**SCOPE)["SyncSessionToken"]
    client.update_records(**SCOPE, SyncSessionToken=token,
                          RecordPatches=[dict(Op="replace", Key=key, Value=value, SyncCount=0)])


def keys(client):
    return sorted(r["Key"] for r in client.list_records(**SCOPE)["Records"])
"""


@pytest.fixture
def served_emulator() -> Iterator[str]:
    with serve_in_thread("127.0.0.1", 0) as url:
        yield url


def test_cogsync_emulator_is_shared_but_reset_for_each_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WRITE_AND_READ.replace("import uuid", "import boto3"))
    pytester.makepyfile("""
        import boto3
        from conftest import write, keys

        URLS = []

        def client(url):
            return boto3.client("cognito-sync", endpoint_url=url, region_name="us-east-1",
                                aws_access_key_id="x", aws_secret_access_key="y")

        def test_first(cogsync_emulator):
            URLS.append(cogsync_emulator.url)
            c = client(cogsync_emulator.url)
            write(c, "first", "1")
            assert keys(c) == ["first"]

        def test_second_sees_a_clean_emulator(cogsync_emulator):
            URLS.append(cogsync_emulator.url)
            assert cogsync_emulator.url.startswith("http://127.0.0.1:")
            c = client(cogsync_emulator.url)
            assert keys(c) == []
            write(c, "second", "2")
            assert keys(c) == ["second"]

        def test_one_server_for_the_session():
            assert len(set(URLS)) == 1
    """)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_cognito_sync_client_on_an_endpoint(
    pytester: pytest.Pytester, served_emulator: str
) -> None:
    pytester.makeconftest(WRITE_AND_READ)
    pytester.makepyfile(
        """
        from conftest import write, keys

        def test_client(cognito_sync):
            assert cognito_sync.meta.endpoint_url == ENDPOINT
            write(cognito_sync, "k", "v")
            assert keys(cognito_sync) == ["k"]
    """.replace("ENDPOINT", repr(served_emulator))
    )
    result = pytester.runpytest(f"--cogsync-endpoint-url={served_emulator}")
    result.assert_outcomes(passed=1)


def test_cognito_sync_client_on_the_embedded_emulator_is_fresh_each_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(WRITE_AND_READ)
    pytester.makepyfile("""
        from conftest import write, keys

        def test_one(cognito_sync):
            write(cognito_sync, "one", "1")
            assert keys(cognito_sync) == ["one"]

        def test_two(cognito_sync):
            assert keys(cognito_sync) == []
    """)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_an_unreachable_target_is_a_setup_error(pytester: pytest.Pytester) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pytester.makepyfile("""
        def test_uses_target(cogsync_target):
            pass
    """)
    result = pytester.runpytest(
        f"--cogsync-endpoint-url=http://127.0.0.1:{port}", "--cogsync-timeout=2"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*cogsync: cannot reach http://127.0.0.1:{port}*"])


def test_the_target_fixture_reaches_the_embedded_emulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from cogsync.contracts.calls import Call, Ok

        def test_list(cogsync_target):
            ids = {"IdentityPoolId": "us-east-1:0", "IdentityId": "us-east-1:1"}
            call = Call("ListRecords", {**ids, "DatasetName": "d"})
            outcome = cogsync_target.send(call).outcome
            assert isinstance(outcome, Ok), outcome
            assert outcome.body["DatasetSyncCount"] == 0
    """)
    pytester.runpytest().assert_outcomes(passed=1)
