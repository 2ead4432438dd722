"""The JSON report: the run as :mod:`cogsync.report.serialize` writes it, plus the gate's view.

``serialize`` owns the run's own data (read back by ``replay`` and ``diff``); this
adds a ``gate`` member with what the baseline made of the run and the gate's exit
status, which :func:`~cogsync.report.serialize.run_from_dict` ignores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cogsync.baseline import NO_BASELINE, Assessment, BaselineEntry
from cogsync.conformance.results import RunResult
from cogsync.report.serialize import run_from_dict, run_to_dict


def _entry(entry: BaselineEntry) -> dict[str, Any]:
    return {
        "id": entry.property_id,
        "reason": entry.reason,
        "expires": entry.expires.isoformat() if entry.expires else None,
    }


def report_dict(run: RunResult, assessment: Assessment = NO_BASELINE) -> dict[str, Any]:
    data = run_to_dict(run)
    data["gate"] = {
        "exit_code": assessment.exit_code(run),
        "known": [_entry(e) for e in assessment.known.values()],
        "stale": [_entry(e) for e in assessment.stale],
        "expired": [_entry(e) for e in assessment.expired],
    }
    return data


def to_json(run: RunResult, assessment: Assessment = NO_BASELINE) -> str:
    return json.dumps(report_dict(run, assessment), indent=2, ensure_ascii=False) + "\n"


def write_json(path: str | Path, run: RunResult, assessment: Assessment = NO_BASELINE) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(run, assessment), encoding="utf-8")
    return path


def read_json(path: str | Path) -> RunResult:
    """A JSON report back as a :class:`RunResult` (the ``gate`` member is not needed)."""
    return run_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
