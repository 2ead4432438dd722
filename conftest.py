"""Shared pytest set-up for cogsync's own test suite.

Hypothesis profiles: ``dev`` (the default, quick), ``ci`` (picked when CI is set:
more examples, no deadline, since shared CI machines are noisy). The ``aws_profiles``
fixture: named AWS profiles in real ``~/.aws``-style files, for the targets, the CLI
and the plugin alike.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# tests/plugin drives the cogsync plugin with pytester; pytest only takes
# pytest_plugins from the root conftest.
pytest_plugins = ["pytester"]

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# --- named AWS profiles, as ~/.aws holds them ---------------------------------------------


#: The keys of the "emu" profile; serve the emulator with SigV4Verifier({KEY: SECRET}).
AWS_PROFILE_KEY, AWS_PROFILE_SECRET = "AKIDPROFILEEXAMPLE", "profile-secret-123"
AWS_CONFIG = """\
[profile emu]
region = eu-west-3

[profile wrongkeys]
region = us-east-1

[profile nokeys]
region = us-east-1
"""
AWS_CREDENTIALS = f"""\
[emu]
aws_access_key_id = {AWS_PROFILE_KEY}
aws_secret_access_key = {AWS_PROFILE_SECRET}

[wrongkeys]
aws_access_key_id = {AWS_PROFILE_KEY}
aws_secret_access_key = not-the-secret
"""


@pytest.fixture
def aws_profiles(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Real AWS config and credentials files with the profiles emu (the keys AWS_PROFILE_KEY
    and AWS_PROFILE_SECRET, region eu-west-3), wrongkeys (a wrong secret) and nokeys (no
    keys), found by botocore through AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE; no
    other credentials in the environment. Returns the environment it set."""
    folder = tmp_path_factory.mktemp("aws")
    (folder / "config").write_text(AWS_CONFIG)
    (folder / "credentials").write_text(AWS_CREDENTIALS)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    env = {"AWS_CONFIG_FILE": str(folder / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
