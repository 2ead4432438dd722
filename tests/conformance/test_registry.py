"""The registry: every MUST and SHOULD id, one hop from its id, lacks nothing.

Each names its check and the function deciding it, the model's attribution rows,
a witness, the probes or phases aimed at it, the mutants that break it, and what
shows it; an id the kit cannot check yet says why. Every function it names is
where its dotted name says.
"""

from __future__ import annotations

import dataclasses
import importlib
import shlex

import pytest

from cogsync import cli
from cogsync.conformance import checks
from cogsync.contracts.properties import PROPERTIES, SECTIONS, Level
from cogsync.errors import UsageError
from cogsync.registry import ENTRIES, entry, gaps
from cogsync.registry.attribution import may_points, table_rows
from cogsync.registry.entries import dotted

IDS = [p.id for p in PROPERTIES]


def resolve(name: str) -> object:
    """What a person following ``name`` finds: import the longest module prefix, then walk."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise AssertionError(f"{name} names nothing importable")


def test_the_registry_has_one_entry_per_property_in_the_contracts_order():
    assert [e.id for e in ENTRIES] == IDS


@pytest.mark.parametrize("e", ENTRIES, ids=lambda e: e.id)
def test_no_must_or_should_id_lacks_anything(e):
    assert gaps(e) == [], f"{e.id} lacks {gaps(e)}"


@pytest.mark.parametrize("missing", ["check", "rows", "witness", "probes", "mutants", "showcase"])
def test_the_gap_check_sees_each_missing_piece(missing):
    e = entry("CONF-1")
    emptied = {"check": None, "rows": (), "witness": "", "probes": (), "mutants": (),
               "showcase": dataclasses.replace(e.showcase, code="", see="")}[missing]
    changes = {missing: emptied, **({"phases": ()} if missing == "probes" else {})}
    assert gaps(dataclasses.replace(e, **changes))


def test_ids_the_kit_cannot_check_say_why_and_how_to_see_them():
    unchecked = [e for e in ENTRIES if e.check is None]
    assert {e.id for e in unchecked} == set(checks.CANNOT_CHECK)
    for e in unchecked:
        assert e.property.conditional and e.cannot_check and e.showcase.see


@pytest.mark.parametrize("e", [e for e in ENTRIES if e.check is not None], ids=lambda e: e.id)
def test_every_function_named_is_where_its_dotted_name_says(e):
    named = [e.check.decider, e.runner, *(p.function for p in e.phases)]
    for function in named:
        assert resolve(dotted(function)) is function
        assert function.__doc__, f"{dotted(function)} says nothing to its reader"


def test_the_attribution_table_names_only_real_ids_and_every_row_one():
    rows = table_rows()
    assert len(rows) >= 45
    for text, ids in rows:
        assert text and ids and set(ids) <= set(IDS), (text, ids)
    assert {pid for pid, _ in may_points()} >= {p.id for p in PROPERTIES if p.level is Level.MAY}


def test_every_section_of_the_contract_has_a_title():
    assert list(SECTIONS) == list(dict.fromkeys(p.section for p in PROPERTIES))


@pytest.mark.parametrize("e", [e for e in ENTRIES if e.showcase.see], ids=lambda e: e.id)
def test_every_command_a_property_is_seen_with_parses(e):
    commands = [part for i, part in enumerate(e.showcase.see.split("`")) if i % 2 and part.startswith("cogsync ")]
    assert commands, e.showcase.see
    parser = cli.build_parser()
    for command in commands:
        args = parser.parse_args(shlex.split(command)[1:])
        assert args.command in cli.COMMANDS


@pytest.mark.parametrize(("asked", "found"), [("sync-1", "SYNC-1"), (" CONF-4 ", "CONF-4")])
def test_an_id_is_found_whatever_its_case(asked, found):
    assert entry(asked).id == found


@pytest.mark.parametrize(("asked", "close"), [("SYNC-9", "SYNC-"), ("conf1", "CONF-1"), ("TOKEN-2", "TOK-2")])
def test_an_unknown_id_is_one_line_naming_close_ids(asked, close):
    with pytest.raises(UsageError) as caught:
        entry(asked)
    message = str(caught.value)
    assert "\n" not in message and repr(asked) in message and close in message
    assert "cogsync explain --list" in message
