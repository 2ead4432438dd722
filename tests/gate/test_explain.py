"""`cogsync explain`: one property from the registry, every id in a list, the whole contract.

An unknown id is a usage error: one line on stderr naming close ids, exit 3. Every
help text that cites the contract points at docs/contract.md, never at a file
outside the repository.
"""

from __future__ import annotations

import re

import pytest

from cogsync import cli
from cogsync.contracts.properties import PROPERTIES
from cogsync.registry import entry, render
from cogsync.registry.entries import dotted


def test_explain_prints_everything_the_registry_knows_of_one_property(cogsync_cli, capsys):
    assert cogsync_cli("explain", "conf-4") == 0
    out = capsys.readouterr().out
    e = entry("CONF-4")
    assert out.startswith("CONF-4  MUST  in 4. Conflicts")
    flat = " ".join(out.split())
    for piece in (e.property.statement, e.property.source, e.check.how, dotted(e.runner), dotted(e.decider),
                  *e.rows, e.witness, *(p.name for p in e.probes), *(m.name for m in e.mutants),
                  "docs/contract.md#conf-4"):
        assert " ".join(piece.split()) in flat, piece
    assert out.rstrip().endswith(e.showcase.program().rstrip())  # the program to paste, whole


def test_explain_code_prints_the_program_alone(cogsync_cli, capsys):
    assert cogsync_cli("explain", "LIST-4", "--code") == 0
    program = capsys.readouterr().out
    assert program == entry("LIST-4").showcase.program()
    compile(program, "show.py", "exec")


@pytest.mark.parametrize("pid", ["CONF-6", "ISO-2", "DUR-1"])
def test_what_no_sequence_shows_names_the_command_that_does(pid, cogsync_cli, capsys):
    assert cogsync_cli("explain", pid) == 0
    out = capsys.readouterr().out
    assert "Shown by:" in out and "`cogsync " in out and "import boto3" not in out
    assert cogsync_cli("explain", pid, "--code") == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"cogsync explain {pid}" in err[0]


def test_explain_list_has_every_id_its_level_and_one_line(cogsync_cli, capsys):
    assert cogsync_cli("explain", "--list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [[p.id, p.level.value] for p in PROPERTIES]
    assert all(len(line) <= 100 for line in lines)


def test_explain_markdown_is_the_contract_document(cogsync_cli, capsys):
    assert cogsync_cli("explain", "--markdown") == 0
    assert capsys.readouterr().out == render.markdown()


@pytest.mark.parametrize(("argv", "fragment"), [
    (["SYNC-9"], "did you mean SYNC-"),
    (["conf1"], "CONF-1"),
    (["nope"], "cogsync explain --list"),
    ([], "needs a property ID"),
    (["--list", "SYNC-1"], "--list takes no ID"),
])
def test_usage_errors_are_one_line_and_exit_3(argv, fragment, cogsync_cli, capsys):
    assert cogsync_cli("explain", *argv) == 3
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cogsync: error: ") and fragment in err[0]
    assert captured.out == "" and "Traceback" not in captured.err


@pytest.mark.parametrize("command", [None, *cli.COMMANDS])
def test_every_help_text_citing_the_contract_points_at_docs_contract_md(command, cogsync_cli, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    assert cogsync_cli(*argv) == 0
    text = capsys.readouterr().out
    assert "CONTRACT.md" not in text and "shared/" not in text
    cites = re.search(r"\bthe contract\b|\bLIM-|\bMAY points\b", text)
    if cites:
        assert "docs/contract.md" in text, f"`cogsync {command} --help` cites the contract: {cites[0]!r}"
    if command in ("serve", "verify", "explain"):
        assert cites, f"`cogsync {command} --help` should cite the contract"
