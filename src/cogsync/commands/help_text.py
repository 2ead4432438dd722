"""Help text for people, not for Sphinx: module docstrings turned into plain text.

The sub-commands' help comes from their module docstrings, which are written in
reStructuredText for the API docs (````--port 0````, ``:mod:`x```). A terminal shows
that markup literally, so it is stripped here, and the formatter wraps prose by
paragraph while leaving indented lines (examples, lists) exactly as written.
"""

from __future__ import annotations

import argparse
import re
import textwrap

_ROLE = re.compile(r":[\w:.-]+:`~?\.?([^`<]*?)(?:\s*<[^>]*>)?`")  # :mod:`x`, :func:`~a.b`
_LITERAL = re.compile(r"``(.+?)``", re.S)  # ``code``
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]+>`_{1,2}")  # `text <url>`_
_INTERPRETED = re.compile(r"`([^`]+)`_{0,2}")  # `x`, `x`_
_DIRECTIVE = re.compile(r"^\s*\.\. .*$", re.M)  # .. note:: and the like


def plain_text(doc: str | None) -> str:
    """``doc`` without reStructuredText markup: literals in quotes, roles as their text."""
    if not doc:
        return ""
    text = textwrap.dedent(_first_line_dedented(doc)).strip()
    text = _DIRECTIVE.sub("", text)
    text = _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1] if "~" in m.group(0) else m.group(1), text)
    text = _LITERAL.sub(lambda m: f"'{m.group(1)}'", text)
    text = _LINK.sub(r"\1", text)
    text = _INTERPRETED.sub(r"\1", text)
    return re.sub(r"::$", ":", text, flags=re.M)


def first_line(doc: str | None) -> str:
    """The summary line of a docstring, as plain text."""
    text = plain_text(doc)
    return text.splitlines()[0] if text else ""


def _first_line_dedented(doc: str) -> str:
    # A docstring's first line carries no indentation while the rest does: dedent the rest.
    head, _, rest = doc.lstrip("\n").partition("\n")
    return head.strip() + "\n" + textwrap.dedent(rest)


class HelpFormatter(argparse.HelpFormatter):
    """Wraps each paragraph of a description or epilog; indented lines stay as written."""

    def __init__(self, prog: str, **kwargs: object) -> None:
        kwargs.setdefault("max_help_position", 30)
        super().__init__(prog, **kwargs)  # type: ignore[arg-type]

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        prose: list[str] = []

        def flush() -> None:
            if prose:
                out.append(textwrap.fill(" ".join(prose), width, initial_indent=indent,
                                         subsequent_indent=indent))
                prose.clear()

        for line in text.splitlines():
            if not line.strip():
                flush()
                out.append("")
            elif line[0].isspace():
                flush()
                out.append(indent + line)
            else:
                prose.append(line.strip())
        flush()
        return "\n".join(out)
