"""Mutation score: how fast, and with how small a reproduction, the engine catches each mutant.

For every mutant of :data:`cogsync.mutants.CATALOG` the engine runs as a user would
run it: its default selection (every property), budget ``quick``, a fixed seed,
against the mutant in-process (``--transport http``: served on 127.0.0.1). Per
mutant the table shows:

- ``killed``: a property of the mutant's ``breaks`` failed (``caught by``: which);
- ``calls`` / ``seconds``: requests sent and time spent until the engine first
  recorded such a failure (before any shrinking of it);
- ``steps`` / ``minimal``: the length of the shortest reported failing sequence
  among those properties, against the hand-counted minimum in the catalog;
- ``run s``: the whole run, shrinking and every other phase included.

and then the kill rate. The first failure is observed through the engine's
``on_failure`` callback, which hears of each failure before it is shrunk. Nothing
the engine decides is changed.

The mutants only a restart shows (``Mutant.restarts``) are measured by
``benchmarks/bench_restarts.py`` instead, with restarts on.

Run: ``python benchmarks/bench_mutants.py`` (``--json`` for machine output,
``--transport http``, ``--mutants a,b`` for a few, ``--seed N``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import platform
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cogsync.conformance.auth import RUN_KEY
from cogsync.conformance.config import RunConfig
from cogsync.conformance.engine import run
from cogsync.conformance.results import RunResult, Status
from cogsync.contracts.failures import Failure
from cogsync.emulator.server import EmulatorServer
from cogsync.errors import UsageError
from cogsync.mutants import CATALOG, Mutant, get
from cogsync.targets import HttpTarget, InProcessTarget

TRANSPORTS = ("in-process", "http")
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class Row:
    """One mutant's measurement."""

    mutant: str
    breaks: list[str]
    killed: bool
    caught_by: list[str]
    calls_to_first_failure: int | None
    seconds_to_first_failure: float | None
    shrunk_steps: int | None
    minimal_steps: int
    run_seconds: float
    error: str | None = None


class FirstFailure:
    """Calls sent so far, and the moment the first failure of chosen ids was recorded."""

    def __init__(self, wanted: frozenset[str]) -> None:
        self.wanted = wanted
        self.calls = 0
        self.began = time.perf_counter()
        self.at: tuple[int, float] | None = None

    def sent(self) -> None:
        self.calls += 1

    def recorded(self, failure: Failure) -> None:
        if self.at is None and failure.property_id in self.wanted:
            self.at = (self.calls, time.perf_counter() - self.began)


def counted(target: Any, first: FirstFailure) -> Any:
    """Count every request ``target`` sends (the instance keeps its class: ISO-2 needs it)."""
    for name in ("send", "send_raw"):
        original: Callable[..., Any] = getattr(target, name)

        def sending(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            first.sent()
            return _original(*args, **kwargs)

        setattr(target, name, sending)
    return target


@contextlib.contextmanager
def target_for(mutant: Mutant, transport: str) -> Iterator[Any]:
    credentials = RUN_KEY if mutant.signed else ("cogsync", "unsigned-app")
    app = mutant.build()
    if transport == "in-process":
        target: Any = InProcessTarget(app, credentials=credentials, knows_bound_key=mutant.signed)
        yield target
        return
    server = EmulatorServer(app, "127.0.0.1", 0)
    server.start()
    try:
        target = HttpTarget(server.url, credentials=credentials, knows_bound_key=mutant.signed)
        yield target
    finally:
        server.stop()


def measure(mutant: Mutant, *, transport: str, seed: int) -> Row:
    first = FirstFailure(mutant.breaks)
    result: RunResult | None = None
    error = None
    with target_for(mutant, transport) as target:
        counted(target, first)
        try:
            result = run(target, RunConfig(budget="quick", seed=seed, faults=mutant.faults), on_failure=first.recorded)
        except Exception as exc:  # noqa: BLE001 - an engine crash is a measurement too
            error = f"{type(exc).__name__}: {exc}"
    run_seconds = time.perf_counter() - first.began
    caught = sorted(pid for pid in mutant.breaks
                    if result is not None and result.results[pid].status is Status.FAIL)
    steps = [len(f.steps) for pid in caught for f in result.results[pid].failures] if result else []
    return Row(
        mutant=mutant.name,
        breaks=sorted(mutant.breaks),
        killed=bool(caught),
        caught_by=caught,
        calls_to_first_failure=first.at[0] if first.at else None,
        seconds_to_first_failure=round(first.at[1], 3) if first.at else None,
        shrunk_steps=min(steps) if steps else None,
        minimal_steps=mutant.minimal_steps,
        run_seconds=round(run_seconds, 2),
        error=error,
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, list):
        return " ".join(value) or "-"
    return str(value)


def table(rows: Sequence[Row]) -> str:
    head = ("mutant", "breaks", "killed", "caught by", "calls", "seconds", "steps", "minimal",
            "run s")
    body = [(r.mutant, r.breaks, r.killed, r.caught_by, r.calls_to_first_failure,
             r.seconds_to_first_failure, r.shrunk_steps, r.minimal_steps, r.run_seconds)
            for r in rows]
    cells = [head, *[tuple(_cell(v) for v in line) for line in body]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in rows:
        if r.error:
            lines.append(f"{r.mutant}: the engine raised {r.error}")
    return "\n".join(lines)


def summary(rows: Sequence[Row]) -> dict[str, Any]:
    killed = [r for r in rows if r.killed]
    return {
        "mutants": len(rows),
        "killed": len(killed),
        "kill_rate": round(len(killed) / len(rows), 3) if rows else None,
        "survivors": [r.mutant for r in rows if not r.killed],
        "at_minimal_length": sum(1 for r in killed if r.shrunk_steps == r.minimal_steps),
        "total_run_seconds": round(sum(r.run_seconds for r in rows), 1),
    }


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--transport", default="in-process", choices=TRANSPORTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--mutants", default="", help="comma-separated names (default: all)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    try:
        chosen = [get(n) for n in options.mutants.split(",") if n] or [m for m in CATALOG if not m.restarts]
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 3
    logging.getLogger("cogsync.emulator").setLevel(logging.CRITICAL)  # mutants' 500s are expected
    rows = []
    for mutant in chosen:
        with contextlib.redirect_stdout(sys.stderr):  # Hypothesis prints its shrink notices
            rows.append(measure(mutant, transport=options.transport, seed=options.seed))
        if not options.json:
            print(f"  measured {mutant.name} ({rows[-1].run_seconds} s)", file=sys.stderr)
    report = {
        "command": " ".join(["python", "benchmarks/bench_mutants.py", *(argv or sys.argv[1:])]),
        "seed": options.seed,
        "transport": options.transport,
        "budget": "quick",
        "python": platform.python_version(),
        "summary": summary(rows),
        "rows": [asdict(r) for r in rows],
    }
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(rows))
        print()
        print(json.dumps(report["summary"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
