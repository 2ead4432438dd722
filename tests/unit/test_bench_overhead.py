"""The overhead benchmark measures what BENCHMARKS.md says it does, on a few pairs."""

from __future__ import annotations

import json
import statistics
import time

from benchmarks import bench_overhead
from cogsync.conformance.session import Session


def test_both_sides_run_and_the_ratio_is_theirs():
    result = bench_overhead.measure("in-process", pairs=5, rounds=1, clock="cpu")
    assert result["raw_us_per_call"] > 0 and result["checked_us_per_call"] > 0
    assert abs(result["ratio"] - result["raw_us_per_call"] / result["checked_us_per_call"]) < 1e-9


def test_the_ratio_is_the_median_of_the_rounds_ratios():
    result = bench_overhead.measure("in-process", pairs=4, rounds=3, clock="cpu", chunk=2)
    assert len(result["round_ratios"]) == 3 and all(r > 0 for r in result["round_ratios"])
    assert result["ratio"] == statistics.median(result["round_ratios"])


def test_in_a_round_the_sides_take_turns_every_chunk(monkeypatch):
    order = []

    def steps(send, pairs):
        side = "checked" if isinstance(getattr(send, "__self__", None), Session) else "raw"
        for _ in range(pairs):
            order.append(side)
            yield

    monkeypatch.setattr(bench_overhead, "_pair_steps", steps)
    bench_overhead._round("in-process", pairs=5, chunk=2, clock=time.perf_counter)
    assert order == ["raw"] * 2 + ["checked"] * 4 + ["raw"] * 3 + ["checked"]


def test_judge_only_times_the_checker_on_recorded_answers(capsys):
    assert bench_overhead.main(["--pairs", "5", "--rounds", "2", "--judge-only", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["judge_us_per_answer"] > 0


def test_in_loop_splits_one_checked_loop_into_sending_and_judging(capsys):
    assert bench_overhead.main(["--pairs", "5", "--rounds", "1", "--in-loop", "--json"]) == 0
    split = json.loads(capsys.readouterr().out)
    assert split["send_us_per_call"] > 0 and split["judge_us_per_call"] > 0
    assert abs(split["ratio"] - split["send_us_per_call"]
               / (split["send_us_per_call"] + split["judge_us_per_call"])) < 1e-9
