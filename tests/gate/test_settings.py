"""Hypothesis profiles and the example database: directory, memory, none, and a real redis."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, InMemoryExampleDatabase

from cogsync import settings as cs
from cogsync.conformance.config import BUDGETS, RunConfig
from cogsync.errors import InfrastructureError, UsageError

REDIS_START_TIMEOUT_S = 15.0


def test_profiles_take_their_sizes_from_the_budgets() -> None:
    for profile, budget in cs.PROFILE_BUDGETS.items():
        chosen = cs.profile_settings(profile)
        assert chosen.max_examples == BUDGETS[budget].max_examples
        assert chosen.stateful_step_count == BUDGETS[budget].max_steps
        assert chosen.deadline is None
    with pytest.raises(UsageError, match="profile='nightly'"):
        cs.profile_settings("nightly")


def test_profiles_are_registered_under_a_prefix() -> None:
    names = cs.register_profiles()
    assert names == ["cogsync-dev", "cogsync-ci", "cogsync-deep"]
    assert settings.get_profile("cogsync-deep").max_examples == BUDGETS["deep"].max_examples


def test_settings_for_a_run_follow_its_config(tmp_path: Path) -> None:
    chosen = cs.settings_for(RunConfig(budget="ci", max_examples=7, database=str(tmp_path / "db")))
    assert chosen.max_examples == 7
    assert chosen.stateful_step_count == BUDGETS["ci"].max_steps
    assert isinstance(chosen.database, DirectoryBasedExampleDatabase)
    assert cs.settings_for(RunConfig(database="none")).database is None


def test_no_database_unless_asked_for() -> None:
    """Hypothesis's default database writes .hypothesis/ in the working directory: not ours."""
    assert cs.example_database(None) is None and cs.example_database("") is None
    assert cs.settings_for(RunConfig()).database is None
    for profile in cs.PROFILE_BUDGETS:
        assert cs.profile_settings(profile).database is None


def test_database_specs(tmp_path: Path) -> None:
    assert isinstance(cs.example_database(":memory:"), InMemoryExampleDatabase)
    assert cs.example_database("none") is None
    db = cs.example_database(str(tmp_path / "examples"))
    assert isinstance(db, DirectoryBasedExampleDatabase)
    db.save(b"key", b"value")
    assert list(db.fetch(b"key")) == [b"value"]
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(UsageError, match="this path is a file"):
        cs.example_database(str(a_file))
    with pytest.raises(UsageError, match="database='http://x'"):
        cs.example_database("http://x")


# --- redis ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A real redis-server on a free port of 127.0.0.1, no persistence, stopped after the test."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI"):
            pytest.fail(
                "redis-server is not installed; CI must provide it (apt-get install redis-server)"
            )
        pytest.skip("redis-server is not installed")
    pytest.importorskip("redis")
    import redis

    port = _free_port()
    process = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_redis_database_keeps_a_failing_example(redis_url: str) -> None:
    import redis
    from hypothesis.extra.redis import RedisExampleDatabase

    db = cs.example_database(redis_url)
    assert isinstance(db, RedisExampleDatabase)

    @settings(database=db, max_examples=200, derandomize=False)
    @given(st.integers())
    def breaks_above_ten(n: int) -> None:
        assert n <= 10

    with pytest.raises(AssertionError):
        breaks_above_ten()
    keys = redis.Redis.from_url(redis_url).keys(cs.REDIS_KEY_PREFIX + b"*")
    assert keys, "the shrunk failing example should be in redis under cogsync's prefix"


def test_unreachable_redis_is_an_infrastructure_error() -> None:
    pytest.importorskip("redis")
    url = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(InfrastructureError, match=url):
        cs.example_database(url)
