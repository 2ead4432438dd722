"""The example database a run names: where failing examples are kept between runs.

A failure found last night is tried first today, but only when asked for: a
directory, Hypothesis's ``RedisExampleDatabase`` for ``redis://...`` (shared by CI
machines; needs the optional ``redis`` package), an in-memory one for ``:memory:``;
none for ``none`` or nothing. Every one is a database Hypothesis itself provides;
the engine hands it to Hypothesis through ``settings(database=...)``. It lives in
the conformance layer, which opens it, and :mod:`cogsync.settings` re-exports it.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    InMemoryExampleDatabase,
)

from cogsync.errors import InfrastructureError, UsageError

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
REDIS_KEY_PREFIX = b"cogsync-example:"


def example_database(spec: str | None = None) -> ExampleDatabase | None:
    """The database ``spec`` names: a directory, ``redis://...``, ``:memory:``; None for
    ``none`` or no spec (nothing is written unless asked for)."""
    if spec is None or spec == "" or spec.lower() == "none":
        return None
    if spec == ":memory:":
        return InMemoryExampleDatabase()
    if spec.lower().startswith(REDIS_SCHEMES):
        return _redis_database(spec)
    if "://" in spec:
        raise UsageError.bad_argument(
            "database", spec, "a directory, redis://host:port/db, :memory: or none"
        )
    path = Path(spec)
    if path.exists() and not path.is_dir():
        raise UsageError.bad_argument("database", spec, "a directory (this path is a file)")
    return DirectoryBasedExampleDatabase(path)


def _redis_database(url: str) -> ExampleDatabase:
    try:
        from hypothesis.extra.redis import RedisExampleDatabase
        from redis import Redis
        from redis.exceptions import RedisError
    except ImportError:
        raise UsageError(
            f"database={url!r} needs the redis package: pip install 'cogsync[redis]'."
        ) from None
    try:
        client = Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        client.ping()  # fail here, with the URL, not deep inside a Hypothesis run
    except (RedisError, ValueError) as exc:
        raise InfrastructureError(f"cannot use the example database {url}: {exc}") from None
    return RedisExampleDatabase(client, key_prefix=REDIS_KEY_PREFIX)
