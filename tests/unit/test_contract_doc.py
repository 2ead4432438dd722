"""docs/contract.md is what the registry renders now, and the README points at it.

Regenerate with ``python -m cogsync.registry --write docs/contract.md`` after changing
a property, a check, a witness, a probe, a mutant or a showcase.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cogsync.contracts.properties import PROPERTIES, SECTIONS
from cogsync.registry import render
from cogsync.registry.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "contract.md"
README = ROOT / "README.md"
from_checkout = pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")


@from_checkout
def test_the_committed_contract_is_not_stale():
    assert DOC.exists(), f"no {DOC}: run `{render.GENERATE}`"
    assert DOC.read_text("utf-8") == render.markdown(), f"docs/contract.md is stale: run `{render.GENERATE}`"


def test_the_check_mode_tells_a_stale_file(tmp_path, capsys):
    doc = tmp_path / "contract.md"
    assert main(["--write", str(doc)]) == 0
    assert main(["--check", str(doc)]) == 0
    doc.write_text(doc.read_text("utf-8").replace("**MUST.**", "**MAY.**", 1), "utf-8")
    assert main(["--check", str(doc)]) == 1
    assert render.GENERATE in capsys.readouterr().err


def test_the_document_groups_every_property_by_section_in_the_contracts_order():
    text = render.markdown()
    headings = re.findall(r"^## (\d.*)$|^### ([A-Z]+-\d+)$", text, re.M)
    sections = [s for s, _ in headings if s]
    ids = [pid for _, pid in headings if pid]
    assert sections == list(SECTIONS.values())
    assert ids == [p.id for p in PROPERTIES]
    for p in PROPERTIES:
        assert f"**{p.level.value}.** {p.statement}" in text


@from_checkout
def test_the_readme_links_the_contract_inside_the_repository():
    text = README.read_text("utf-8")
    assert "](docs/contract.md)" in text
    assert "shared/CONTRACT.md" not in text and "../shared" not in text
    assert f"{len(PROPERTIES)} properties" in text
    assert render.GENERATE in text
