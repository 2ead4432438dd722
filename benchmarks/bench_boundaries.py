"""What the boundary phase costs on the embedded emulator (signed, in-process).

The phase sends the same requests at every budget and seed; this measures them: the
number of steps and boundary cases, the requests sent, the wall and CPU seconds of
the phase alone (best of ``--repeat`` runs), and that the reference emulator passes it.

Run: ``python benchmarks/bench_boundaries.py`` (``--repeat N``).
"""

from __future__ import annotations

import argparse
import platform
import time

from cogsync.conformance import boundaries
from cogsync.conformance.boundary_cases import cases
from cogsync.conformance.engine import embedded_target


class _Counting:
    """A target wrapper counting the requests sent."""

    def __init__(self, target: object) -> None:
        self._target = target
        self.sent = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._target, name)

    def send(self, call: object) -> object:
        self.sent += 1
        return self._target.send(call)  # type: ignore[attr-defined]

    def send_raw(self, *args: object, **kwargs: object) -> object:
        self.sent += 1
        return self._target.send_raw(*args, **kwargs)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    best: tuple[float, float, int, int] | None = None
    for _ in range(args.repeat):
        target = _Counting(embedded_target())
        wall, cpu = time.perf_counter(), time.process_time()
        tally = boundaries.run_on(target)  # type: ignore[arg-type]
        measured = (time.perf_counter() - wall, time.process_time() - cpu, target.sent, len(tally.failures))
        best = measured if best is None or measured[0] < best[0] else best
    assert best is not None
    steps = boundaries.steps(limits_datasets=20)
    print(f"python {platform.python_version()}, {platform.machine()}")
    print("| steps | boundary cases | requests | wall s | CPU s | failures on the reference |")
    print("|---|---|---|---|---|---|")
    print(f"| {len(steps)} | {len(cases())} | {best[2]} | {best[0]:.2f} | {best[1]:.2f} | {best[3]} |")


if __name__ == "__main__":
    main()
