"""`pytest --pyargs cogsync.suite` end to end: verdicts, JUnit, the summary table, xdist."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

QUICK = (
    "--pyargs",
    "cogsync.suite",
    "--cogsync-budget=quick",
    "--cogsync-seed=5",
    "-p",
    "no:randomly",
)


def test_the_reference_emulator_passes_and_junit_names_tests_by_id(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest(*QUICK, "--cogsync-properties=SYNC-1,CONF-1", "--junitxml=out.xml")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*cogsync conformance*",
            "SYNC-1 *MUST *pass*",
            "*reproduce this run: pytest*--cogsync-seed=5",
        ]
    )
    root = ET.parse(pytester.path / "out.xml").getroot()
    names = sorted(case.get("name") or "" for case in root.iter("testcase"))
    assert names == ["test_CONF_1", "test_SYNC_1"]


def test_a_mutant_fails_its_property_with_the_reproduction(
    pytester: pytest.Pytester, inner_mutant: str
) -> None:
    result = pytester.runpytest(
        *QUICK, f"--cogsync-in-process={inner_mutant}", "--cogsync-properties=SYNC-4,SYNC-1"
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*test_SYNC_4*", "*[[]SYNC-4[]]*", "*from cogsync.reproduction import Replay*"])


def test_a_baselined_failure_is_an_xfail(pytester: pytest.Pytester, inner_mutant: str) -> None:
    baseline = pytester.path / "known.json"
    baseline.write_text('[{"id": "SYNC-4", "reason": "values dropped"}]')
    result = pytester.runpytest(
        *QUICK,
        f"--cogsync-in-process={inner_mutant}",
        "--cogsync-properties=SYNC-4",
        f"--cogsync-baseline={baseline}",
    )
    result.assert_outcomes(xfailed=1)


REFUSING_SOURCE = '''
"""A server that refuses every request: 403 UnrecognizedClientException."""


def make_app():
    def refuse(environ, start_response):
        start_response("403 Forbidden", [("Content-Type", "application/json"),
                                         ("x-amzn-ErrorType", "UnrecognizedClientException")])
        return [b'{"message": "The security token included in the request is invalid."}']

    return refuse
'''


def test_a_target_that_refuses_the_credentials_fails_every_test_in_one_line(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(plugin_refusing_server=REFUSING_SOURCE)
    pytester.syspathinsert()
    result = pytester.runpytest(
        *QUICK, "--cogsync-in-process=plugin_refusing_server:make_app",
        "--cogsync-properties=SYNC-1,CONF-1",
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*cogsync: in-process:plugin_refusing_server:make_app refused the "
                                 "credentials (ListDatasets answered 403 UnrecognizedClientException*"])
    assert "Traceback" not in result.stdout.str()


def test_per_property_runs_focus_the_engine(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        *QUICK, "--cogsync-properties=SYNC-1,LIST-2", "--cogsync-per-property"
    )
    result.assert_outcomes(passed=2)


@pytest.mark.slow  # two xdist workers each start and run the engine
def test_the_suite_runs_under_xdist_and_the_controller_prints_one_table(
    pytester: pytest.Pytester,
) -> None:
    pytest.importorskip("xdist")
    result = pytester.runpytest_subprocess(
        *QUICK, "-p", "xdist", "-n", "2", "--cogsync-properties=SYNC-1,SYNC-2,LIST-2,CONF-1"
    )
    result.assert_outcomes(passed=4)
    text = result.stdout.str()
    assert text.count("cogsync conformance") == 1, text  # one table for the whole run
    table = text.split("cogsync conformance", 1)[1].splitlines()[1:]
    rows = [line.split()[:3] for line in table if line.split()[:1] and "-" in line.split()[0]
            and line.split()[0][0].isupper()]
    assert sorted(rows) == sorted(
        [["SYNC-1", "MUST", "pass"], ["SYNC-2", "MUST", "pass"], ["LIST-2", "MUST", "pass"],
         ["CONF-1", "MUST", "pass"]]
    ), text
    summaries = [line for line in text.splitlines() if line.startswith("4 properties: 4 pass in ")]
    assert len(summaries) == 1, text
    result.stdout.fnmatch_lines(["reproduce this run: pytest*-n 2*--cogsync-seed=5"])
