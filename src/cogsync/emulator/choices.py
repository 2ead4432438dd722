"""The emulator's pick at each point where the contract says MAY, as one frozen value.

docs/contract.md leaves some behaviour open (its MAY properties): the sources are silent
or disagree, so a correct server may go either way and the gate reports what it
saw as a finding, never a failure. The reference backend makes one choice at each
such point, and reads it from a :class:`Choices` passed to
``CognitoSyncBackend(..., choices=...)``: the very code ``cogsync serve`` runs, not
a copy of it.

- ``Choices()`` is the reference's behaviour (README, "The emulator's choices").
- :data:`FLIPPED` takes the other branch at every point. A server built on it is
  just as correct, so it proves the kit never fails a MAY choice; it is served by
  ``cogsync serve --choices flipped`` and by the WSGI factory
  :func:`cogsync.emulator.apps.flipped_app`
  (``cogsync verify --in-process cogsync.emulator.apps:flipped_app``).

Each field's metadata names the property it settles (``CHOICE_POINTS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from cogsync.errors import UsageError


def _point(property_id: str, doc: str, default: Any) -> Any:
    return field(default=default, metadata={"property": property_id, "doc": doc})


@dataclass(frozen=True)
class Choices:
    """One behaviour per MAY point; the defaults are the reference emulator's."""

    empty_write_bumps: bool = _point(
        "SYNC-6", "a write with no patches bumps the dataset count and creates a missing "
        "dataset (else it changes nothing)", False)
    sends_last_modified_by: bool = _point(
        "SYNC-7", "records and datasets carry LastModifiedBy: the DeviceId, else the "
        "IdentityId (else the member is left out)", True)
    ahead_count_conflicts: bool = _point(
        "CONF-7", "a SyncCount above the key's count (non-zero for a new key) is a 409 "
        "(else it is accepted)", True)
    removal_of_unknown_key_leaves_tombstone: bool = _point(
        "DEL-3", "removing a key that never existed stores a tombstone (else nothing)", True)
    tombstones_in_dataset_totals: bool = _point(
        "DEL-3", "tombstones count in NumRecords and DataStorage (their key bytes)", False)
    tombstones_in_limits: bool = _point(
        "LIM-4", "tombstones count against the record and byte limits", False)
    max_key_utf8_bytes: int | None = _point(
        "VAL-4", "keys longer than this many UTF-8 bytes are 400 (None: only the model's "
        "1024 characters)", None)
    duplicate_keys_last_wins: bool = _point(
        "VAL-4", "a key patched twice in one request is accepted, its last patch wins "
        "(else 400)", False)
    uppercase_hex_ids: bool = _point(
        "VAL-4", "identity (pool) ids may hold uppercase hex digits (else 400, as the "
        "pattern says)", False)
    refused_write_spends_token: bool = _point(
        "TOK-5", "a token whose write was refused by the rules (409, LimitExceeded) is "
        "spent (else it stays usable)", False)
    recreated_dataset_restarts_count: bool = _point(
        "DS-3", "a dataset written after DeleteDataset counts from 0 again (else from its "
        "count at deletion)", False)
    max_results: int = _point(
        "LIST-7", "default and largest page size of ListRecords and ListDatasets", 1024)
    max_results_below_one_is_default: bool = _point(
        "LIST-7", "maxResults below 1 reads as the default (else 400)", False)
    lengths_in_utf16_units: bool = _point(
        "VAL-4", "at a length limit an astral-plane character counts as two UTF-16 units "
        "(else as one code point)", False)

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.type in ("bool", bool) and not isinstance(value, bool):
                raise UsageError.bad_argument(spec.name, value, "True or False")
        if not _whole(self.max_results):
            raise UsageError.bad_argument("max_results", self.max_results,
                                          "a whole number of at least 1")
        if self.max_key_utf8_bytes is not None and not _whole(self.max_key_utf8_bytes):
            raise UsageError.bad_argument("max_key_utf8_bytes", self.max_key_utf8_bytes,
                                          "None or a whole number of at least 1")

    def page_size(self, requested: int | None) -> int:
        """How many items a page holds when ``requested`` (None: not asked) (LIST-7)."""
        return min(requested or self.max_results, self.max_results)

    def length(self, text: str) -> int:
        """``text``'s length as a length limit counts it (code points or UTF-16 units)."""
        if not self.lengths_in_utf16_units:
            return len(text)
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


REFERENCE = Choices()

#: The other branch at every MAY point (limit values unchanged).
FLIPPED = Choices(
    empty_write_bumps=True,
    sends_last_modified_by=False,
    ahead_count_conflicts=False,
    removal_of_unknown_key_leaves_tombstone=False,
    tombstones_in_dataset_totals=True,
    tombstones_in_limits=True,
    max_key_utf8_bytes=128,
    duplicate_keys_last_wins=True,
    uppercase_hex_ids=True,
    refused_write_spends_token=True,
    recreated_dataset_restarts_count=True,
    max_results=100,
    max_results_below_one_is_default=True,
    lengths_in_utf16_units=True,
)

#: ``cogsync serve --choices NAME``.
NAMED: dict[str, Choices] = {"reference": REFERENCE, "flipped": FLIPPED}

#: field name -> the MAY property it settles.
CHOICE_POINTS: dict[str, str] = {spec.name: spec.metadata["property"] for spec in fields(Choices)}
