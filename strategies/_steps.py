"""The steps of a program: who acts (identities) and what one device does (steps, edits).

Split from :mod:`._program` so that :mod:`._device`, which carries out a step, and
:class:`~._program.Scenario`, which runs its devices, do not import each other.
Every type here is a frozen dataclass whose repr is the shortest constructor call
that builds it again (defaults left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cogsync.errors import UsageError
from cogsync.strategies._fields import RECORD_VALUE_MAX


def _constructor(name: str, positional: tuple[Any, ...], keywords: dict[str, Any]) -> str:
    """``Name(p1, p2, k=v)``: the arguments that differ from the defaults, as code."""
    parts = [repr(value) for value in positional]
    parts += [f"{key}={value!r}" for key, value in keywords.items()]
    return f"{name}({', '.join(parts)})"


#: What a step can do.
#: ``list``: ListRecords since the device's last sync count (all pages).
#: ``write``: UpdateRecords of the step's edits, presenting each key's sync count as
#: the device last saw it; lists first if the device holds no unspent token.
#: ``sync``: list, then write (what the SDKs' ``synchronize`` does).
#: ``describe``, ``delete``: DescribeDataset, DeleteDataset.
#: ``list_datasets``: ListDatasets (all pages).
ACTIONS: tuple[str, ...] = ("write", "sync", "list", "describe", "delete", "list_datasets")


@dataclass(frozen=True)
class Identity:
    """One (identity pool, identity) pair: the unit of isolation (ISO-1)."""

    pool_id: str
    identity_id: str

    def __repr__(self) -> str:
        return _constructor("Identity", (self.pool_id, self.identity_id), {})


@dataclass(frozen=True)
class Edit:
    """A change a device wants to make to one key; the device adds the SyncCount.

    ``value`` None means remove. ``date`` is sent as DeviceLastModifiedDate (epoch
    seconds). ``offset`` is added to the count the device last saw, on the first
    attempt only: -1 writes stale on purpose, +1 ahead of the server (CONF-7).
    """

    key: str
    value: str | None = None
    date: float | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.key, str):
            raise UsageError.bad_argument("key", self.key, "a string")
        if self.value is not None and not isinstance(self.value, str):
            raise UsageError.bad_argument("value", self.value, "a string, or None to remove")
        if not isinstance(self.offset, int) or isinstance(self.offset, bool):
            raise UsageError.bad_argument("offset", self.offset, "a whole number")

    @property
    def op(self) -> str:
        return "remove" if self.value is None else "replace"

    def __repr__(self) -> str:
        positional = (self.key,) if self.value is None else (self.key, self.value)
        keywords: dict[str, Any] = {}
        if self.date is not None:
            keywords["date"] = self.date
        if self.offset:
            keywords["offset"] = self.offset
        return _constructor("Edit", positional, keywords)


@dataclass(frozen=True)
class Bulk:
    """``count`` generated records (keys ``<prefix>00000``...) whose keys and values
    together hold exactly ``total_bytes`` UTF-8 bytes: limit pressure in a few words."""

    count: int
    total_bytes: int
    prefix: str = "bulk"

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or not (
            1 <= self.count <= 99_999
        ):
            raise UsageError.bad_argument("count", self.count, "a whole number from 1 to 99999")
        key_bytes = sum(len(k.encode("utf-8")) for k in self.keys())
        most = key_bytes + self.count * RECORD_VALUE_MAX
        if not isinstance(self.total_bytes, int) or not key_bytes <= self.total_bytes <= most:
            raise UsageError.bad_argument(
                "total_bytes", self.total_bytes,
                f"a whole number from {key_bytes} (the keys alone) to {most}",
            )

    def __repr__(self) -> str:
        keywords = {} if self.prefix == "bulk" else {"prefix": self.prefix}
        return _constructor("Bulk", (self.count, self.total_bytes), keywords)

    def keys(self) -> list[str]:
        return [f"{self.prefix}{index:05d}" for index in range(self.count)]

    def edits(self) -> tuple[Edit, ...]:
        keys = self.keys()
        value_bytes = self.total_bytes - sum(len(k.encode("utf-8")) for k in keys)
        share, extra = divmod(value_bytes, self.count)
        return tuple(
            Edit(key, "v" * (share + (1 if index < extra else 0)))
            for index, key in enumerate(keys)
        )


@dataclass(frozen=True)
class Step:
    """One thing device number ``device`` does; see :data:`ACTIONS`.

    ``edits`` and ``bulk`` (for write and sync) are the changes; ``max_results``
    sets the page size of any listing the step makes (None: the server's default).
    """

    device: int
    action: str
    dataset: str | None = None
    edits: tuple[Edit, ...] = ()
    bulk: Bulk | None = None
    max_results: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.device, int) or isinstance(self.device, bool) or self.device < 0:
            raise UsageError.bad_argument("device", self.device, "a device number (0 or more)")
        if self.action not in ACTIONS:
            raise UsageError.bad_argument("action", self.action, "one of " + ", ".join(ACTIONS))
        if self.action != "list_datasets" and not isinstance(self.dataset, str):
            raise UsageError.bad_argument(
                "dataset", self.dataset, f"a dataset name (action {self.action!r} needs one)"
            )
        if (self.edits or self.bulk) and self.action not in ("write", "sync"):
            raise UsageError.bad_argument(
                "edits", self.edits, f"empty: action {self.action!r} writes nothing"
            )
        if self.max_results is not None and (
            not isinstance(self.max_results, int) or self.max_results < 1
        ):
            raise UsageError.bad_argument(
                "max_results", self.max_results, "None or a whole number of at least 1"
            )

    def __repr__(self) -> str:
        positional: tuple[Any, ...] = (self.device, self.action)
        if self.dataset is not None:
            positional += (self.dataset,)
        keywords: dict[str, Any] = {}
        if self.edits:
            keywords["edits"] = self.edits
        if self.bulk is not None:
            keywords["bulk"] = self.bulk
        if self.max_results is not None:
            keywords["max_results"] = self.max_results
        return _constructor("Step", positional, keywords)

    def all_edits(self) -> tuple[Edit, ...]:
        """The step's edits followed by those its bulk expands to."""
        return self.edits + (self.bulk.edits() if self.bulk else ())

    def describe(self) -> str:
        """One line for a human: ``device 1 write 'a': replace 'k'='v', remove 'j'``."""
        parts = [f"device {self.device} {self.action}"]
        if self.dataset is not None:
            parts.append(repr(self.dataset))
        changes = [
            f"remove {e.key!r}" if e.value is None else f"replace {e.key!r}={_short(e.value)}"
            for e in self.edits
        ]
        if self.bulk:
            changes.append(f"{self.bulk.count} bulk records, {self.bulk.total_bytes} bytes")
        text = " ".join(parts)
        if changes:
            text += ": " + ", ".join(changes)
        if self.max_results is not None:
            text += f" (pages of {self.max_results})"
        return text


def _short(value: str, limit: int = 24) -> str:
    return repr(value) if len(value) <= limit else f"<{len(value)} characters>"
