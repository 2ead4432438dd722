"""`cogsync diff`: the same generated sequences on two endpoints, answers compared normalized."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cogsync.commands.diff import Action, Player, comparable, compare
from cogsync.contracts.calls import Err, Ok, Unknown
from cogsync.emulator.server import serve_in_thread
from cogsync.targets.factory import make_target


@pytest.fixture
def served() -> Iterator[str]:
    with serve_in_thread("127.0.0.1", 0) as url:
        yield url


def test_two_correct_emulators_agree(
    served: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    assert cogsync_cli("diff", "--against", served, "--max-examples", "15", "--seed", "4") == 0
    assert "no difference in 15 generated sequence(s) (seed 4)" in capsys.readouterr().out


def test_a_mutant_differs_and_the_smallest_sequence_is_shown(  # type: ignore[no-untyped-def]
    served: str, mutant_app: str, cogsync_cli, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cogsync_cli(
        "diff",
        "--in-process",
        mutant_app,
        "--against",
        served,
        "--max-examples",
        "25",
        "--seed",
        "1",
    )
    out = capsys.readouterr().out
    assert code == 1, out
    assert "the endpoints differ" in out
    differing = [line for line in out.splitlines() if line.startswith("  != step")]
    assert differing, out
    assert '"Value"' in out  # the reference keeps the Value the mutant drops
    assert f"reproduce: cogsync diff --in-process {mutant_app} --against {served}" in out


def test_normalization_hides_ids_tokens_timestamps_and_order() -> None:
    target = make_target()
    one, two = Player(target), Player(target)
    body = {
        "Records": [
            {"Key": "b", "LastModifiedDate": 1.5, "LastModifiedBy": "{identity}"},
            {"Key": "a", "LastModifiedDate": 2.5},
        ],
        "SyncSessionToken": "tok-{n}",
        "DatasetName": "{prefix}-d0",
    }

    def answer(player: Player, n: int, reverse: bool) -> Ok:
        records = [
            dict(r, LastModifiedBy=r["LastModifiedBy"].format(identity=player.identity))
            if "LastModifiedBy" in r
            else dict(r)
            for r in body["Records"]
        ]
        return Ok(
            {
                "Records": records[::-1] if reverse else records,
                "SyncSessionToken": f"tok-{n}",
                "DatasetName": f"{player.prefix}-d0",
            }
        )

    assert comparable([answer(one, 1, False)], one) == comparable([answer(two, 2, True)], two)
    # what must agree still does: status and error type (messages may differ), Unknown's kind
    assert comparable([Err("ResourceConflictException", 409, "a")], one) == comparable(
        [Err("ResourceConflictException", 409, "b")], two
    )
    assert comparable([Err("ResourceConflictException", 409)], one) != comparable(
        [Err("InvalidParameterException", 400)], two
    )
    assert comparable([Unknown("throttled: HTTP 429", 429)], one) != comparable([Ok({})], two)


def test_compare_reports_the_differing_step(mutant_app: str) -> None:
    reference, mutant = make_target(), make_target(in_process=mutant_app)
    sequence = [Action("list"), Action("sync", patches=(("replace", "k", "v", "listed"),))]
    diffs = compare(reference, mutant, sequence)
    assert [d.index for d in diffs] == [1]
    assert diffs[0].left[1]["body"]["Records"][0]["Value"] == "v"
    assert "Value" not in diffs[0].right[1]["body"]["Records"][0]
