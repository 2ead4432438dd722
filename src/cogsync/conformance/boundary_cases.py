"""The boundary cases, read off the contract's request schemas (``contracts/*Request.json``).

Nothing is listed by hand that the schemas say: every string member gets its minimum,
its maximum and one past each (and, for free text, the same counted in code points,
UTF-16 units and UTF-8 bytes where multi-byte and astral characters make them differ);
every pattern gets each of its allowed character ranges at both ends and the nearest
characters it forbids; every enum each value and near misses; every integer its
type's edges and one past; every required member goes missing; every body member gets
values of the wrong JSON types. Change a bound in a schema and the cases change with it
(``cases(schemas)`` takes the schemas as an argument for that reason).

What no schema says (the Content-Types SDKs send, bodies that are not a JSON object)
is listed in :data:`CONTENT_TYPES` and :data:`ODD_BODIES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from re import _parser as sre_parse  # type: ignore[attr-defined]  # the stdlib's own regex parser
from typing import Any

from cogsync.contracts.schemas import load_schema

#: The operations, in the order the phase runs them.
OPERATIONS = ("UpdateRecords", "ListRecords", "DescribeDataset", "DeleteDataset", "ListDatasets")

#: Multi-byte characters for free text: 2 UTF-8 bytes, 3 UTF-8 bytes (both one UTF-16
#: unit), and an astral one (4 UTF-8 bytes, two UTF-16 units).
TWO_BYTES, THREE_BYTES, ASTRAL = "\u00e9", "\u4e2d", "\U0001f600"

#: Every Content-Type an AWS SDK sends with a JSON body (None: the header left out).
#: The contract requires the first two to be accepted; the others are findings.
REQUIRED_CONTENT_TYPES = ("application/json", "application/x-amz-json-1.1")
CONTENT_TYPES: tuple[str | None, ...] = (
    *REQUIRED_CONTENT_TYPES, "application/x-amz-json-1.0", None,
    "application/json; charset=utf-8", "application/x-amz-json-1.1; charset=UTF-8",
)

#: UpdateRecords bodies that are not a JSON object: each must get a 4xx.
ODD_BODIES: tuple[tuple[str, bytes], ...] = (
    ("a body that is not JSON", b"{not json"),
    ("an empty body", b""),
    ("a JSON array", b"[]"),
    ("JSON null", b"null"),
    ("a JSON string", b'"RecordPatches"'),
    ("invalid UTF-8", b'{"SyncSessionToken": "\xff\xfe"}'),
)

#: A free-text member longer than this gets no multi-byte variants: its UTF-8 size
#: would pass the dataset byte limit, which then decides the answer, not the length.
MULTIBYTE_UP_TO = 65536


class _Absent:
    """The value of a member the case leaves out."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Case:
    """One request: ``operation`` with ``member`` (``RecordPatches[0].Key`` for a patch
    member) set to ``value`` (or :data:`ABSENT`), the rest valid."""

    operation: str
    member: str
    value: Any
    about: str

    @property
    def in_patch(self) -> bool:
        return self.member.startswith("RecordPatches[0].")

    @property
    def name(self) -> str:
        return self.member.removeprefix("RecordPatches[0].")


@dataclass(frozen=True)
class Member:
    operation: str
    path: str
    schema: Mapping[str, Any]
    required: bool

    @property
    def location(self) -> str:
        return str(self.schema.get("x-location", "body"))


def members(schemas: Mapping[str, Mapping[str, Any]]) -> Iterator[Member]:
    """Every member of every operation's request, patch members under ``RecordPatches[0].``."""
    for operation in OPERATIONS:
        schema = schemas[f"{operation}Request"]
        required = set(schema.get("required", ()))
        for name, fragment in schema["properties"].items():
            yield Member(operation, name, fragment, name in required)
            ref = fragment.get("items", {}).get("$ref", "")
            if ref:
                item = schema["$defs"][ref.rsplit("/", 1)[-1]]
                for inner, inner_fragment in item["properties"].items():
                    yield Member(operation, f"{name}[0].{inner}", inner_fragment,
                                 inner in set(item.get("required", ())))


def default_schemas() -> dict[str, Mapping[str, Any]]:
    return {f"{op}Request": load_schema(f"{op}Request") for op in OPERATIONS}


# -- patterns ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Run:
    """One piece of a pattern: a character set repeated ``low``..``high`` times."""

    ranges: tuple[tuple[int, int], ...]
    low: int
    high: int

    def allows(self, char: str) -> bool:
        return any(lo <= ord(char) <= hi for lo, hi in self.ranges)


_MAXREPEAT = sre_parse.MAXREPEAT


def _set_ranges(items: Any) -> tuple[tuple[int, int], ...]:
    ranges = []
    for op, arg in items:
        if op is sre_parse.LITERAL:
            ranges.append((arg, arg))
        elif op is sre_parse.RANGE:
            ranges.append(arg)
        else:
            raise ValueError(f"pattern item {op} is beyond what the boundary generator reads")
    return tuple(ranges)


def _runs(parsed: Any) -> list[_Run]:
    """The pattern as a sequence of runs (literals, sets, their repeats, groups)."""
    out: list[_Run] = []
    for op, arg in parsed:
        if op is sre_parse.SUBPATTERN:
            out += _runs(arg[-1])
        elif op is sre_parse.LITERAL:
            out.append(_Run(((arg, arg),), 1, 1))
        elif op is sre_parse.IN:
            out.append(_Run(_set_ranges(arg), 1, 1))
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
            low, high, inner = arg
            (one,) = _runs(inner)
            out.append(_Run(one.ranges, low, high if high is not _MAXREPEAT else 10**9))
        else:
            raise ValueError(f"pattern item {op} is beyond what the boundary generator reads")
    return out


class Pattern:
    """A full-match pattern read as runs, to build strings that match it (or miss by one character)."""

    def __init__(self, pattern: str):
        self.text = pattern.removeprefix("^").removesuffix("$")
        self.runs = _runs(sre_parse.parse(self.text))

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.text, value) is not None

    def build(self, length: int | None = None, *, at: int | None = None, char: str = "") -> str:
        """The shortest matching string (each run at its minimum, of its first character),
        stretched to ``length`` in its last open run; with ``char`` in run ``at``."""
        counts = [r.low for r in self.runs]
        if length is not None:
            for index in reversed(range(len(self.runs))):
                room = self.runs[index].high - counts[index]
                grow = min(room, max(0, length - sum(counts)))
                counts[index] += grow
        pieces = [chr(run.ranges[0][0]) * n for run, n in zip(self.runs, counts, strict=True)]
        if at is not None and counts[at]:
            pieces[at] = char + pieces[at][1:]
        return "".join(pieces)

    def edges(self) -> Iterator[tuple[int, str, bool]]:
        """(run, character, allowed): both ends of every allowed range, and the characters
        just outside them that the run forbids, plus one non-ASCII letter."""
        for index, run in enumerate(self.runs):
            if run.low == run.high == 1 and len(run.ranges) == 1 and run.ranges[0][0] == run.ranges[0][1]:
                continue  # a literal (the ':' of an id): its neighbours are another run's business
            seen: set[str] = set()
            for lo, hi in run.ranges:
                for code, allowed in ((lo, True), (hi, True), (lo - 1, False), (hi + 1, False)):
                    char = chr(code) if 0x20 <= code <= 0x7E else ""
                    if char and char not in seen and run.allows(char) == allowed:
                        seen.add(char)
                        yield index, char, allowed
            yield index, TWO_BYTES, False


# -- the cases ----------------------------------------------------------------------------------
def _string_cases(m: Member) -> Iterator[Case]:
    s = m.schema
    low, high = int(s.get("minLength", 0)), s.get("maxLength")
    if "enum" in s:
        for value in s["enum"]:
            yield Case(m.operation, m.path, value, f"enum value {value!r}")
            for miss in (value.capitalize(), value.upper(), value + " ", " " + value, value[:-1]):
                if miss not in s["enum"]:
                    yield Case(m.operation, m.path, miss, f"near miss {miss!r} of enum value {value!r}")
        return
    pattern = Pattern(s["pattern"]) if "pattern" in s else None
    if high is None and low == 0:
        return
    text = pattern.build if pattern else (lambda n: "x" * n)
    if low > 0:
        yield Case(m.operation, m.path, "", f"length {low - 1}, below the minimum {low}")
    shortest = text(low) if pattern is None else pattern.build()
    yield Case(m.operation, m.path, shortest, f"the shortest value, length {len(shortest)} (minimum {low})")
    if high is None:
        return
    yield Case(m.operation, m.path, text(high), f"length {high}, the maximum")
    yield Case(m.operation, m.path, text(high + 1), f"length {high + 1}, one past the maximum {high}")
    if pattern is None and high <= MULTIBYTE_UP_TO:
        yield from _unicode_lengths(m, high)


def _unicode_lengths(m: Member, high: int) -> Iterator[Case]:
    """The maximum in characters, where code points, UTF-16 units and UTF-8 bytes differ."""
    at = m.operation, m.path
    yield Case(*at, TWO_BYTES * high, f"{high} two-byte characters: at the maximum, {2 * high} UTF-8 bytes")
    yield Case(*at, THREE_BYTES * high, f"{high} three-byte characters: at the maximum, {3 * high} UTF-8 bytes")
    yield Case(*at, TWO_BYTES * (high + 1), f"{high + 1} two-byte characters: one past the maximum")
    half = high // 2
    yield Case(*at, ASTRAL * half, f"{half} astral characters: {2 * half} UTF-16 units, at most the maximum")
    yield Case(*at, ASTRAL * half + "x" * (high - 2 * half + 1),
               f"astral characters making {high + 1} UTF-16 units in {half + high - 2 * half + 1} code "
               "points: over the maximum only in UTF-16 (MAY)")
    yield Case(*at, ASTRAL * high, f"{high} astral characters: the maximum in code points, "
               f"{2 * high} UTF-16 units (MAY)")
    yield Case(*at, ASTRAL * (high + 1), f"{high + 1} astral characters: one past the maximum")


def _pattern_cases(m: Member) -> Iterator[Case]:
    pattern = Pattern(m.schema["pattern"])
    for run, char, allowed in pattern.edges():
        value = pattern.build(at=run, char=char)
        kind = "allowed" if allowed else "forbidden"
        yield Case(m.operation, m.path, value, f"{kind} character {char!r} (pattern {pattern.text})")


def _integer_cases(m: Member) -> Iterator[Case]:
    low, high = int(m.schema["minimum"]), int(m.schema["maximum"])
    kind = m.schema.get("format", "integer")
    for value, about in ((low - 1, f"one below the {kind} minimum"), (low, f"the {kind} minimum"),
                         (-1, "-1"), (0, "0"), (1, "1"), (high, f"the {kind} maximum"),
                         (high + 1, f"one past the {kind} maximum")):
        yield Case(m.operation, m.path, value, f"{value}: {about}")
    if m.location == "querystring":
        for text in ("1.5", "1e3", "abc", ""):
            yield Case(m.operation, m.path, text, f"{text!r}: not an integer, in the query string")


_WRONG_TYPES: dict[str, tuple[Any, ...]] = {
    "string": (7, True, ["x"], {"x": "y"}),
    "integer": ("1", 1.0, True, [1]),
    "number": ("1700000000", True, {"s": 1}),
    "array": ("x", {"x": 1}),
    "object": ("x", [1]),
}


def cases(schemas: Mapping[str, Mapping[str, Any]] | None = None) -> list[Case]:
    """Every boundary case of the request schemas (the committed ones by default)."""
    schemas = schemas or default_schemas()
    out: list[Case] = []
    patterns_done: set[tuple[str, str]] = set()
    for m in members(schemas):
        kind = m.schema.get("type")
        if m.required:
            out.append(Case(m.operation, m.path, ABSENT, "a required member left out"))
        if kind == "string":
            out += _string_cases(m)
            key = (m.path, m.schema.get("pattern", ""))
            if "pattern" in m.schema and key not in patterns_done:  # one operation is enough
                patterns_done.add(key)
                out += _pattern_cases(m)
        elif kind == "integer":
            out += _integer_cases(m)
        if m.location == "body" and kind in _WRONG_TYPES:
            out += [Case(m.operation, m.path, v, f"wrong JSON type: {type(v).__name__} {v!r}")
                    for v in _WRONG_TYPES[kind]]
    return out
