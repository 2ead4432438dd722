"""Baseline files: parsing, validation messages, and what they do to the gate's exit status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cogsync.baseline import Baseline
from cogsync.conformance.results import RunResult, Status
from cogsync.errors import UsageError

TODAY = dt.date(2026, 3, 1)


def test_json_list_and_object_forms_are_the_same(tmp_path: Path) -> None:
    listed = tmp_path / "a.json"
    listed.write_text('[{"id": "conf-1", "reason": "tracked in #1", "expires": "2026-06-30"}]')
    wrapped = tmp_path / "b.json"
    wrapped.write_text(
        '{"known": [{"id": "CONF-1", "reason": "tracked in #1", "expires": "2026-06-30"}]}'
    )
    a, b = Baseline.load(listed), Baseline.load(wrapped)
    assert a.entries == b.entries
    (entry,) = a.entries
    assert (entry.property_id, entry.reason, entry.expires) == (
        "CONF-1",
        "tracked in #1",
        dt.date(2026, 6, 30),
    )


def test_toml_with_a_date_literal_and_without_expiry(tmp_path: Path) -> None:
    path = tmp_path / "baseline.toml"
    path.write_text(
        '[[known]]\nid = "LIST-3"\nreason = "we answer 200"\nexpires = 2026-06-30\n\n'
        '[[known]]\nid = "DS-4"\nreason = "no resurrect flag"\n'
    )
    entries = Baseline.load(path).entries
    assert [(e.property_id, e.expires) for e in entries] == [
        ("LIST-3", dt.date(2026, 6, 30)),
        ("DS-4", None),
    ]


def test_unknown_extension_tries_json_then_toml(tmp_path: Path) -> None:
    path = tmp_path / "baseline.txt"
    path.write_text('[[known]]\nid = "DS-4"\nreason = "r"\n')
    assert Baseline.load(path).entries[0].property_id == "DS-4"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[{"id": "NOPE-1", "reason": "x"}]', "id='NOPE-1'"),
        ('[{"id": "SYNC-1"}]', "needs a reason"),
        ('[{"id": "SYNC-1", "reason": "  "}]', "needs a reason"),
        ('[{"id": "SYNC-1", "reason": "x", "expires": "30/06/2026"}]', "expires='30/06/2026'"),
        ('[{"id": "SYNC-1", "reason": "x", "expire": "2026-06-30"}]', "unknown keys ['expire']"),
        (
            '[{"id": "SYNC-1", "reason": "x"}, {"id": "sync-1", "reason": "y"}]',
            "SYNC-1 is listed twice",
        ),
        ('{"deviations": []}', "unknown top-level keys"),
        ('"SYNC-1"', "expected a list"),
        ('["SYNC-1"]', "entry 1 is 'SYNC-1'"),
        ("{not json", "not valid json"),
    ],
)
def test_a_bad_file_is_a_usage_error_naming_the_file(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "known.json"
    path.write_text(text)
    with pytest.raises(UsageError) as info:
        Baseline.load(path)
    assert fragment in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot be read"):
        Baseline.load(tmp_path / "absent.toml")


def _baseline(*entries: tuple[str, str | None]) -> Baseline:
    import json

    return Baseline.parse(
        json.dumps([{"id": i, "reason": "why", "expires": e} for i, e in entries])
    )


def test_baselined_failure_is_known_and_does_not_fail_the_gate(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].status = Status.PASS  # leave only the failures
    assert sample_run.exit_code == 1
    assessment = _baseline(("CONF-1", "2026-03-01"), ("LIST-3", None)).assess(sample_run, TODAY)
    assert set(assessment.known) == {"CONF-1", "LIST-3"}
    assert assessment.exit_code(sample_run) == 0
    assert assessment.messages() == []


def test_an_unlisted_failure_still_fails(sample_run: RunResult) -> None:
    assessment = _baseline(("CONF-1", None)).assess(sample_run, TODAY)
    assert assessment.exit_code(sample_run) == 1


def test_inconclusive_is_still_two_once_failures_are_known(sample_run: RunResult) -> None:
    assessment = _baseline(("CONF-1", None), ("LIST-3", None)).assess(sample_run, TODAY)
    assert assessment.exit_code(sample_run) == 2


def test_an_expired_entry_fails_the_gate_with_a_message(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].status = Status.PASS
    assessment = _baseline(("CONF-1", "2026-02-28"), ("LIST-3", None)).assess(sample_run, TODAY)
    assert "CONF-1" not in assessment.known
    assert [e.property_id for e in assessment.expired] == ["CONF-1"]
    assert assessment.exit_code(sample_run) == 1
    assert any("CONF-1 expired on 2026-02-28" in m for m in assessment.messages())


def test_an_expired_entry_fails_even_when_its_property_passes(sample_run: RunResult) -> None:
    for result in sample_run.results.values():
        result.status = Status.PASS
    assessment = _baseline(("SYNC-1", "2026-01-01")).assess(sample_run, TODAY)
    assert assessment.exit_code(sample_run) == 1


def test_an_entry_for_a_passing_property_is_stale(sample_run: RunResult) -> None:
    assessment = _baseline(("SYNC-1", None), ("ISO-2", None)).assess(sample_run, TODAY)
    assert [e.property_id for e in assessment.stale] == ["SYNC-1"]  # ISO-2 was not run: not stale
    assert any("SYNC-1 is stale" in m for m in assessment.messages())


def test_a_warn_can_be_baselined_too(documented_run: RunResult) -> None:
    assessment = _baseline(("LIST-3", None)).assess(documented_run, TODAY)
    assert set(assessment.known) == {"LIST-3"}


# --- globs ------------------------------------------------------------------------------


def test_a_glob_entry_forgives_every_property_it_matches(sample_run: RunResult) -> None:
    sample_run.results["DS-4"].status = Status.PASS  # leave only the failures (CONF-1, LIST-3)
    assessment = _baseline(("conf-*", None), ("LIST-?", None)).assess(sample_run, TODAY)
    assert set(assessment.known) == {"CONF-1", "LIST-3"}
    assert assessment.known["CONF-1"].property_id == "CONF-*"
    assert assessment.exit_code(sample_run) == 0


def test_an_exact_entry_beats_a_glob_whatever_the_order(sample_run: RunResult) -> None:
    baseline = Baseline.parse(
        '[{"id": "CONF-*", "reason": "all conflicts"}, {"id": "CONF-1", "reason": "this one"}]'
    )
    assert baseline.assess(sample_run, TODAY).known["CONF-1"].reason == "this one"


def test_a_glob_is_stale_only_when_what_it_matches_passes(sample_run: RunResult) -> None:
    assessment = _baseline(("SYNC-*", None), ("CONF-*", None)).assess(sample_run, TODAY)
    # every SYNC-* passes (SYNC-6 and -7 are MAY findings); CONF-1 still fails
    assert [e.property_id for e in assessment.stale] == ["SYNC-*"]
    assert assessment.is_stale("SYNC-1") and not assessment.is_stale("CONF-2")


def test_an_expired_glob_fails_the_gate_and_marks_what_it_matches(sample_run: RunResult) -> None:
    assessment = _baseline(("CONF-*", "2026-01-31")).assess(sample_run, TODAY)
    assert assessment.is_expired("CONF-1") and not assessment.is_expired("LIST-3")
    assert assessment.exit_code(sample_run) == 1


@pytest.mark.parametrize("pattern", ["NOPE-*", "*-99", "[", ""])
def test_a_glob_matching_no_property_is_refused(tmp_path: Path, pattern: str) -> None:
    path = tmp_path / "known.json"
    path.write_text(f'[{{"id": "{pattern}", "reason": "r"}}]')
    with pytest.raises(UsageError, match="names no contract property: give an id such as SYNC-1"):
        Baseline.load(path)


README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")
def test_the_readme_documents_the_format_with_an_example_that_loads() -> None:
    text = README.read_text("utf-8")
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    entries = Baseline.parse(example, fmt="toml").entries
    assert [(e.property_id, e.expires) for e in entries] == [
        ("LIST-3", dt.date(2026, 6, 30)),
        ("CONF-*", None),
    ]
    assert "cogsync baseline init report.json > known.toml" in text
