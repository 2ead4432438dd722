"""Restart mutants: calls and seconds until the restarts phase catches each one (DUR-1).

For every mutant of the catalog that only a restart shows (``Mutant.restarts``), and
for the correct emulator on SQLite as the control, the engine runs as
``cogsync verify --in-process <factory> --restart --properties DUR-1 --budget B --seed S``
would: in-process, over a SQLite file of a fresh temporary directory, the app rebuilt
from its factory at each restart. Per mutant, budget and seed it records whether DUR-1
failed, the calls sent and seconds spent until the phase first recorded the failure,
and the restarts issued by then; the table gives, per mutant and budget, the seeds
that caught it and the median and worst calls and seconds to detection.

The first failure is observed by wrapping ``RestartsPhase.fail`` for the length of a
run; nothing the engine decides is changed.

``--serve`` measures what a restart costs with real processes instead: ``cogsync
serve --storage sqlite:PATH`` (and ``memory``) restarted by the README's recipe,
docs/recipes/restart-serve.sh (SIGKILL, then a new process on the same port), through
``--restart-command``, ``--restart-every 10`` at each budget: the run's seconds, the
restarts, and the verdict.

Run: ``python benchmarks/bench_restarts.py`` (``--json`` for machine output,
``--seeds N`` seeds per cell, default 5; ``--budgets quick,ci``; ``--serve``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cogsync.conformance import durability
from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import run
from cogsync.conformance.results import Status
from cogsync.contracts.calls import Call
from cogsync.mutants import CATALOG, Mutant
from cogsync.targets import HttpTarget, InProcessTarget

CONTROL = "reference-on-sqlite"
RECIPE = Path(__file__).resolve().parents[1] / "docs" / "recipes" / "restart-serve.sh"


@dataclass(frozen=True)
class Sample:
    subject: str
    budget: str
    seed: int
    caught: bool
    calls: int | None  # calls sent when the failure was recorded (the whole run's when not caught)
    seconds: float | None
    restarts: int | None
    run_seconds: float


class Counting:
    """The target, counting the calls sent through it."""

    def __init__(self, inner: InProcessTarget) -> None:
        self.inner, self.calls = inner, 0
        self.name, self.supports_raw, self.supports_restart = inner.name, inner.supports_raw, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def send(self, call: Call) -> Any:
        self.calls += 1
        return self.inner.send(call)

    def restart(self) -> None:
        self.inner.restart()


def subject_target(subject: Mutant | None, directory: Path) -> InProcessTarget:
    if subject is None:
        return InProcessTarget.emulator(storage=f"sqlite:{directory / 'reference.db'}")
    path = directory / f"{subject.name}.db"
    return InProcessTarget(subject.build(path), rebuild=lambda: (subject.build(path), None))


@contextlib.contextmanager
def first_failure(target: Counting, began: float) -> Iterator[dict[str, Any]]:
    """Record (calls, seconds, restarts) at the first DUR-1 failure of the run."""
    seen: dict[str, Any] = {}
    original = durability.RestartsPhase.fail

    def fail(self: durability.RestartsPhase, *args: Any, **kwargs: Any) -> None:
        seen.setdefault("at", (target.calls, time.perf_counter() - began, self.restarts))
        original(self, *args, **kwargs)

    durability.RestartsPhase.fail = fail  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        durability.RestartsPhase.fail = original  # type: ignore[method-assign]


def measure(subject: Mutant | None, budget: str, seed: int) -> Sample:
    with tempfile.TemporaryDirectory(prefix="cogsync-bench-restarts-") as directory:
        target = Counting(subject_target(subject, Path(directory)))
        began = time.perf_counter()
        with first_failure(target, began) as seen:
            result = run(target, RunConfig(budget=budget, seed=seed, properties=("DUR-1",),
                                           restart_in_process=True))
        run_seconds = time.perf_counter() - began
    caught = result.results["DUR-1"].status is Status.FAIL
    calls, seconds, restarts = seen.get("at", (None, None, None))
    return Sample(subject.name if subject else CONTROL, budget, seed, caught, calls,
                  None if seconds is None else round(seconds, 4), restarts, round(run_seconds, 3))


def rows(samples: Sequence[Sample]) -> list[dict[str, Any]]:
    out = []
    for subject in dict.fromkeys(s.subject for s in samples):
        for budget in dict.fromkeys(s.budget for s in samples):
            cell = [s for s in samples if s.subject == subject and s.budget == budget]
            hits = [s for s in cell if s.caught]
            out.append({
                "subject": subject, "budget": budget, "caught": f"{len(hits)}/{len(cell)}",
                "calls_median": statistics.median(s.calls for s in hits) if hits else None,
                "calls_worst": max(s.calls for s in hits if s.calls is not None) if hits else None,
                "seconds_median": round(statistics.median(s.seconds for s in hits if s.seconds), 3) if hits else None,
                "seconds_worst": max(s.seconds for s in hits if s.seconds is not None) if hits else None,
                "restarts_median": statistics.median(s.restarts for s in hits) if hits else None,
                "run_seconds_median": round(statistics.median(s.run_seconds for s in cell), 3),
            })
    return out


def table(lines: Sequence[dict[str, Any]]) -> str:
    head = ("subject", "budget", "caught", "calls (median / worst)", "seconds (median / worst)",
            "restarts to catch", "run s")
    body = [(r["subject"], r["budget"], r["caught"],
             "-" if r["calls_median"] is None else f"{r['calls_median']:g} / {r['calls_worst']}",
             "-" if r["seconds_median"] is None else f"{r['seconds_median']:.3f} / {r['seconds_worst']:.3f}",
             "-" if r["restarts_median"] is None else f"{r['restarts_median']:g}",
             f"{r['run_seconds_median']:.2f}") for r in lines]
    cells = [head, *body]
    widths = [max(len(line[i]) for line in cells) for i in range(len(head))]
    text = ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |" for line in cells]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def serve_run(storage: str, budget: str, directory: Path) -> dict[str, Any]:
    """One DUR-1 run against ``cogsync serve`` restarted by the recipe; the server is killed after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pidfile = directory / f"{budget}-{storage.split(':')[0]}.pid"
    env = {"PORT": str(port), "STORAGE": storage, "PIDFILE": str(pidfile),
           "COGSYNC": f"{shlex.quote(sys.executable)} -m cogsync.cli"}
    command = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + f" sh {shlex.quote(str(RECIPE))}"
    subprocess.run(command, shell=True, check=True, timeout=30)
    target = HttpTarget(f"http://127.0.0.1:{port}", timeout=5)
    try:
        until = time.monotonic() + 30
        while target.probe() is not None and time.monotonic() < until:
            time.sleep(0.05)  # between polls of the first server's readiness
        began = time.perf_counter()
        result = run(target, RunConfig(budget=budget, seed=1, properties=("DUR-1",), restart_command=command,
                                       restart_every=10))
        seconds = time.perf_counter() - began
    finally:
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
    restarts = pidfile.with_suffix(".log").read_text().count("listening on") - 1
    entry = result.results["DUR-1"]
    return {"storage": storage.split(":")[0], "budget": budget, "verdict": entry.status.value,
            "restarts": restarts, "seconds": round(seconds, 2),
            "seconds_per_restart": round(seconds / restarts, 2) if restarts else None}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budgets", default="quick,ci")
    parser.add_argument("--serve", action="store_true", help="real cogsync serve processes, SIGKILLed")
    options = parser.parse_args(argv)
    if options.serve:
        with tempfile.TemporaryDirectory(prefix="cogsync-bench-serve-") as directory:
            runs = [serve_run(storage, budget, Path(directory)) for budget in options.budgets.split(",")
                    for storage in (f"sqlite:{directory}/{budget}.db", "memory")]
        for line in runs:
            print(json.dumps(line) if options.json else
                  "  ".join(f"{k}={v}" for k, v in line.items()))
        wrong = [r for r in runs if r["verdict"] != ("pass" if r["storage"] == "sqlite" else "fail")]
        return 1 if wrong else 0
    subjects: list[Mutant | None] = [m for m in CATALOG if m.restarts] + [None]
    samples = [measure(subject, budget, seed) for subject in subjects
               for budget in options.budgets.split(",") for seed in range(1, options.seeds + 1)]
    lines = rows(samples)
    if options.json:
        print(json.dumps({"python": platform.python_version(), "rows": lines,
                          "samples": [asdict(s) for s in samples]}, indent=2))
    else:
        print(table(lines))
    missed = [s for s in samples if s.caught == (s.subject == CONTROL)]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
