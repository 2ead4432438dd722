"""The model's state: immutable, hashable candidate worlds with structural sharing.

A linearizability checker memoizes (linearized set, belief) pairs over long
histories, so every node here is immutable, hashes once (the hash is cached) and
compares hash-first. Maps are :class:`FrozenMap` (a dict under a read-only face):
an update copies one map and shares every unchanged node below it.

Shape of a world::

    World
      identities: FrozenMap[(pool, identity) -> IdentityState]   (ISO-1: nothing shared)
      policies:   Policies          (MAY choices the server was seen to make)
    IdentityState
      datasets:   FrozenMap[name -> Slot]
      pages:      FrozenMap[nextToken -> PageBinding]   (ListDatasets pagination)
    Slot                            (one (pool, identity, dataset) scope)
      dataset:    DatasetState
      tokens:     FrozenMap[SyncSessionToken -> status]
      pages:      FrozenMap[nextToken -> PageBinding]   (ListRecords pagination)
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

#: How many SyncSessionTokens (and, separately, nextTokens) the model remembers per
#: scope. Older ones are forgotten, and a token the model cannot place is then judged
#: leniently (either answer) instead of as made up: memory stays bounded on 10k-call
#: histories, and no client keeps hundreds of tokens alive.
TOKEN_MEMORY = 256
PAGE_MEMORY = 64

# Token statuses.
LIVE = "live"  # issued by a listing, not yet carried by a successful write
SPENT = "spent"  # carried a successful write (TOK-4)
DOUBTFUL = "doubtful"  # carried a refused write, or its dataset was deleted (TOK-5: MAY)
MAYBE = "maybe"  # carried a write whose outcome is unknown (live or spent: either answer)


def value_node(cls: type[T]) -> type[T]:
    """Give a frozen dataclass (``eq=False``) a hash computed once and a hash-first equality."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def key(self: Any) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in names)

    def __hash__(self: Any) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(key(self))
            object.__setattr__(self, "_hash", cached)
        return int(cached)

    def __eq__(self: Any, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return hash(self) == hash(other) and key(self) == key(other)

    cls.__hash__ = __hash__  # type: ignore[assignment]
    cls.__eq__ = __eq__  # type: ignore[assignment]
    cls._node_field_set = frozenset(names)  # type: ignore[attr-defined]
    return cls


#: What a value node caches in its ``__dict__`` beside its fields (never copied).
_CACHED = ("_hash", "_usage", "_accepted")


def replace(node: T, **changes: Any) -> T:
    """``dataclasses.replace`` for value nodes, minus its per-call introspection (the
    model makes several copies per judged answer). The copy starts without the
    original's cached values (:data:`_CACHED`), as a new node must."""
    cls = node.__class__
    names = getattr(cls, "_node_field_set", None)
    if names is None:
        return dataclasses.replace(node, **changes)  # type: ignore[type-var]
    if not changes.keys() <= names:
        raise TypeError(f"{cls.__name__} has no field(s) {sorted(changes.keys() - names)}")
    copied = node.__dict__.copy()
    if len(copied) > len(names):
        for cached in _CACHED:
            copied.pop(cached, None)
    copied.update(changes)
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", copied)
    return new


class FrozenMap(Generic[K, V]):
    """An immutable mapping with an order-independent hash, cheap to keep as it changes.

    The hash is the XOR of its items' hashes. A copy with a few items set or removed
    remembers the nearest ancestor whose hash is known and what changed since (``_delta``:
    base hash, the base's items taken out, the items put in), so its hash costs
    O(changes), and a value replaced again before anyone asks for the hash is never
    hashed at all: the model copies a scope's token map (up to :data:`TOKEN_MEMORY`
    entries) and the maps above it several times per judged answer, and hashes only
    the last. Equality still compares the items: a collision costs a comparison, never
    a wrong answer.
    """

    __slots__ = ("_d", "_delta", "_hash", "get")

    def __init__(self, items: Iterable[tuple[K, V]] | dict[K, V] = ()) -> None:
        self._d: dict[K, V] = dict(items)
        self._hash: int | None = None
        self._delta: tuple[int, dict[K, V], dict[K, V]] | None = None
        #: ``get(key, default=None)``: the dict's own method, read many times per answer.
        self.get: Callable[..., Any] = self._d.get

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def items(self) -> Iterable[tuple[K, V]]:
        return self._d.items()

    def values(self) -> Iterable[V]:
        return self._d.values()

    def set(self, key: K, value: V) -> FrozenMap[K, V]:
        new = self._changed()
        delta = new._delta
        if delta is not None:
            _take_out(delta, new._d, key)
            delta[2][key] = value
            new._d[key] = value
            return new._settled()
        new._d[key] = value
        return new

    def update(self, pairs: Iterable[tuple[K, V]]) -> FrozenMap[K, V]:
        new = self._changed()
        d, delta = new._d, new._delta
        for key, value in pairs:
            if delta is not None:
                _take_out(delta, d, key)
                delta[2][key] = value
            d[key] = value
        return new._settled()

    def remove(self, keys: Iterable[K]) -> FrozenMap[K, V]:
        new = self._changed()
        d, delta = new._d, new._delta
        for key in keys:
            if key in d:
                if delta is not None:
                    _take_out(delta, d, key)
                del d[key]
        return new._settled()

    def set_newest(self, key: K, value: V, keep: int) -> tuple[FrozenMap[K, V], bool]:
        """``key`` set as the newest item (moved to the end if present), the oldest items
        beyond ``keep`` dropped, in one copy; also whether any was dropped."""
        new = self._changed()
        d, delta = new._d, new._delta
        if key in d:
            if delta is not None:
                _take_out(delta, d, key)
            del d[key]
        if delta is not None:
            delta[2][key] = value
        d[key] = value
        excess = len(d) - keep
        if excess > 0:
            for old in list(itertools.islice(d, excess)):
                if delta is not None:
                    _take_out(delta, d, old)
                del d[old]
        return new._settled(), excess > 0

    def map_values(self, fn: Callable[[V], V]) -> FrozenMap[K, V]:
        return FrozenMap({k: fn(v) for k, v in self._d.items()})

    def _changed(self) -> FrozenMap[K, V]:
        """A copy about to change, carrying what it needs to hash in O(changes)."""
        new: FrozenMap[K, V] = FrozenMap.__new__(FrozenMap)
        new._d = d = self._d.copy()
        new.get = d.get
        new._hash = None
        if self._hash is not None:
            new._delta = (self._hash, {}, {})
        elif self._delta is not None:
            base, taken, put = self._delta
            new._delta = (base, taken.copy(), put.copy())
        else:
            new._delta = None
        return new

    def _settled(self) -> FrozenMap[K, V]:
        if self._delta is not None and len(self._delta[1]) + len(self._delta[2]) > len(self._d):
            self._delta = None  # more changes than items: hashing afresh is cheaper
        return self

    def __hash__(self) -> int:
        if self._hash is None:
            h = 0
            if self._delta is not None:
                h, taken, put = self._delta
                for item in taken.items():
                    h ^= hash(item)
                for item in put.items():
                    h ^= hash(item)
                self._delta = None
            else:
                for item in self._d.items():
                    h ^= hash(item)
            self._hash = h
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, FrozenMap):
            return NotImplemented
        return hash(self) == hash(other) and self._d == other._d

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"


def _take_out(delta: tuple[int, dict[Any, Any], dict[Any, Any]], d: dict[Any, Any], key: Any) -> None:
    """Record that ``key``'s current item leaves the map: undo it if it was put in since
    the base, else note the base's item as taken out."""
    _base, taken, put = delta
    if key in put:
        del put[key]
    elif key in d:
        taken[key] = d[key]


EMPTY: FrozenMap[Any, Any] = FrozenMap()


def utf8_len(text: str) -> int:
    if text.isascii():  # known to the string object: no encoding needed
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


@value_node
@dataclass(frozen=True, eq=False)
class Record:
    """One key of a dataset. ``value`` None is a tombstone (DEL-1).

    ``modified`` / ``device_modified`` are None until known: a write whose answer was
    lost, or a DeviceLastModifiedDate the client did not send. The first listing that
    shows them pins them (LIST-6 then holds the server to that value).
    """

    value: str | None
    count: int
    modified: float | None = None
    device_modified: float | None = None

    @property
    def live(self) -> bool:
        return self.value is not None


@value_node
@dataclass(frozen=True, eq=False)
class RefusalMark:
    """Refused writes since the dataset was last fully seen: to name CONF-4 / ISO-2.

    ``pending`` holds the properties the refusals will have put to the test once a
    read shows that nothing changed (TOK-2: a refused write with a made-up token,
    then a listing without its patch). A complete listing that agrees confirms them.
    """

    keys: frozenset[str]
    writes: int
    creates: bool
    by_auth: bool
    pending: frozenset[str] = frozenset()

    def merge(self, other: RefusalMark | None) -> RefusalMark:
        if other is None:
            return self
        return RefusalMark(
            self.keys | other.keys,
            self.writes + other.writes,
            self.creates or other.creates,
            self.by_auth and other.by_auth,
            self.pending | other.pending,
        )

    def expecting(self, pending: frozenset[str]) -> RefusalMark:
        """This mark, its last refusal putting ``pending`` to the test instead."""
        return replace(self, pending=pending)

    @property
    def property_id(self) -> str:
        return "ISO-2" if self.by_auth else "CONF-4"


@dataclass(frozen=True)
class Usage:
    live_records: int
    live_bytes: int
    all_records: int
    all_bytes: int


@value_node
@dataclass(frozen=True, eq=False)
class DatasetState:
    """One dataset as the model believes the server holds it.

    ``base`` is the count the current incarnation started from (0, or the count at
    deletion when the server continues counting across a delete: DS-3 MAY).
    ``deleted_count`` / ``history_max``: the count at the last deletion and the
    highest count any earlier incarnation reached (DS-4). ``created`` is the time
    window of the call that created the dataset, when known.
    """

    exists: bool = False
    count: int = 0
    records: FrozenMap[str, Record] = EMPTY
    base: int = 0
    deleted: bool = False
    deleted_count: int = 0
    history_max: int = 0
    created: tuple[float | None, float | None] | None = None
    refused: RefusalMark | None = None

    def usage(self) -> Usage:
        cached = self.__dict__.get("_usage")
        if cached is None:
            live_n = live_b = all_n = all_b = 0
            for key, rec in self.records.items():
                kb = utf8_len(key)
                all_n += 1
                all_b += kb
                if rec.value is not None:
                    vb = utf8_len(rec.value)
                    live_n += 1
                    live_b += kb + vb
                    all_b += vb
            cached = Usage(live_n, live_b, all_n, all_b)
            object.__setattr__(self, "_usage", cached)
        return cached  # type: ignore[no-any-return]

    def with_(self, **changes: Any) -> DatasetState:
        return replace(self, **changes)

    def with_records(self, updates: dict[str, Record], **changes: Any) -> DatasetState:
        """This dataset with ``updates`` applied, its usage carried over in O(len(updates))."""
        base = self.records if self.exists else EMPTY
        new = replace(self, records=base.update(updates.items()), **changes)
        cached = self.__dict__.get("_usage") if self.exists else Usage(0, 0, 0, 0)
        if cached is not None:
            live_n, live_b, all_n, all_b = (cached.live_records, cached.live_bytes,
                                            cached.all_records, cached.all_bytes)
            for key, rec in updates.items():
                kb = len(key) if key.isascii() else utf8_len(key)
                for sign, r in ((-1, base.get(key)), (1, rec)):
                    if r is None:
                        continue
                    value = r.value
                    vb = 0 if value is None else len(value) if value.isascii() else utf8_len(value)
                    all_n, all_b = all_n + sign, all_b + sign * (kb + vb)
                    if value is not None:
                        live_n, live_b = live_n + sign, live_b + sign * (kb + vb)
            object.__setattr__(new, "_usage", Usage(live_n, live_b, all_n, all_b))
        return new


MISSING = DatasetState()


@value_node
@dataclass(frozen=True, eq=False)
class PageBinding:
    """What a nextToken was issued for: the lastSyncCount and the dataset as it stood."""

    last_sync_count: int
    snapshot: DatasetState | None = None


@value_node
@dataclass(frozen=True, eq=False)
class Slot:
    """Everything the model keeps for one (pool, identity, dataset) scope."""

    dataset: DatasetState = MISSING
    tokens: FrozenMap[str, str] = EMPTY
    pages: FrozenMap[str, PageBinding] = EMPTY
    forgot_tokens: bool = False
    forgot_pages: bool = False

    def with_(self, **changes: Any) -> Slot:
        return replace(self, **changes)

    def issue_token(self, token: str) -> Slot:
        tokens, forgot = self.tokens.set_newest(token, LIVE, TOKEN_MEMORY)
        return replace(self, tokens=tokens, forgot_tokens=self.forgot_tokens or forgot)

    def set_token(self, token: str, status: str) -> Slot:
        return replace(self, tokens=self.tokens.set(token, status))

    def bind_page(self, token: str, binding: PageBinding) -> Slot:
        pages, forgot = _bind(self.pages, token, binding, self.forgot_pages)
        return replace(self, pages=pages, forgot_pages=forgot)


def _bind(
    pages: FrozenMap[str, PageBinding], token: str, binding: PageBinding, forgot: bool
) -> tuple[FrozenMap[str, PageBinding], bool]:
    pages, dropped = pages.set_newest(token, binding, PAGE_MEMORY)
    return pages, forgot or dropped


EMPTY_SLOT = Slot()


@value_node
@dataclass(frozen=True, eq=False)
class IdentityState:
    datasets: FrozenMap[str, Slot] = EMPTY
    pages: FrozenMap[str, PageBinding] = EMPTY
    forgot_pages: bool = False

    def live_dataset_count(self) -> int:
        return sum(1 for slot in self.datasets.values() if slot.dataset.exists)

    def bind_page(self, token: str, binding: PageBinding) -> IdentityState:
        pages, forgot = _bind(self.pages, token, binding, self.forgot_pages)
        return replace(self, pages=pages, forgot_pages=forgot)


EMPTY_IDENTITY = IdentityState()


@value_node
@dataclass(frozen=True, eq=False)
class Policies:
    """MAY choices, remembered once the server has shown its hand (None: not yet seen).

    Remembering them keeps the candidate set small: an unresolved choice splits a
    world in two at most once, and the first observation that tells them apart
    fixes it for the rest of the run. This assumes a server makes each choice the
    same way every time, which is how every implementation we know of behaves.
    """

    empty_write_bumps: bool | None = None  # SYNC-6: a write with no patches bumps N
    empty_write_creates: bool | None = None  # SYNC-6: ... and creates a missing dataset
    ghost_tombstones: bool | None = None  # DEL-3: removing a never-existing key lists it
    recreate_restarts: bool | None = None  # DS-3: a re-created dataset counts from 0 again

    def with_(self, **changes: Any) -> Policies:
        return replace(self, **changes)


Scope = tuple[str, str, str]


@value_node
@dataclass(frozen=True, eq=False)
class World:
    """One complete candidate state of the server."""

    identities: FrozenMap[tuple[str, str], IdentityState] = EMPTY
    policies: Policies = field(default_factory=Policies)

    def identity(self, pool: str, ident: str) -> IdentityState:
        return self.identities.get((pool, ident), EMPTY_IDENTITY)  # type: ignore[no-any-return]

    def slot(self, scope: Scope) -> Slot:
        pool, ident, name = scope
        identity = self.identities.get((pool, ident), EMPTY_IDENTITY)
        return identity.datasets.get(name, EMPTY_SLOT)  # type: ignore[no-any-return]

    def with_identity(self, pool: str, ident: str, state: IdentityState) -> World:
        return replace(self, identities=self.identities.set((pool, ident), state))

    def with_slot(self, scope: Scope, slot: Slot) -> World:
        pool, ident, name = scope
        identity = self.identities.get((pool, ident), EMPTY_IDENTITY)
        new = self.with_identity(
            pool, ident, replace(identity, datasets=identity.datasets.set(name, slot))
        )
        if slot.dataset.exists or slot.dataset.deleted:  # known at once: no need to look again
            object.__setattr__(new, "_accepted", True)
        return new

    def with_policies(self, **changes: Any) -> World:
        return replace(self, policies=self.policies.with_(**changes))

    def accepted_a_write(self) -> bool:
        """Has the server been seen to accept a write that created a dataset?

        The control of every refusal witness: a refusal tells something only about a
        server that does not refuse everything.
        """
        cached = self.__dict__.get("_accepted")
        if cached is None:  # asked of every world at every answer: computed once per world
            cached = any(slot.dataset.exists or slot.dataset.deleted
                         for identity in self.identities.values() for slot in identity.datasets.values())
            object.__setattr__(self, "_accepted", cached)
        return bool(cached)

    def other_slots(self, scope: Scope) -> Iterator[tuple[Scope, Slot]]:
        """Every slot of the world except ``scope``'s own."""
        for (pool, ident), identity in self.identities.items():
            for name, slot in identity.datasets.items():
                if (pool, ident, name) != scope:
                    yield (pool, ident, name), slot
