"""--cogsync-* options, the report header, usage errors and xdist seed sharing (pytester)."""

from __future__ import annotations

import re

import pytest

TRIVIAL = """
def test_config(cogsync_config):
    print("CONFIG", cogsync_config.budget, cogsync_config.seed, cogsync_config.properties)
"""


def test_options_are_one_group_with_one_prefix(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    section = text.split("cogsync: Cognito Sync contract testing:", 1)[1].split("\n\n", 1)[0]
    options = re.findall(r"^\s+(--[\w-]+)", section, flags=re.M)
    assert "--cogsync-endpoint-url" in options and "--cogsync-budget" in options
    assert "--cogsync-seed" in options and "--cogsync-strictness" in options
    assert "--cogsync-aws-profile" in options
    assert "--cogsync-profile" not in options  # renamed: hidden, it only says so
    assert all(o.startswith("--cogsync-") for o in options), options


def test_header_says_how_to_reproduce(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("-s", "--cogsync-seed=42", "--cogsync-budget=ci")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "cogsync: target the embedded emulator, strictness default, budget ci, seed 42",
            "cogsync: reproduce with: pytest -s --cogsync-budget=ci *--cogsync-seed=42",
            "*CONFIG ci 42 None",
        ]
    )


def test_a_random_seed_is_chosen_once_and_shown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest("-s")
    header = re.search(r"seed (\d+)\n", result.stdout.str())
    assert header is not None
    seed = header.group(1)
    result.stdout.fnmatch_lines(
        [f"cogsync: reproduce with: pytest -s *--cogsync-seed={seed}", f"*CONFIG quick {seed} None"]
    )


def test_selection_options_reach_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(
        "-s",
        "--cogsync-properties=SYNC-*,CONF-1",
        "--cogsync-properties",
        "DS-2",
        "--cogsync-seed=1",
    )
    result.stdout.fnmatch_lines(["*CONFIG quick 1 ('SYNC-[*]', 'CONF-1', 'DS-2')"])


def test_strictness_reaches_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_config(cogsync_config):\n    print('STRICTNESS', cogsync_config.profile)\n"
    )
    pytester.runpytest("-s").stdout.fnmatch_lines(["*STRICTNESS default"])
    result = pytester.runpytest("-s", "--cogsync-strictness=documented")
    result.stdout.fnmatch_lines([
        "*strictness documented*",
        "cogsync: reproduce with: pytest -s --cogsync-strictness=documented *--cogsync-seed=*",
        "*STRICTNESS documented",
    ])


def test_faults_reach_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_config(cogsync_config):\n    print('FAULTS', cogsync_config.faults)\n"
    )
    pytester.runpytest("-s", "--cogsync-faults", "duplicate=0.1").stdout.fnmatch_lines(["*FAULTS duplicate=0.1"])


def test_skip_preflight_reaches_the_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_config(cogsync_config):\n    print('SKIP', cogsync_config.skip_preflight)\n"
    )
    pytester.runpytest("-s").stdout.fnmatch_lines(["*SKIP False"])
    pytester.runpytest("-s", "--cogsync-skip-preflight").stdout.fnmatch_lines(["*SKIP True"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cogsync-seed=x"], "*cogsync-seed='x' is not allowed*"),
        (["--cogsync-budget=huge"], "*invalid choice: 'huge'*"),
        (["--cogsync-properties=NOPE-1"], "*properties='NOPE-1' is not allowed*"),
        (["--cogsync-identity-id=us-east-1:1"], "*identity_pool_id and identity_id go together*"),
        (
            ["--cogsync-endpoint-url=http://127.0.0.1:1", "--cogsync-in-process=m:f"],
            "*cannot be combined*",
        ),
        (["--cogsync-baseline=absent.toml"], "*baseline='absent.toml' cannot be read*"),
        (["--cogsync-strictness=strict"], "*invalid choice: 'strict'*"),
        (
            ["--cogsync-profile=prod"],
            "*--cogsync-profile prod is not an option: for an AWS profile use --cogsync-aws-profile "
            "prod; for what a SHOULD breach counts as, --cogsync-strictness default|documented*",
        ),
    ],
)
def test_bad_options_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makepyfile(TRIVIAL)
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_suite_tests_are_named_by_property_id_and_follow_the_selection(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest(
        "--pyargs",
        "cogsync.suite",
        "--collect-only",
        "-q",
        "--cogsync-properties=SYNC-*",
        "--cogsync-skip=SYNC-7",
    )
    names = re.findall(r"::(test_\w+)", result.stdout.str())
    assert names == [
        "test_SYNC_1",
        "test_SYNC_2",
        "test_SYNC_3",
        "test_SYNC_4",
        "test_SYNC_5",
        "test_SYNC_6",
    ]
    result.stdout.fnmatch_lines(["*6/50 tests collected (44 deselected)*"])


@pytest.mark.slow  # starting two xdist workers takes ~10 s here
def test_xdist_workers_share_the_seed(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_seed(cogsync_config, n, tmp_path_factory):
            out = tmp_path_factory.getbasetemp().parent / f"seed-{n}"
            out.write_text(str(cogsync_config.seed))
    """)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist")
    result.assert_outcomes(passed=4)
    header = re.search(r"seed (\d+)\n", result.stdout.str())
    assert header is not None
    base = pytester.path
    seeds = {p.read_text() for p in base.rglob("seed-*")}
    assert seeds == {header.group(1)}
