"""Faults: how fast ``--faults default`` catches the fault-only mutants, and what faults cost.

1. For each mutant of the catalog with a ``faults`` SPEC (a bug only faults show), the
   engine runs as a user would (every property, a fixed seed, in-process) with
   ``--faults default`` at budgets ``quick`` and ``ci``. The table shows the requests
   delivered to the mutant (duplicates count twice, dropped requests not at all) and
   the seconds until the first failure on one of its ``breaks`` ids (before any
   shrinking), the ids it failed, and the whole run. A ``ci`` run is cut at
   ``--ci-deadline`` seconds (detection comes long before; the rest is shrinking and
   the other phases).
2. The cost of ``--faults default`` on the embedded emulator: one ``quick`` run with
   and one without, same seed; their ratio. Most of it is the ``delay`` faults (5 % of
   requests held 0.2 s each).

Measured with the hooks of ``bench_mutants.py`` (the engine's failure records wrapped,
the target's sends counted); nothing the engine decides is changed.

Run: ``python benchmarks/bench_faults.py`` (``--json``; ``--budgets quick`` for a short run).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_mutants import DEFAULT_SEED, FirstFailure, counted, target_for, watching  # noqa: E402

from cogsync.conformance.config import RunConfig  # noqa: E402
from cogsync.conformance.engine import embedded_target, run  # noqa: E402
from cogsync.conformance.results import Status  # noqa: E402
from cogsync.mutants import CATALOG, Mutant  # noqa: E402

SCHEDULE = "default"


@dataclass(frozen=True)
class Detection:
    mutant: str
    budget: str
    breaks: list[str]
    caught_by: list[str]
    requests_to_first_failure: int | None
    seconds_to_first_failure: float | None
    faults_injected: int
    run_seconds: float


def detect(mutant: Mutant, budget: str, seed: int, deadline: float | None) -> Detection:
    first = FirstFailure(mutant.breaks)
    with target_for(mutant, "in-process") as target, watching(first):
        counted(target, first)
        result = run(target, RunConfig(budget=budget, seed=seed, faults=SCHEDULE, deadline_seconds=deadline))
    return Detection(
        mutant=mutant.name,
        budget=budget,
        breaks=sorted(mutant.breaks),
        caught_by=sorted(pid for pid, r in result.results.items() if r.status is Status.FAIL),
        requests_to_first_failure=first.at[0] if first.at else None,
        seconds_to_first_failure=round(first.at[1], 2) if first.at else None,
        faults_injected=len(result.faults.injected) if result.faults else 0,
        run_seconds=round(time.perf_counter() - first.began, 1),
    )


def cost(seed: int) -> dict[str, Any]:
    """One quick run of the embedded emulator without faults, one with ``--faults default``."""
    seconds = {}
    for faults in (None, SCHEDULE):
        began = time.perf_counter()
        result = run(embedded_target(), RunConfig(budget="quick", seed=seed, faults=faults))
        seconds[faults or "none"] = (round(time.perf_counter() - began, 1), result.exit_code)
    plain, faulted = seconds["none"][0], seconds[SCHEDULE][0]
    return {"without_faults_s": plain, "with_faults_s": faulted, "ratio": round(faulted / plain, 2),
            "exit_codes": [seconds["none"][1], seconds[SCHEDULE][1]]}


def table(rows: list[Detection]) -> str:
    lines = ["| mutant | budget | breaks | failed | requests to first failure | s to first failure | faults "
             "injected | run s |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.mutant} | {r.budget} | {' '.join(r.breaks)} | {' '.join(r.caught_by) or 'NOT CAUGHT'} "
                     f"| {r.requests_to_first_failure or '-'} | {r.seconds_to_first_failure or '-'} "
                     f"| {r.faults_injected} | {r.run_seconds} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="quick,ci")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--ci-deadline", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    fault_only = [m for m in CATALOG if m.faults]
    rows = [detect(m, budget, args.seed, args.ci_deadline if budget != "quick" else None)
            for budget in args.budgets.split(",") for m in fault_only]
    overhead = cost(args.seed)
    if args.json:
        print(json.dumps({"python": platform.python_version(), "schedule": SCHEDULE,
                          "detections": [asdict(r) for r in rows], "cost": overhead}, indent=2))
        return 0
    print(table(rows))
    print(f"\n--faults {SCHEDULE} on the embedded emulator, budget quick, seed {args.seed}: "
          f"{overhead['without_faults_s']} s without, {overhead['with_faults_s']} s with "
          f"(x{overhead['ratio']}); exit codes {overhead['exit_codes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
