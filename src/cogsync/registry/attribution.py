"""The model's attribution table, read as data: what the server did -> the property blamed.

The table lives in the docstring of :mod:`cogsync.contracts.model`, where whoever
changes the model reads it; the registry shows each property's rows from there
rather than keeping a second copy. A row starting with ``...`` narrows the row
before it; ``LIM-1/2/3`` names three ids. The MAY points paragraph below the table
gives the MAY ids (and the MAY parts of others) their rows.
"""

from __future__ import annotations

import re

from cogsync.contracts import model

_ID = re.compile(r"\b([A-Z]+)-(\d+(?:/\d+)*)\b")


def _ids(column: str) -> list[str]:
    """``LIM-1/2/3`` -> LIM-1, LIM-2, LIM-3."""
    return [f"{prefix}-{n}" for prefix, numbers in _ID.findall(column) for n in numbers.split("/")]


def table_rows(doc: str | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """(what the server did, the ids it is blamed on), one per row of the table."""
    lines = (model.__doc__ if doc is None else doc or "").splitlines()
    bars = [i for i, line in enumerate(lines) if line.startswith("====")]
    if len(bars) < 3:
        return []
    width = len(lines[bars[0]].split("  ")[0])
    rows: list[tuple[str, tuple[str, ...]]] = []
    base = ""
    for line in lines[bars[1] + 1 : bars[2]]:
        text, ids = line[:width].rstrip(), tuple(_ids(line[width:]))
        if text.startswith("... "):
            text = f"{base}, {text[4:]}"
        else:
            base = text
        rows.append((text, ids))
    return rows


def may_points(doc: str | None = None) -> list[tuple[str, str]]:
    """(id, the choice it leaves open) from the model's MAY points paragraph."""
    text = model.__doc__ if doc is None else doc or ""
    start = text.find("MAY points")
    if start < 0:
        return []
    paragraph = " ".join(text[start:].split("\n\n", 1)[0].split())
    paragraph = paragraph.split(":", 1)[1]
    points = []
    for match in re.finditer(r"\b([A-Z]+-\d+) \(", paragraph):
        depth, end = 1, match.end()
        while end < len(paragraph) and depth:
            depth += {"(": 1, ")": -1}.get(paragraph[end], 0)
            end += 1
        points.append((match.group(1), paragraph[match.end() : end - 1]))
    return points


def rows_for(property_id: str) -> tuple[str, ...]:
    """Every row blaming ``property_id``, then its MAY points (prefixed ``MAY:``)."""
    found = [text for text, ids in table_rows() if property_id in ids]
    found += [f"MAY: {choice}" for pid, choice in may_points() if pid == property_id]
    return tuple(found)
