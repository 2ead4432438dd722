"""Choices: one named field per MAY point, FLIPPED the other branch at each, the README agrees."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.emulator.apps import flipped_app, reference_app
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.choices import (
    CHOICE_POINTS,
    FLIPPED,
    NAMED,
    REFERENCE,
    Choices,
)
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.errors import UsageError

README = Path(__file__).resolve().parents[2] / "README.md"
needs_readme = pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")


def readme_choice_rows() -> dict[str, str]:
    """Rows of the README's table of the emulator's choices: id -> choice."""
    text = README.read_text("utf-8")
    section = text.split("### The emulator's choices where the contract says MAY", 1)[1]
    section = section.split("\n## ", 1)[0]
    return dict(re.findall(r"^\| ([A-Z]+-\d+|lengths) \| (.+?) \|", section, re.MULTILINE))


def test_the_reference_is_the_default_backend() -> None:
    assert Choices() == REFERENCE == NAMED["reference"]
    assert CognitoSyncBackend().choices == REFERENCE


def test_flipped_takes_the_other_branch_at_every_point() -> None:
    same = [f.name for f in dataclasses.fields(Choices)
            if getattr(FLIPPED, f.name) == getattr(REFERENCE, f.name)]
    assert same == []
    assert NAMED["flipped"] is FLIPPED


@needs_readme
def test_every_choice_settles_a_may_property_and_every_may_point_of_the_readme_has_one() -> None:
    # MAY properties, and the two whose statement leaves one part open (docs/contract.md:
    # "What LastModifiedBy holds is MAY", "Whether the recreated dataset's sync count
    # restarts at 0 is MAY").
    may = {p.id for p in PROPERTIES if p.level is Level.MAY} | {"SYNC-7", "DS-3"}
    assert set(CHOICE_POINTS.values()) <= may
    assert {p.id for p in PROPERTIES if p.level is Level.MAY} - set(CHOICE_POINTS.values()) == set()
    rows = readme_choice_rows()
    assert set(rows) - {"lengths"} == set(CHOICE_POINTS.values())
    assert "lengths_in_utf16_units" in CHOICE_POINTS


@needs_readme
def test_the_readme_says_choices_and_flipped_exist() -> None:
    text = README.read_text("utf-8")
    assert "Choices" in text and "FLIPPED" in text
    assert "cogsync.emulator.apps:flipped_app" in text


@pytest.mark.parametrize(
    "changes, argument",
    [
        ({"max_results": 0}, "max_results"),
        ({"max_results": True}, "max_results"),
        ({"max_key_utf8_bytes": 0}, "max_key_utf8_bytes"),
        ({"empty_write_bumps": "yes"}, "empty_write_bumps"),
        ({"tombstones_in_limits": 1}, "tombstones_in_limits"),
    ],
)
def test_a_bad_choice_is_a_usage_error_naming_it(changes: dict[str, object], argument: str) -> None:
    with pytest.raises(UsageError, match=argument):
        Choices(**changes)  # type: ignore[arg-type]


def test_a_backend_refuses_anything_but_choices() -> None:
    with pytest.raises(UsageError, match="choices"):
        CognitoSyncBackend(choices={"empty_write_bumps": True})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "choices, requested, size",
    [(REFERENCE, None, 1024), (REFERENCE, 5000, 1024), (REFERENCE, 7, 7),
     (FLIPPED, None, 100), (FLIPPED, 1024, 100), (FLIPPED, 7, 7)],
)
def test_page_size_defaults_and_clamps(choices: Choices, requested: int | None, size: int) -> None:
    assert choices.page_size(requested) == size


def test_length_counts_code_points_or_utf16_units() -> None:
    text = "a\U0001f600é"
    assert REFERENCE.length(text) == 3
    assert FLIPPED.length(text) == 4


def test_the_factories_build_fresh_apps_on_their_choices() -> None:
    first, second = flipped_app(), flipped_app()
    assert isinstance(first, CognitoSyncApp) and first is not second
    assert first.backend.choices == FLIPPED and first.backend is not second.backend
    assert reference_app().backend.choices == REFERENCE
