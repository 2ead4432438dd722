"""Shared pytest set-up for cogsync's own test suite.

Hypothesis profiles: ``dev`` (the default, quick), ``ci`` (picked when CI is set:
more examples, no deadline, since shared CI machines are noisy).
"""

from __future__ import annotations

import os

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
