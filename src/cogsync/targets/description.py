"""What a run targeted, as data: enough to send the same calls there again.

A reproduction script replays a failure by default where the run found it: its
endpoint, its ``--in-process module:factory`` or the embedded emulator. The engine
records a :class:`TargetDescription` of its target in the run's result, and the
report layer writes it into the scripts. A target cogsync cannot rebuild from a
description (an app object handed over directly, a custom adapter) is described
by name only: its scripts then ask for a target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class TargetDescription:
    """Where a run sent its calls. At most one of ``endpoint_url`` (a URL, or ``"aws"``
    for the real service), ``in_process`` (``module:factory``) and ``embedded`` (the
    reference emulator in-process) is set; none: a target known by ``name`` only."""

    name: str
    region: str = DEFAULT_REGION
    endpoint_url: str | None = None
    in_process: str | None = None
    embedded: bool = False

    @property
    def rebuildable(self) -> bool:
        """Whether a script can reach the same target from this description alone."""
        return bool(self.endpoint_url or self.in_process or self.embedded)

    def describe(self) -> str:
        """For a person: ``http://127.0.0.1:4566``, ``in-process myapp:make_app``, ..."""
        if self.endpoint_url:
            return self.endpoint_url
        if self.in_process:
            return f"in-process {self.in_process}"
        if self.embedded:
            return "the embedded emulator (in-process)"
        return f"{self.name} (a target no script can rebuild)"


def describe_target(target: Any) -> TargetDescription:
    """The description of ``target`` (any adapter of :mod:`cogsync.targets`, wrapped or not)."""
    from cogsync.targets.boto3_target import Boto3Target
    from cogsync.targets.rate_limited import RateLimited

    while isinstance(target, RateLimited):
        target = target.target
    name = str(getattr(target, "name", "") or type(target).__name__)
    region = getattr(target, "region", None)
    region = region if isinstance(region, str) and region else DEFAULT_REGION
    endpoint = getattr(target, "endpoint_url", None)
    if isinstance(target, Boto3Target) and endpoint is None:
        endpoint = "aws"  # a boto3 client of the real service
    spec = getattr(target, "spec", None)
    if isinstance(endpoint, str) and endpoint:
        return TargetDescription(name, region, endpoint_url=endpoint)
    if isinstance(spec, str) and spec:
        return TargetDescription(name, region, in_process=spec)
    return TargetDescription(name, region, embedded=getattr(target, "embedded", False) is True)
