"""Kit overhead: checked calls per second over raw calls per second, on the same transport.

Raw: ListRecords + UpdateRecords pairs sent through ``target.send`` only (SigV4
signing included). Checked: the same pairs through a
:class:`cogsync.conformance.session.Session`, which judges every answer with the
model (schemas included) and runs the wire checks. Two transports, measured in one
run: ``in-process`` (``InProcessTarget`` on the emulator app) and ``http`` (an
``HttpTarget`` to the emulator served by cheroot on 127.0.0.1).

Each round runs both sides on fresh emulators of their own, interleaved in chunks of
``--chunk`` pairs (raw first in one chunk, checked first in the next), so a slow spell
of a shared machine lands on both sides alike; a round's ratio is its raw time over its
checked time. The report gives the median round: microseconds and calls per second of
each side, and the median of the rounds' ratios.

``--clock cpu`` times with ``time.process_time()`` (the CPU of this process, the HTTP
server's threads included) instead of the wall clock: on a machine shared with other
work, the wall clock measures the neighbours too.

``--judge-only`` isolates the checker: the pairs' answers are recorded once from the
in-process emulator, then a fresh session judges all of them, ``--rounds`` times; it
prints the fastest round in microseconds per judged answer. No transport runs while it
is timed, so the figure moves less with the machine's load than the ratio does (and
under ``valgrind --tool=callgrind`` it gives instruction counts, which do not move).

    python benchmarks/bench_overhead.py --pairs 500 --rounds 5 [--transport in-process|http|both] \
        [--clock wall|cpu] [--chunk 25] [--json]
    python benchmarks/bench_overhead.py --pairs 1000 --rounds 7 --judge-only
    python benchmarks/bench_overhead.py --pairs 500 --rounds 9 --in-loop

``--in-loop`` times both sides inside one checked loop: each call's ``target.send`` and
its judgement are timed apart (in-process, wall clock), so the machine's speed moves both
alike; it prints the medians over ``--rounds`` fresh sessions and checked/raw from them.
Judging beside the sender here also slows the sends a little, which a checked run pays
and this split does not show: it reads a little higher than the ratio of two runs.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from cogsync.conformance.session import Session
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.model import Model
from cogsync.emulator.server import EmulatorServer
from cogsync.targets.base import Response, Target
from cogsync.targets.emulator_app import build_emulator_app
from cogsync.targets.http_target import HttpTarget
from cogsync.targets.in_process import InProcessTarget

TRANSPORTS = ("in-process", "http")


def _pairs(send: Callable[[Call], Response], pairs: int) -> None:
    for _ in _pair_steps(send, pairs):
        pass


def _pair_steps(send: Callable[[Call], Response], pairs: int) -> Iterator[None]:
    """Send the pairs one after another, pausing after each (so two sides can take turns)."""
    ids = {"IdentityPoolId": f"us-east-1:{uuid.uuid4()}", "IdentityId": f"us-east-1:{uuid.uuid4()}",
           "DatasetName": "bench"}
    count = 0
    seen: dict[str, int] = {}
    for i in range(pairs):
        listing = send(Call("ListRecords", {**ids, "LastSyncCount": count}))
        assert isinstance(listing.outcome, Ok), listing.outcome
        token = listing.outcome.body["SyncSessionToken"]
        key = f"k{i % 16}"
        patch = {"Op": "replace", "Key": key, "Value": f"v{i}", "SyncCount": seen.get(key, 0)}
        answer = send(Call("UpdateRecords", {**ids, "SyncSessionToken": token, "RecordPatches": [patch]}))
        assert isinstance(answer.outcome, Ok), answer.outcome
        count = answer.outcome.body["Records"][0]["SyncCount"]
        seen[key] = count
        yield


@contextlib.contextmanager
def fresh_target(transport: str) -> Iterator[Target]:
    """A new emulator (memory storage) behind ``transport``; its server stopped after."""
    if transport == "in-process":
        target = InProcessTarget.emulator()
        try:
            yield target
        finally:
            target.close()
        return
    app, _handle = build_emulator_app()
    server = EmulatorServer(app, "127.0.0.1", 0)
    server.start()
    target = HttpTarget(server.url)
    try:
        yield target
    finally:
        target.close()
        server.stop()


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}


def _round(transport: str, pairs: int, chunk: int, clock: Callable[[], float]) -> tuple[float, float]:
    """(raw seconds, checked seconds) of one round: both sides on targets of their own,
    taking turns every ``chunk`` pairs, the side that goes first alternating."""
    with fresh_target(transport) as raw_target, fresh_target(transport) as checked_target:
        session = Session(checked_target, Model())
        steps = [_pair_steps(raw_target.send, pairs), _pair_steps(session.send, pairs)]
        spent = [0.0, 0.0]
        for turn in range(-(-pairs // chunk)):
            for side in (0, 1) if turn % 2 == 0 else (1, 0):
                began = clock()
                for _ in itertools.islice(steps[side], chunk):
                    pass
                spent[side] += clock() - began
        assert not session.tally.failures, session.tally.failures[0]
        return spent[0], spent[1]


def measure(transport: str, pairs: int, rounds: int, clock: str = "wall",
            chunk: int = 25) -> dict[str, Any]:
    timed = [_round(transport, pairs, chunk, CLOCKS[clock]) for _ in range(rounds)]
    calls = 2 * pairs
    raw = statistics.median(r for r, _ in timed)
    checked = statistics.median(c for _, c in timed)
    round_ratios = [r / c for r, c in timed]
    return {
        "transport": transport,
        "clock": clock,
        "raw_calls_per_second": calls / raw,
        "checked_calls_per_second": calls / checked,
        "raw_us_per_call": 1e6 * raw / calls,
        "checked_us_per_call": 1e6 * checked / calls,
        "checker_us_per_call": 1e6 * (checked - raw) / calls,
        "round_ratios": round_ratios,
        "ratio": statistics.median(round_ratios),
    }


def judge_only(pairs: int, rounds: int, clock: str = "cpu") -> float:
    """Microseconds per judged answer: the fastest of ``rounds`` sessions judging the same
    recorded answers of ``pairs`` pairs (no transport inside the timing)."""
    answers: list[Response] = []
    with fresh_target("in-process") as target:
        def record(call: Call) -> Response:
            answers.append(target.send(call))
            return answers[-1]

        _pairs(record, pairs)
        times = []
        for _ in range(rounds):
            session = Session(target, Model())
            began = CLOCKS[clock]()
            for answer in answers:
                session.observe(answer)
            times.append(CLOCKS[clock]() - began)
            assert not session.tally.failures, session.tally.failures[0]
    return 1e6 * min(times) / len(answers)


def in_loop(pairs: int, rounds: int) -> dict[str, float]:
    """Median microseconds per call of sending and of judging, timed apart in one loop."""
    sends, judgements = [], []
    for _ in range(rounds):
        with fresh_target("in-process") as target:
            session = Session(target, Model())
            spent = [0.0, 0.0]

            def send(call: Call, target: Target = target, session: Session = session,
                     spent: list[float] = spent) -> Response:
                began = time.perf_counter()
                response = target.send(call)
                sent = time.perf_counter()
                session.observe(response)
                spent[0] += sent - began
                spent[1] += time.perf_counter() - sent
                return response

            _pairs(send, pairs)
            assert not session.tally.failures, session.tally.failures[0]
            sends.append(1e6 * spent[0] / (2 * pairs))
            judgements.append(1e6 * spent[1] / (2 * pairs))
    send_us, judge_us = statistics.median(sends), statistics.median(judgements)
    return {"send_us_per_call": send_us, "judge_us_per_call": judge_us,
            "ratio": send_us / (send_us + judge_us)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--transport", choices=[*TRANSPORTS, "both"], default="both")
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall")
    parser.add_argument("--chunk", type=int, default=25,
                        help="pairs each side sends before the other takes its turn")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--judge-only", action="store_true",
                        help="time the checker alone on recorded answers (see the module docstring)")
    parser.add_argument("--in-loop", action="store_true",
                        help="time sending and judging apart inside one checked loop (see above)")
    args = parser.parse_args(argv)
    if args.in_loop:
        split = in_loop(args.pairs, args.rounds)
        print(json.dumps(split) if args.json else
              f"in one loop: send {split['send_us_per_call']:.0f} us, judge {split['judge_us_per_call']:.0f} us"
              f" per call, checked/raw {split['ratio']:.3f}")
        return 0
    if args.judge_only:
        us = judge_only(args.pairs, args.rounds, args.clock)
        print(json.dumps({"judge_us_per_answer": us}) if args.json else f"judge only: {us:.1f} us per answer")
        return 0
    transports = TRANSPORTS if args.transport == "both" else (args.transport,)
    results = [measure(t, args.pairs, args.rounds, args.clock, args.chunk) for t in transports]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{'transport':<11} {'raw/s':>9} {'checked/s':>10} {'raw us':>8} {'checked us':>11} "
          f"{'checker us':>11} {'checked/raw':>12}")
    for r in results:
        print(f"{r['transport']:<11} {r['raw_calls_per_second']:9.1f} {r['checked_calls_per_second']:10.1f} "
              f"{r['raw_us_per_call']:8.0f} {r['checked_us_per_call']:11.0f} {r['checker_us_per_call']:11.0f} "
              f"{r['ratio']:12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
