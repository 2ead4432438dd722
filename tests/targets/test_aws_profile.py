"""Named AWS profiles: their keys sign the requests and their region is the default (real botocore
reading real config files; a real emulator checking SigV4 signatures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cogsync.contracts.calls import Err, Ok
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.server import serve_in_thread
from cogsync.errors import UsageError
from cogsync.targets import make_target

from .conftest import list_records

KEY, SECRET = "AKIDPROFILEEXAMPLE", "profile-secret-123"  # the emu profile's (root conftest.py)


@pytest.fixture
def checking_emulator() -> Iterator[str]:
    """The reference emulator accepting only the emu profile's keys."""
    with serve_in_thread(auth=SigV4Verifier({KEY: SECRET})) as url:
        yield url


@pytest.mark.parametrize("transport", ["http", "boto3"])
def test_the_profile_s_keys_sign_the_requests(
    transport: str, aws_profiles: dict[str, str], checking_emulator: str, ids: dict[str, str]
) -> None:
    outcomes = {}
    for profile in ("emu", "wrongkeys", None):
        target = make_target(endpoint_url=checking_emulator, transport=transport, aws_profile=profile)
        try:
            outcomes[profile] = target.send(list_records(ids)).outcome
        finally:
            target.close()
    assert isinstance(outcomes["emu"], Ok), outcomes["emu"]
    for refused in (outcomes["wrongkeys"], outcomes[None]):  # a wrong secret; no profile: dummy keys
        assert isinstance(refused, Err) and refused.status == 403, refused


def test_the_profile_s_region_is_the_default_region(aws_profiles: dict[str, str]) -> None:
    http = make_target(endpoint_url="aws", aws_profile="emu")
    boto = make_target(endpoint_url="aws", aws_profile="emu", transport="boto3")
    named = make_target(endpoint_url="aws", aws_profile="emu", region="us-west-2")
    emulator = make_target(endpoint_url="http://127.0.0.1:9", aws_profile="emu")
    try:
        assert http.name == boto.name == "aws:eu-west-3"
        assert named.name == "aws:us-west-2"  # --region wins over the profile's
        assert getattr(emulator, "region", None) == "eu-west-3"
    finally:
        for target in (http, boto, named, emulator):
            target.close()


def test_a_missing_profile_is_one_line_naming_those_that_exist(aws_profiles: dict[str, str]) -> None:
    with pytest.raises(UsageError) as info:
        make_target(endpoint_url="http://127.0.0.1:9", aws_profile="prod")
    message = str(info.value)
    assert "\n" not in message
    assert "AWS profile 'prod' is not in" in message and aws_profiles["AWS_CONFIG_FILE"] in message
    assert "(profiles there: emu, nokeys, wrongkeys)" in message
    assert "aws configure --profile prod" in message


def test_a_profile_without_credentials_says_so(aws_profiles: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="AWS profile 'nokeys' has no credentials"):
        make_target(endpoint_url="http://127.0.0.1:9", aws_profile="nokeys")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({}, "in-process targets need no AWS credentials"),
        ({"in_process": "cogsync.emulator.apps:flipped_app"}, "in-process targets"),
        ({"endpoint_url": "http://127.0.0.1:9", "no_sign_request": True}, "no_sign_request sends none"),
        ({"endpoint_url": "http://127.0.0.1:9", "transport": "awscli"}, "the awscli transport"),
    ],
)
def test_a_profile_where_it_cannot_apply_is_a_usage_error(
    options: dict[str, object], fragment: str, aws_profiles: dict[str, str]
) -> None:
    with pytest.raises(UsageError, match=fragment):
        make_target(aws_profile="emu", **options)  # type: ignore[arg-type]
