"""Hypothesis settings for conformance runs: the dev/ci/deep profiles and the example database.

Profiles come from the run budgets (dev = quick, ci = ci, deep = deep), so the number
of examples has one source. They are registered under a ``cogsync-`` prefix so they
never replace a user's own ``dev`` or ``ci`` profile, and the engine should pass
:func:`settings_for` to its tests explicitly rather than load a global profile,
which would change the user's other tests.

The example database keeps failing sequences between runs, so a failure found last
night is tried first today, but only when asked for: a directory, Hypothesis's
``RedisExampleDatabase`` for ``redis://...`` (shared by CI machines; needs the
optional ``redis`` package), an in-memory one for ``:memory:``; none for ``none`` or
nothing. Every settings object built here says ``database=None`` explicitly when
there is none, since Hypothesis's own default writes ``.hypothesis/`` in the
working directory.

Hypothesis also keeps caches there (constants found in local source files,
Unicode tables): :func:`scratch_storage` moves them to a temporary directory for
the length of a command, so a ``cogsync`` run leaves the directory it ran in as
it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir, storage_directory
from hypothesis.database import ExampleDatabase

from cogsync.conformance.config import BUDGETS
from cogsync.conformance.databases import REDIS_KEY_PREFIX as REDIS_KEY_PREFIX
from cogsync.conformance.databases import example_database
from cogsync.errors import UsageError

if TYPE_CHECKING:
    from cogsync.conformance.config import RunConfig

#: Hypothesis profile name -> the run budget it takes its sizes from.
PROFILE_BUDGETS: dict[str, str] = {"dev": "quick", "ci": "ci", "deep": "deep"}
PROFILE_PREFIX = "cogsync-"

#: Targets are servers: their latency is not the code under test's speed, and
#: large generated bodies are the point, so these health checks only get in the way.
_SUPPRESSED = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.function_scoped_fixture,
]


def profile_settings(name: str, **overrides: object) -> settings:
    """The settings of profile ``name`` (dev, ci or deep); ``overrides`` as for ``settings``."""
    try:
        budget = BUDGETS[PROFILE_BUDGETS[name]]
    except KeyError:
        raise UsageError.bad_argument(
            "profile", name, "one of " + ", ".join(PROFILE_BUDGETS)
        ) from None
    values: dict[str, object] = {
        "database": None,  # explicit: Hypothesis's default would write .hypothesis/ here
        "max_examples": budget.max_examples,
        "stateful_step_count": budget.max_steps,
        "deadline": None,
        "suppress_health_check": _SUPPRESSED,
        "print_blob": name != "dev",
        **overrides,
    }
    return settings(**values)  # type: ignore[arg-type]


def register_profiles() -> list[str]:
    """Register ``cogsync-dev``, ``cogsync-ci`` and ``cogsync-deep``; return their names."""
    names = []
    for name in PROFILE_BUDGETS:
        settings.register_profile(PROFILE_PREFIX + name, profile_settings(name))
        names.append(PROFILE_PREFIX + name)
    return names


def settings_for(config: RunConfig, *, database: ExampleDatabase | None = None) -> settings:
    """Settings for one run: the budget's profile, ``--max-examples`` and the run's database.

    ``database`` overrides ``config.database`` (a caller that already opened one).
    """
    profile = {v: k for k, v in PROFILE_BUDGETS.items()}[config.budget]
    db = database if database is not None else example_database(config.database)
    return profile_settings(profile, database=db, max_examples=config.examples)


@contextlib.contextmanager
def scratch_storage(environ: dict[str, str] | None = None) -> Iterator[Path | None]:
    """Hypothesis's storage directory in a temporary directory, removed afterwards.

    Yields that directory, or None when ``HYPOTHESIS_STORAGE_DIRECTORY`` names one:
    the user chose where Hypothesis writes.
    """
    environ = dict(os.environ) if environ is None else environ
    if environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield None
        return
    previous = storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="cogsync-hypothesis-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            yield Path(scratch)
        finally:
            set_hypothesis_home_dir(previous)
