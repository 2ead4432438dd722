"""The gate on correct servers that chose differently: exit 0 at every budget, findings not failures.

Two correct servers, run in-process through ``cogsync verify`` exactly as a user runs
it (a fresh interpreter each, so a run depends on its seed alone):

- ``habits``: the reference emulator behind the AWS wire habits (tests/support/aws_habits.py:
  null members, Java-double timestamps, Coral error types, base64-of-gzip tokens);
- ``flipped``: the FLIPPED emulator (the other branch at every MAY point).

The suite runs both at ``quick`` and ``ci`` (tests/gate/test_gate_on_may_choices.py);
this runs the budgets the suite cannot afford (``deep`` by default) and prints, per
run: the exit code, how many properties passed, were findings or failed, and the
wall time. Any exit but 0 is a false positive of the kit, and the script exits 1.

Run: ``python benchmarks/bench_may_choices.py`` (``--budgets quick,ci,deep``,
``--seed N``, ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVERS = {
    "habits": "tests.support.aws_habits:make_app",
    "flipped": "cogsync.emulator.apps:flipped_app",
}


def verify(spec: str, budget: str, seed: int) -> dict[str, Any]:
    """One ``cogsync verify`` run; its exit code, counts, failures and wall time."""
    with tempfile.TemporaryDirectory(prefix="cogsync-bench-") as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "cogsync.cli", "verify", "--in-process", spec, "--budget", budget,
                   "--seed", str(seed), "--quiet", "--report-json", str(report),
                   "--report-dir", str(Path(folder) / "repro")]
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        began = time.monotonic()
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": path})
        seconds = time.monotonic() - began
        data = json.loads(report.read_text("utf-8")) if report.exists() else {}
    properties = data.get("properties", [])
    return {
        "exit": done.returncode,
        "seconds": round(seconds, 1),
        "counts": data.get("counts", {}),
        "failed": [p["id"] for p in properties if p["status"] == "fail"],
        "stderr": done.stderr.strip().splitlines()[-3:] if done.returncode else [],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", default="deep", help="comma-separated: quick, ci, deep (default: deep)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    rows = []
    for budget in [b.strip() for b in args.budgets.split(",") if b.strip()]:
        for name, spec in SERVERS.items():
            rows.append({"server": name, "budget": budget, "seed": args.seed, **verify(spec, budget, args.seed)})
            if not args.json:
                row = rows[-1]
                counts = row["counts"]
                print(f"| {name} | {budget} | {args.seed} | {row['exit']} | {counts.get('pass', 0)} | "
                      f"{counts.get('finding', 0)} | {counts.get('fail', 0)} | {row['seconds']} |", flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0 if all(row["exit"] == 0 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
