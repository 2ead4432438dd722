"""What each verdict means to pytest in cogsync.suite (hand-built results; no engine needed)."""

from __future__ import annotations

import datetime as dt
import warnings
from types import SimpleNamespace

import pytest

from cogsync.baseline import NO_BASELINE, Baseline
from cogsync.conformance.results import PropertyResult, RunResult, Status
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.properties import Level
from cogsync.pytest_plugin import CogsyncWarning
from cogsync.suite.session import check_setup, check_verdict, failure_message

FAILURE = Failure(
    "SYNC-1",
    "sync count jumped by 2",
    expected="DatasetSyncCount 1",
    received="DatasetSyncCount 2",
    steps=(
        SentCall(
            Call(
                "ListRecords",
                {"IdentityPoolId": "us-east-1:0", "IdentityId": "us-east-1:1", "DatasetName": "d"},
            ),
            Ok({"SyncSessionToken": "t"}),
        ),
    ),
)


def result(status: Status, **extra: object) -> PropertyResult:
    r = PropertyResult("SYNC-1", Level.MUST, status=status, witnesses=3)
    for key, value in extra.items():
        setattr(r, key, value)
    return r


def run_of(r: PropertyResult) -> RunResult:
    return RunResult("t", "default", 1, "quick", {r.property_id: r})


def node() -> SimpleNamespace:
    return SimpleNamespace(user_properties=[])


def test_pass_passes_quietly() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_verdict(result(Status.PASS), NO_BASELINE, node())


def test_fail_fails_with_expected_received_and_a_reproduction() -> None:
    with pytest.raises(pytest.fail.Exception) as info:
        check_verdict(result(Status.FAIL, failures=[FAILURE]), NO_BASELINE, node())
    text = str(info.value)
    assert "[SYNC-1] sync count jumped by 2" in text
    assert "expected: DatasetSyncCount 1" in text and "received: DatasetSyncCount 2" in text
    assert "from cogsync.reproduction import Replay" in text
    assert failure_message(result(Status.FAIL, failures=[FAILURE]), None) in text


def test_warn_is_a_warning_and_finding_a_user_property() -> None:
    with pytest.warns(CogsyncWarning, match="sync count jumped"):
        check_verdict(result(Status.WARN, failures=[FAILURE]), NO_BASELINE, node())
    n = node()
    check_verdict(result(Status.FINDING, findings=["empty writes bump the count"]), NO_BASELINE, n)
    assert n.user_properties == [("cogsync_finding", "empty writes bump the count")]


def test_an_excluded_property_not_run_skips_with_the_reason() -> None:
    excluded = result(Status.NOT_RUN, note="excluded: named identity", excluded="named identity")
    assert check_setup("SYNC-1", run_of(excluded)) is excluded
    with pytest.raises(pytest.skip.Exception, match="SYNC-1 not run: excluded: named identity"):
        check_verdict(excluded, NO_BASELINE, node())


def test_a_must_property_never_put_to_the_test_is_an_error_never_a_pass() -> None:
    untested = result(Status.NOT_RUN, note="no answer of this run put it to the test")
    with pytest.raises(pytest.fail.Exception, match="SYNC-1 never put to the test: no answer"):
        check_setup("SYNC-1", run_of(untested))


def test_not_applicable_skips_with_the_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match="SYNC-1 not applicable: no signatures"):
        check_verdict(result(Status.NOT_APPLICABLE, note="no signatures"), NO_BASELINE, node())


def test_inconclusive_is_an_error_in_setup() -> None:
    r = result(Status.INCONCLUSIVE, note="throttled: 429")
    with pytest.raises(pytest.fail.Exception, match="SYNC-1 inconclusive: throttled: 429"):
        check_setup("SYNC-1", run_of(r))
    assert check_setup("SYNC-1", run_of(result(Status.PASS))).status is Status.PASS
    with pytest.raises(pytest.fail.Exception, match="no verdict"):
        check_setup("SYNC-2", run_of(r))


def test_baseline_known_is_xfail_expired_fails_stale_warns() -> None:
    failing = result(Status.FAIL, failures=[FAILURE])
    today = dt.date(2026, 3, 1)
    known = Baseline.parse('[{"id": "SYNC-1", "reason": "tracked"}]').assess(run_of(failing), today)
    with pytest.raises(pytest.xfail.Exception, match="known deviation: tracked"):
        check_verdict(failing, known, node())
    expired = Baseline.parse('[{"id": "SYNC-1", "reason": "r", "expires": "2026-01-01"}]')
    with pytest.raises(pytest.fail.Exception, match="expired on 2026-01-01"):
        check_verdict(failing, expired.assess(run_of(failing), today), node())
    passing = result(Status.PASS)
    stale = Baseline.parse('[{"id": "SYNC-1", "reason": "r"}]').assess(run_of(passing), today)
    with pytest.warns(CogsyncWarning, match="stale"):
        check_verdict(passing, stale, node())
