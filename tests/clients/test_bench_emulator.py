"""benchmarks/bench_emulator.py runs end to end with a tiny N (fast: it proves the script
works, not how fast anything is)."""

from __future__ import annotations

import json
from types import ModuleType

import pytest

from benchmarks import bench_emulator
from cogsync.errors import UsageError


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return bench_emulator


def test_bench_emulator_json_has_four_rows_with_positive_rates(bench, capsys):
    assert bench.main(["--pairs", "3", "--warmup", "1", "--repeat", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = {(r["mode"], r["target"]): r for r in report["results"]}
    assert sorted(rows) == [
        ("http", "cogsync"), ("http", "moto"), ("mock", "cogsync"), ("mock", "moto")
    ]
    for row in rows.values():
        assert row["pairs"] == 3
        assert row["seconds"] > 0
        assert row["pairs_per_second"] == pytest.approx(3 / row["seconds"])
    for mode in ("mock", "http"):
        cogsync, moto = (rows[mode, t]["pairs_per_second"] for t in ("cogsync", "moto"))
        assert report["ratios"][mode] == pytest.approx(cogsync / moto)


def test_bench_emulator_table_names_every_row_and_both_ratios(bench, capsys):
    assert bench.main(["--pairs", "2", "--warmup", "0", "--repeat", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines[1:5]]
    assert sorted((r[0], r[1]) for r in rows) == [
        ("http", "cogsync"), ("http", "moto"), ("mock", "cogsync"), ("mock", "moto")
    ]
    assert all(float(r[4]) > 0 for r in rows)
    assert [line.split(":")[0] for line in lines[5:]] == [
        "cogsync/moto (mock)", "cogsync/moto (http)"
    ]


@pytest.mark.parametrize("argument", ["pairs", "repeat"])
def test_bench_emulator_refuses_fewer_than_one(bench, argument):
    options = {"pairs": 1, "warmup": 0, "repeat": 1, argument: 0}
    with pytest.raises(UsageError, match=f"{argument}=0"):
        bench.run_benchmark(**options)


def test_bench_emulator_profile_sees_the_emulator_at_work(bench):
    report = bench.profile_cogsync("mock", pairs=2, warmup=0)
    assert "cogsync/emulator/wire.py" in report
    assert "function calls" in report
