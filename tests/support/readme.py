"""The README's fenced code blocks, as the tests that run them see them.

Every fenced block of README.md is run by a test, or says in its first line why it is
not: ``# not run by the tests: <reason>``. The marker is a comment inside the block, so a
reader sees it where the command is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
NOT_RUN = re.compile(r"#\s*not run by the tests:\s*(?P<reason>\S.*)")
_EXPECTED_EXIT = re.compile(r"#\s*(?P<code>\d):")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, its text, where it starts and the section it is in."""

    lang: str
    code: str
    line: int
    section: str

    @property
    def not_run_reason(self) -> str | None:
        first = self.code.lstrip("\n").splitlines()[0] if self.code.strip() else ""
        match = NOT_RUN.fullmatch(first.strip())
        return match.group("reason") if match else None

    def __str__(self) -> str:
        return f"README.md line {self.line} ({self.lang or 'no language'}, section {self.section!r})"


def blocks(text: str | None = None) -> list[Block]:
    """Every fenced block of the README, in order, with the heading it sits under."""
    text = README.read_text("utf-8") if text is None else text
    found: list[Block] = []
    section, lang, start, code = "", None, 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if lang is None and line.startswith("```"):
            lang, start, code = line[3:].strip(), number, []
        elif lang is not None and line.startswith("```"):
            found.append(Block(lang, "".join(f"{c}\n" for c in code), start, section))
            lang = None
        elif lang is not None:
            code.append(line)
        elif re.match(r"#{1,3} ", line):
            section = line.lstrip("#").strip()
    return found


@dataclass(frozen=True)
class Command:
    """One shell command of a block (backslash continuations joined) and the exit status
    its comment promises (``# 1: reproduced``), 0 when it promises none."""

    text: str
    expected_exit: int
    line: int


def commands(block: Block) -> list[Command]:
    found: list[Command] = []
    pending = ""
    start = 0
    for number, raw in enumerate(block.code.splitlines(), start=block.line + 1):
        line = raw.rstrip()
        if not pending:
            start = number
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole = pending + line
        pending = ""
        command, _, comment = whole.partition(" # ")
        promised = _EXPECTED_EXIT.match("# " + comment.strip()) if comment else None
        found.append(Command(command.strip(), int(promised.group("code")) if promised else 0, start))
    return found
