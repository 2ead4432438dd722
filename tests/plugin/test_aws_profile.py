"""--cogsync-aws-profile: the suite and the cognito_sync fixture sign with a named AWS profile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.server import serve_in_thread

KEY, SECRET = "AKIDPROFILEEXAMPLE", "profile-secret-123"  # the emu profile's (root conftest.py)
CLIENT_TEST = """
def test_list(cognito_sync):
    ids = {"IdentityPoolId": "eu-west-3:5eed0000-0000-0000-0000-000000000001",
           "IdentityId": "eu-west-3:5eed0000-0000-0000-0000-000000000002", "DatasetName": "d"}
    assert cognito_sync.list_records(**ids)["DatasetSyncCount"] == 0
    assert cognito_sync.meta.region_name == "eu-west-3"  # the profile's region
"""


@pytest.fixture
def checking_emulator() -> Iterator[str]:
    with serve_in_thread(auth=SigV4Verifier({KEY: SECRET})) as url:
        yield url


def test_the_suite_and_the_client_fixture_use_the_profile(
    pytester: pytest.Pytester, aws_profiles: dict[str, str], checking_emulator: str
) -> None:
    where = f"--cogsync-endpoint-url={checking_emulator}"
    suite = pytester.runpytest(
        "--pyargs", "cogsync.suite", where, "--cogsync-aws-profile=emu", "--cogsync-properties=SYNC-1",
        "--cogsync-seed=3", "-p", "no:randomly",
    )
    suite.assert_outcomes(passed=1)
    suite.stdout.fnmatch_lines(["cogsync: reproduce with: pytest *--cogsync-aws-profile=emu*"])
    pytester.makepyfile(test_client=CLIENT_TEST)
    pytester.runpytest(where, "--cogsync-aws-profile=emu").assert_outcomes(passed=1)
    pytester.runpytest(where, "--cogsync-aws-profile=wrongkeys").assert_outcomes(failed=1)


def test_a_missing_profile_is_a_usage_error_naming_the_profiles(
    pytester: pytest.Pytester, aws_profiles: dict[str, str]
) -> None:
    pytester.makepyfile(test_client=CLIENT_TEST)
    result = pytester.runpytest("--cogsync-endpoint-url=http://127.0.0.1:9", "--cogsync-aws-profile=prod")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*AWS profile 'prod' is not in *(profiles there: emu, nokeys, wrongkeys)*"])
