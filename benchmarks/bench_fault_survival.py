"""The kit survives its own faults at the long budgets: ``cogsync verify --faults KIND=RATE``
for every fault kind, at ``ci`` and ``deep``, on the embedded emulator.

The suite runs the same at ``quick`` (``tests/conformance/test_faults.py``); here the
longer budgets, where a hang or a crash would show late. Each run is the real command in
a subprocess with a ``--deadline``; the table shows its exit status (0: the emulator kept
the contract under the faults; 2: inconclusive, e.g. the deadline passed first; never 1,
a fault is not the server's failure; never 3 or a traceback), its wall time against the
deadline, and what the run reported of the faults it injected.

Run: ``python benchmarks/bench_fault_survival.py`` (``--budgets ci``, ``--rate 0.2``,
``--deadline-ci 60 --deadline-deep 120``, ``--kinds drop-answer,reset``).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cogsync.faults.spec import FaultKind

MARGIN = 15.0  # seconds a run may take past its deadline: report, reproduction scripts, exit


def survive(kind: str, rate: float, budget: str, deadline: float, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        argv = [sys.executable, "-m", "cogsync.cli", "verify", "--budget", budget, "--seed", str(seed),
                "--faults", f"{kind}={rate},seed={seed}", "--deadline", str(deadline), "--quiet",
                "--report-json", str(report), "--report-dir", str(Path(scratch) / "repro")]
        started = time.monotonic()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=deadline + 10 * MARGIN)
        seconds = time.monotonic() - started
        faults = json.loads(report.read_text())["faults"] if report.exists() else None
    summary = re.search(r"^\d+ properties: .*$", done.stdout, flags=re.MULTILINE)
    return {
        "kind": kind, "budget": budget, "exit": done.returncode, "seconds": round(seconds, 1),
        "deadline": deadline, "on_time": seconds <= deadline + MARGIN,
        "traceback": "Traceback" in done.stderr or "Traceback" in done.stdout,
        "injected": len(faults["injected"]) if isinstance(faults, dict) else None,
        "unknown": faults.get("unknown_answers") if isinstance(faults, dict) else None,
        "summary": summary.group(0) if summary else done.stderr.strip().splitlines()[-1:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budgets", default="ci,deep")
    parser.add_argument("--kinds", default=",".join(k.value for k in FaultKind))
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--deadline-ci", type=float, default=60.0)
    parser.add_argument("--deadline-deep", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    deadlines = {"quick": args.deadline_ci, "ci": args.deadline_ci, "deep": args.deadline_deep}
    print(f"python {platform.python_version()}, rate {args.rate}, seed {args.seed}", flush=True)
    print("| kind | budget | exit | s | deadline | on time | traceback | faults injected | unknown answers |")
    print("|---|---|---|---|---|---|---|---|---|")
    bad = 0
    for budget in args.budgets.split(","):
        for kind in args.kinds.split(","):
            row = survive(kind, args.rate, budget, deadlines[budget], args.seed)
            bad += row["exit"] not in (0, 2) or not row["on_time"] or bool(row["traceback"])
            print(f"| {kind} | {budget} | {row['exit']} | {row['seconds']} | {row['deadline']:g} | "
                  f"{'yes' if row['on_time'] else 'NO'} | {'YES' if row['traceback'] else 'no'} | "
                  f"{row['injected']} | {row['unknown']} |", flush=True)
            print(f"<!-- {row['summary']} -->", file=sys.stderr, flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
