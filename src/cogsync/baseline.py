"""Known deviations: a file of property ids a team has agreed to live with, for now.

A gate that fails on every known bug gets switched off; a baseline lets a team
adopt the gate before its server is perfect. Each entry names a property id or a
glob of ids (``CONF-*``, matched as ``--properties`` matches them), says why, and
may say until when (``expires``, inclusive). Read from JSON or TOML::

    # cogsync-baseline.toml
    [[known]]
    id = "LIST-3"
    reason = "we answer 200 with no records; fix tracked in #42"
    expires = 2026-06-30

    // cogsync-baseline.json: a list of entries, or {"known": [entries]}
    [{"id": "LIST-3", "reason": "...", "expires": "2026-06-30"}]

What the gate makes of it (:meth:`Baseline.assess`): a baselined property that
fails (or warns) is *known* and does not fail the gate; an entry past its expiry
date fails the gate, whatever the property did, so the file cannot rot quietly; an
entry whose properties pass is *stale* (reported, so someone deletes it). Where a
property matches several entries, its own id beats a glob, then the first listed wins.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cogsync.conformance.results import RunResult, Status, exit_status
from cogsync.contracts.properties import BY_ID, PROPERTIES
from cogsync.errors import UsageError

ENTRY_KEYS = frozenset({"id", "reason", "expires"})
#: Statuses a baseline entry turns into "known": the breaches.
KNOWN_STATUSES = frozenset({Status.FAIL, Status.WARN})
#: Statuses under which a covered property keeps an entry from being stale.
NOT_STALE_STATUSES = KNOWN_STATUSES | {Status.INCONCLUSIVE}


@dataclass(frozen=True)
class BaselineEntry:
    property_id: str  # an id (SYNC-1) or a glob of ids (CONF-*), upper case
    reason: str
    expires: dt.date | None = None

    @property
    def is_glob(self) -> bool:
        return any(c in self.property_id for c in "*?[")

    def covers(self, property_id: str) -> bool:
        """Does this entry name ``property_id``, itself or through its glob?"""
        return fnmatch.fnmatchcase(property_id.upper(), self.property_id)

    def expired(self, today: dt.date) -> bool:
        """An entry is good through its ``expires`` day and expired the day after."""
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        until = f" (expires {self.expires.isoformat()})" if self.expires else ""
        return f"{self.property_id}: {self.reason}{until}"


@dataclass(frozen=True)
class Assessment:
    """What a baseline makes of one run."""

    known: dict[str, BaselineEntry] = field(default_factory=dict)
    stale: tuple[BaselineEntry, ...] = ()
    expired: tuple[BaselineEntry, ...] = ()

    def is_stale(self, property_id: str) -> bool:
        return any(e.covers(property_id) for e in self.stale)

    def is_expired(self, property_id: str) -> bool:
        return any(e.covers(property_id) for e in self.expired)

    def exit_code(self, run: RunResult) -> int:
        """The gate's exit status: run.exit_code with known breaches forgiven, expiries enforced."""
        if self.expired:
            return 1
        return exit_status(r for pid, r in run.results.items() if pid not in self.known)

    def messages(self) -> list[str]:
        """One line per expired or stale entry, saying what to do about it."""
        lines = [
            f"baseline entry {e.property_id} expired on {e.expires}: fix the deviation, "
            f"or renew the entry with a new date ({e.reason})"
            for e in self.expired
        ]
        lines += [
            f"baseline entry {e.property_id} is stale: the property passes now; "
            f"remove the entry ({e.reason})"
            for e in self.stale
        ]
        return lines


NO_BASELINE = Assessment()


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]
    source: str = "<baseline>"

    @classmethod
    def load(cls, path: str | Path) -> Baseline:
        """Read a JSON or TOML baseline file; the extension decides, else JSON then TOML."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"baseline={str(path)!r} cannot be read: {exc.strerror or exc}."
            ) from None
        fmt = {".json": "json", ".toml": "toml"}.get(path.suffix.lower())
        return cls.parse(text, fmt=fmt, source=str(path))

    @classmethod
    def parse(cls, text: str, *, fmt: str | None = None, source: str = "<baseline>") -> Baseline:
        data = _decode(text, fmt, source)
        if isinstance(data, Mapping):
            unknown = set(data) - {"known"}
            if unknown:
                raise _bad(
                    source, f"unknown top-level keys {sorted(unknown)}; entries go under 'known'"
                )
            data = data.get("known", [])
        if not isinstance(data, list):
            raise _bad(source, "expected a list of entries (JSON) or [[known]] tables (TOML)")
        entries = [_entry(item, index, source) for index, item in enumerate(data)]
        seen: set[str] = set()
        for entry in entries:
            if entry.property_id in seen:
                raise _bad(source, f"{entry.property_id} is listed twice")
            seen.add(entry.property_id)
        return cls(tuple(entries), source)

    def entry_for(self, property_id: str) -> BaselineEntry | None:
        """The entry that speaks for ``property_id``: its own id first, then the first glob."""
        exact = [e for e in self.entries if not e.is_glob and e.covers(property_id)]
        globs = [e for e in self.entries if e.is_glob and e.covers(property_id)]
        return (exact + globs)[0] if exact or globs else None

    def assess(self, run: RunResult, today: dt.date | None = None) -> Assessment:
        today = today or dt.date.today()
        expired = tuple(e for e in self.entries if e.expired(today))
        known: dict[str, BaselineEntry] = {}
        for pid, result in run.results.items():
            entry = self.entry_for(pid)
            if entry is not None and not entry.expired(today) and result.status in KNOWN_STATUSES:
                known[pid] = entry
        stale: list[BaselineEntry] = []
        for entry in self.entries:
            covered = [r for pid, r in run.results.items() if entry.covers(pid)]
            if not covered or entry.expired(today):
                continue  # not checked in this run, or no longer forgiven
            statuses = {r.status for r in covered}
            if Status.PASS in statuses and not statuses & NOT_STALE_STATUSES:
                stale.append(entry)
        return Assessment(known=known, stale=tuple(stale), expired=expired)


def _decode(text: str, fmt: str | None, source: str) -> Any:
    attempts: Iterable[str] = (fmt,) if fmt else ("json", "toml")
    errors = []
    for kind in attempts:
        try:
            return json.loads(text) if kind == "json" else tomllib.loads(text)
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"{kind}: {exc}")
    raise _bad(source, "not valid " + "; not valid ".join(errors))


def _entry(item: Any, index: int, source: str) -> BaselineEntry:
    where = f"entry {index + 1}"
    if not isinstance(item, Mapping):
        raise _bad(source, f"{where} is {item!r}, not a table with id and reason")
    unknown = set(item) - ENTRY_KEYS
    if unknown:
        raise _bad(
            source, f"{where} has unknown keys {sorted(unknown)}; allowed: id, reason, expires"
        )
    pid = item.get("id")
    if not isinstance(pid, str) or not _names_a_property(pid):
        raise _bad(
            source,
            f"{where} has id={pid!r}, which names no contract property: give an id such as "
            "SYNC-1 or a glob matching some, such as CONF-*",
        )
    reason = item.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _bad(source, f"{where} ({pid}) needs a reason: say why the deviation is accepted")
    return BaselineEntry(
        pid.strip().upper(), reason.strip(), _date(item.get("expires"), where, source)
    )


def _names_a_property(pattern: str) -> bool:
    pattern = pattern.strip().upper()
    if pattern in BY_ID:
        return True
    return bool(pattern) and any(fnmatch.fnmatchcase(p.id, pattern) for p in PROPERTIES)


def _date(value: Any, where: str, source: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _bad(source, f"{where} has expires={value!r}; expires must be a date YYYY-MM-DD")


def _bad(source: str, problem: str) -> UsageError:
    return UsageError(f"baseline={source!r} is not a valid baseline: {problem}.")


# --- writing a baseline -------------------------------------------------------------------

TOML_HEADER = """\
# Known deviations that 'cogsync verify --baseline FILE' forgives.
# Each [[known]] entry: id (a property id, or a glob of ids such as "CONF-*"), reason
# (why the deviation is accepted for now) and, optionally, expires = YYYY-MM-DD: past that
# day the entry fails the gate, so add one to make sure somebody looks again.
"""


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's, DEL aside)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_comment(text: str) -> str:
    """``text`` fit for a ``#`` comment: one line, no control characters, indentation kept."""
    indent = len(text) - len(text.lstrip(" "))
    return " " * indent + " ".join("".join(c if c.isprintable() else " " for c in text).split())


def to_toml(entries: Iterable[tuple[BaselineEntry, list[str]]], *, header: str = "") -> str:
    """A TOML baseline: each entry under its comment lines; reads back with :meth:`Baseline.parse`."""
    blocks = [TOML_HEADER + "".join(f"# {toml_comment(line)}\n" for line in header.splitlines())]
    for entry, comments in entries:
        lines = [f"# {toml_comment(c)}" for c in comments]
        lines += ["[[known]]", f"id = {toml_string(entry.property_id)}",
                  f"reason = {toml_string(entry.reason)}"]
        if entry.expires is not None:
            lines.append(f"expires = {entry.expires.isoformat()}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
