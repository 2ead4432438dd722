"""Write each failure's reproduction to disk: one boto3 script and one AWS CLI script.

Files are named by property id and a counter (``SYNC-1-1.py``, ``SYNC-1-1.sh``) so a
CI artifact browser lists them next to the report that mentions them. The scripts
are built here, in the report layer, from what the engine returned: the failure's
steps and the run's target description (endpoint or in-process spec, and region).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cogsync.conformance.results import RunResult
from cogsync.contracts.constraints import DEFAULT_LIMITS
from cogsync.contracts.failures import Failure
from cogsync.report import reproduce
from cogsync.targets.description import TargetDescription


@dataclass(frozen=True)
class WrittenReproduction:
    failure: Failure
    python: Path | None
    shell: Path | None


def scripts_for(failure: Failure, run: RunResult | None) -> tuple[str, str] | None:
    """(python, bash) text for ``failure`` of ``run``, or None when nothing was recorded to replay.

    Without ``run`` (or a run that did not describe its target) the scripts name no
    default target: they ask for one.
    """
    if not failure.steps:
        return None
    described = run.target_description if run is not None else None
    target = described or TargetDescription(run.target if run is not None else "unknown")
    limits = run.limits if run is not None else DEFAULT_LIMITS
    return (
        reproduce.python_script(failure, target, limits=limits),
        reproduce.shell_script(failure, target, limits=limits),
    )


def write_reproductions(run: RunResult, directory: str | Path) -> list[WrittenReproduction]:
    """Write the scripts of every failure of ``run`` under ``directory`` (created if needed)."""
    directory = Path(directory)
    written: list[WrittenReproduction] = []
    numbers: Counter[str] = Counter()
    for failure in run.failures():
        scripts = scripts_for(failure, run)
        if scripts is None:
            written.append(WrittenReproduction(failure, None, None))
            continue
        directory.mkdir(parents=True, exist_ok=True)
        numbers[failure.property_id] += 1
        stem = f"{failure.property_id}-{numbers[failure.property_id]}"
        python_path = directory / f"{stem}.py"
        shell_path = directory / f"{stem}.sh"
        python_path.write_text(scripts[0], encoding="utf-8")
        shell_path.write_text(scripts[1], encoding="utf-8")
        for path in (python_path, shell_path):
            os.chmod(path, 0o755)
        written.append(WrittenReproduction(failure, python_path, shell_path))
    return written
