"""The property catalog holds exactly the contract's ids, with their levels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cogsync import UsageError
from cogsync.contracts import properties as P

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "CONTRACT.md"


def contract_rows() -> dict[str, str]:
    text = CONTRACT.read_text("utf-8")
    return dict(re.findall(r"^\| ([A-Z]+-\d+) \| (MUST|SHOULD|MAY) \|", text, re.M))


@pytest.mark.skipif(not CONTRACT.exists(), reason="shared/CONTRACT.md sits beside the checkout")
def test_catalog_and_contract_have_the_same_ids_and_levels():
    rows = contract_rows()
    assert len(rows) >= 40
    assert {p.id: p.level.value for p in P.PROPERTIES} == rows


def test_ids_are_unique_and_statements_are_ours():
    ids = [p.id for p in P.PROPERTIES]
    assert len(ids) == len(set(ids))
    for p in P.PROPERTIES:
        assert p.statement and p.source
        assert re.fullmatch(r"[A-Z]+-\d+", p.id)


def test_conditional_properties_say_when_they_apply():
    conditional = {p.id for p in P.PROPERTIES if p.conditional}
    assert conditional == {"ISO-2", "DUR-1"}
    assert all(P.get(pid).condition for pid in conditional)


def test_profiles_map_levels_to_severities():
    default, documented = P.profile("default"), P.profile("documented")
    assert default.severity("TOK-4") is P.Severity.FAIL
    assert documented.severity("TOK-4") is P.Severity.WARN
    assert documented.severity("SYNC-1") is P.Severity.FAIL
    assert default.severity("SYNC-6") is P.Severity.FINDING


def test_select_by_glob_and_skip():
    chosen = [p.id for p in P.select(["conf-*"], skip=["CONF-6"])]
    assert chosen == ["CONF-1", "CONF-2", "CONF-3", "CONF-4", "CONF-5", "CONF-7"]


def test_bad_selection_names_the_argument():
    with pytest.raises(UsageError, match="properties='NOPE-1'"):
        P.select(["NOPE-1"])
    with pytest.raises(ValueError, match="profile"):
        P.profile("strict")
