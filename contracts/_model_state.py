"""The model's state: immutable, hashable candidate worlds with structural sharing.

A linearizability checker memoizes (linearized set, belief) pairs over long
histories, so every node here is immutable, hashes once (the hash is cached) and
compares hash-first. Maps are :class:`FrozenMap` (a dict under a read-only face) or,
for the bounded token memories, :class:`RecentMap` (the same, in chunks): an update
copies one map and shares every unchanged node below it.

Shape of a world::

    World
      slots:      FrozenMap[(pool, identity, dataset) -> Slot]   (ISO-1: nothing shared)
      identities: FrozenMap[(pool, identity) -> IdentityState]
      policies:   Policies          (MAY choices the server was seen to make)
    IdentityState
      pages:      RecentMap[nextToken -> PageBinding]   (ListDatasets pagination)
    Slot                            (one (pool, identity, dataset) scope)
      dataset:    DatasetState
      tokens:     RecentMap[SyncSessionToken -> status]   (the newest TOKEN_MEMORY)
      pages:      RecentMap[nextToken -> PageBinding]   (ListRecords pagination)
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

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


class ValueNode:
    """Base of the state's nodes: immutable by use, hashed once, compared hash-first.

    Nodes are slotted dataclasses whose fields nobody assigns to after ``__init__``
    (frozen dataclasses cost several times as much to build, and the model builds several
    per judged answer; ``tests/unit/test_value_nodes.py`` holds the copies to
    ``dataclasses.replace``); a change is a copy through :meth:`with_`, which
    :func:`value_node` compiles for each class. Only caches are set later: the hash, in
    a slot on first use, and a class's own (``init=False`` fields, None until computed).
    """

    __slots__ = ("_hash",)
    _hash: int
    _fields: tuple[str, ...] = ()

    def with_(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, every other field shared (and no cached value
        carried over). :func:`value_node` puts a compiled equivalent on each class."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def _key(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash = hash(self._key())
            return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return hash(self) == hash(other) and self._key() == other._key()  # type: ignore[attr-defined]


_KEEP: Any = object()


def value_node(cls: type[T]) -> type[T]:
    """Finish a ``ValueNode`` dataclass (``slots=True, eq=False``): its fields (the
    ``__init__`` ones; the others are caches) and a compiled :meth:`ValueNode.with_`,
    which fills the copy's slots directly (no ``__init__`` call: about half the cost)."""
    every = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = tuple(f.name for f in every if f.init)
    keyword = ", ".join(f"{name}=_KEEP" for name in names)
    lines = [f"    new.{name} = self.{name} if {name} is _KEEP else {name}" for name in names]
    lines += [f"    new.{f.name} = _cache_{f.name}" for f in every if not f.init]  # caches start empty
    namespace: dict[str, Any] = {"_KEEP": _KEEP, "_new": object.__new__, "cls": cls}
    namespace.update({f"_cache_{f.name}": f.default for f in every if not f.init})
    body = "\n".join(["    new = _new(cls)", *lines, "    return new"])
    exec(f"def with_(self, *, {keyword}):\n{body}\n", namespace)  # noqa: S102
    with_ = namespace["with_"]
    with_.__qualname__ = f"{cls.__qualname__}.with_"
    with_.__doc__ = ValueNode.with_.__doc__
    cls.with_ = with_  # type: ignore[attr-defined]
    cls._fields = names  # type: ignore[attr-defined]
    return cls


class FrozenMap(Generic[K, V]):
    """An immutable mapping with an order-independent hash, cheap to keep as it changes.

    The hash is the XOR of its items' hashes. A copy with a few items set or removed
    remembers the nearest ancestor whose hash is known and what changed since (``_delta``:
    base hash, the base's items taken out, the items put in), so its hash costs
    O(changes), and a value replaced again before anyone asks for the hash is never
    hashed at all: the model copies a dataset's records and the map of slots above it
    at every write, and hashes only the last. Equality still compares the items: a
    collision costs a comparison, never a wrong answer.
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

_new_object = object.__new__


class RecentMap(Generic[K, V]):
    """An immutable map of the newest ``keep`` items (the oldest dropped first), cheap to
    change however full it is.

    The items live in chunks of up to ``chunk`` items (plain dicts never changed once
    built, oldest chunk first), so a change copies one chunk and the short tuple of
    chunks, never every item: a scope's token memory holds up to :data:`TOKEN_MEMORY`
    tokens and changes twice per write. Lookups start from the newest chunk (a token is
    mostly used soon after it is issued). The hash is the XOR of the items' hashes, kept
    per chunk, so maps with the same items are equal and hash alike however their chunks
    fell, and a changed map rehashes one chunk.
    """

    __slots__ = ("_chunks", "_hashes", "_size", "chunk", "keep")

    def __init__(self, keep: int, chunk: int = 32) -> None:
        self.keep = keep
        self.chunk = chunk
        self._chunks: tuple[dict[K, V], ...] = ()
        self._hashes: tuple[int | None, ...] = ()  # each chunk's, once asked for
        self._size = 0

    def _with(self, chunks: tuple[dict[K, V], ...], hashes: tuple[int | None, ...],
              size: int) -> RecentMap[K, V]:
        new: RecentMap[K, V] = _new_object(RecentMap)
        new.keep, new.chunk, new._chunks, new._hashes, new._size = self.keep, self.chunk, chunks, hashes, size
        return new

    def _where(self, key: Any) -> int:
        """The index of the chunk holding ``key`` (-1: none)."""
        chunks = self._chunks
        i = len(chunks) - 1
        while i >= 0 and key not in chunks[i]:
            i -= 1
        return i

    def get(self, key: K, default: Any = None) -> Any:
        for chunk in reversed(self._chunks):
            if key in chunk:
                return chunk[key]
        return default

    def __contains__(self, key: object) -> bool:
        return self._where(key) >= 0

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[K]:
        return itertools.chain.from_iterable(self._chunks)

    def items(self) -> Iterable[tuple[K, V]]:
        return itertools.chain.from_iterable(chunk.items() for chunk in self._chunks)

    def set(self, key: K, value: V) -> RecentMap[K, V]:
        """``key`` set to ``value`` where it stands (a new key comes in as the newest,
        dropping nothing)."""
        i = self._where(key)
        if i < 0:
            return self._with(*self._appended(self._chunks, self._hashes, key, value), self._size + 1)
        changed = self._chunks[i].copy()
        changed[key] = value
        return self._with(self._chunks[:i] + (changed,) + self._chunks[i + 1:],
                          self._hashes[:i] + (None,) + self._hashes[i + 1:], self._size)

    def set_newest(self, key: K, value: V) -> tuple[RecentMap[K, V], bool]:
        """``key`` set as the newest item (moved there if present), the oldest items
        beyond ``keep`` dropped; also whether any was dropped."""
        chunks, hashes, size = self._chunks, self._hashes, self._size
        i = self._where(key)
        if i >= 0:
            rest = chunks[i].copy()
            del rest[key]
            kept = (rest,) if rest else ()
            chunks = chunks[:i] + kept + chunks[i + 1:]
            hashes = hashes[:i] + (None,) * len(kept) + hashes[i + 1:]
            size -= 1
        chunks, hashes = self._appended(chunks, hashes, key, value)
        size += 1
        excess = size - self.keep
        while excess > 0:
            oldest = chunks[0]
            if len(oldest) <= excess:
                chunks, hashes, size, excess = chunks[1:], hashes[1:], size - len(oldest), excess - len(oldest)
            else:
                chunks = (dict(itertools.islice(oldest.items(), excess, None)),) + chunks[1:]
                hashes = (None,) + hashes[1:]
                size, excess = size - excess, 0
        return self._with(chunks, hashes, size), size < self._size + (i < 0)

    def _appended(self, chunks: tuple[dict[K, V], ...], hashes: tuple[int | None, ...], key: K,
                  value: V) -> tuple[tuple[dict[K, V], ...], tuple[int | None, ...]]:
        """``chunks`` (and their hashes) with ``key`` added as the newest item."""
        if chunks and len(chunks[-1]) < self.chunk:
            newest = chunks[-1].copy()
            newest[key] = value
            return chunks[:-1] + (newest,), hashes[:-1] + (None,)
        return chunks + ({key: value},), hashes + (None,)

    def map_values(self, fn: Callable[[V], V]) -> RecentMap[K, V]:
        chunks = tuple({k: fn(v) for k, v in chunk.items()} for chunk in self._chunks)
        return self._with(chunks, (None,) * len(chunks), self._size)

    def __hash__(self) -> int:
        hashes = list(self._hashes)
        h = 0
        for i, chunk in enumerate(self._chunks):
            if hashes[i] is None:
                part = 0
                for item in chunk.items():
                    part ^= hash(item)
                hashes[i] = part
            h ^= hashes[i]  # type: ignore[operator]
        self._hashes = tuple(hashes)
        return h

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, RecentMap):
            return NotImplemented
        return (self._size == other._size and hash(self) == hash(other)
                and dict(self.items()) == dict(other.items()))

    def __repr__(self) -> str:
        return f"RecentMap({dict(self.items())!r}, keep={self.keep})"


NO_TOKENS: RecentMap[Any, Any] = RecentMap(TOKEN_MEMORY)
NO_PAGES: RecentMap[Any, Any] = RecentMap(PAGE_MEMORY)


def utf8_len(text: str) -> int:
    if text.isascii():  # known to the string object: no encoding needed
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


@value_node
@dataclass(slots=True, eq=False)
class Record(ValueNode):
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
@dataclass(slots=True, eq=False)
class RefusalMark(ValueNode):
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
        return self.with_(pending=pending)

    @property
    def property_id(self) -> str:
        return "ISO-2" if self.by_auth else "CONF-4"


@dataclass(slots=True)
class Usage:
    live_records: int
    live_bytes: int
    all_records: int
    all_bytes: int

    def after(self, writes: Iterable[tuple[str, Record | None, str | None]]) -> Usage:
        """This usage after each (key, its record before or None, its new value: None for
        a tombstone) was written: every record counts toward all, live ones toward live."""
        live_n, live_b, all_n, all_b = self.live_records, self.live_bytes, self.all_records, self.all_bytes
        for key, old, value in writes:
            kb = len(key) if key.isascii() else utf8_len(key)
            if old is not None:
                was = old.value
                vb = 0 if was is None else len(was) if was.isascii() else utf8_len(was)
                all_n, all_b = all_n - 1, all_b - kb - vb
                if was is not None:
                    live_n, live_b = live_n - 1, live_b - kb - vb
            vb = 0 if value is None else len(value) if value.isascii() else utf8_len(value)
            all_n, all_b = all_n + 1, all_b + kb + vb
            if value is not None:
                live_n, live_b = live_n + 1, live_b + kb + vb
        return Usage(live_n, live_b, all_n, all_b)


@value_node
@dataclass(slots=True, eq=False)
class DatasetState(ValueNode):
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
    #: NumRecords / DataStorage, computed once (or carried over by :meth:`with_records`).
    _usage: Usage | None = field(default=None, init=False, repr=False, compare=False)
    #: No record's count is above it (see :meth:`top_count`); None until asked.
    _top: int | None = field(default=None, init=False, repr=False, compare=False)

    def usage(self) -> Usage:
        cached = self._usage
        if cached is None:
            cached = NO_USAGE.after((key, None, rec.value) for key, rec in self.records.items())
            self._usage = cached
        return cached

    def top_count(self) -> int:
        """A count no record is above (the highest, or above it after a write lowered
        one): a listing from at least this count expects no records, unwalked."""
        top = self._top
        if top is None:
            top = max((rec.count for rec in self.records.values()), default=0)
            self._top = top
        return top

    def with_records(self, updates: dict[str, Record], usage: Usage | None = None,
                     **changes: Any) -> DatasetState:
        """This dataset with ``updates`` applied, its usage and top count carried over in
        O(len(updates)). ``usage``: the usage after, when the caller has counted it."""
        exists = self.exists
        base = self.records if exists else EMPTY
        new = self.with_(records=base.update(updates.items()), **changes)
        cached = self._usage if exists else NO_USAGE
        if usage is not None:
            new._usage = usage
        elif cached is not None:
            new._usage = cached.after((key, base.get(key), rec.value) for key, rec in updates.items())
        top = self._top if exists else 0
        if top is not None and updates:
            top = max(top, max(rec.count for rec in updates.values()))
        new._top = top
        return new


#: The usage of a dataset with no records (shared: usages are only read).
NO_USAGE = Usage(0, 0, 0, 0)


MISSING = DatasetState()


@value_node
@dataclass(slots=True, eq=False)
class PageBinding(ValueNode):
    """What a nextToken was issued for: the lastSyncCount and the dataset as it stood."""

    last_sync_count: int
    snapshot: DatasetState | None = None


@value_node
@dataclass(slots=True, eq=False)
class Slot(ValueNode):
    """Everything the model keeps for one (pool, identity, dataset) scope."""

    dataset: DatasetState = MISSING
    tokens: RecentMap[str, str] = NO_TOKENS
    pages: RecentMap[str, PageBinding] = NO_PAGES
    forgot_tokens: bool = False
    forgot_pages: bool = False

    def listed(self, dataset: DatasetState, tokens: Iterable[str],
               pages: Iterable[tuple[str, PageBinding]]) -> Slot:
        """This slot after a listing, in one copy: ``dataset`` as it now stands, the
        listing's SyncSessionTokens issued and its nextTokens bound."""
        issued, forgot_tokens = self.tokens, self.forgot_tokens
        for token in tokens:
            issued, dropped = issued.set_newest(token, LIVE)
            forgot_tokens = forgot_tokens or dropped
        bound, forgot_pages = self.pages, self.forgot_pages
        for token, binding in pages:
            bound, forgot_pages = _bind(bound, token, binding, forgot_pages)
        return self.with_(dataset=dataset, tokens=issued, pages=bound,
                          forgot_tokens=forgot_tokens, forgot_pages=forgot_pages)

    def set_token(self, token: str, status: str) -> Slot:
        return self.with_(tokens=self.tokens.set(token, status))


def _bind(
    pages: RecentMap[str, PageBinding], token: str, binding: PageBinding, forgot: bool
) -> tuple[RecentMap[str, PageBinding], bool]:
    pages, dropped = pages.set_newest(token, binding)
    return pages, forgot or dropped


EMPTY_SLOT = Slot()


@value_node
@dataclass(slots=True, eq=False)
class IdentityState(ValueNode):
    """What the model keeps for one (pool, identity) beside its datasets' slots:
    ListDatasets' nextTokens."""

    pages: RecentMap[str, PageBinding] = NO_PAGES
    forgot_pages: bool = False

    def bind_page(self, token: str, binding: PageBinding) -> IdentityState:
        pages, forgot = _bind(self.pages, token, binding, self.forgot_pages)
        return self.with_(pages=pages, forgot_pages=forgot)


EMPTY_IDENTITY = IdentityState()


@value_node
@dataclass(slots=True, eq=False)
class Policies(ValueNode):
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


Scope = tuple[str, str, str]


@value_node
@dataclass(slots=True, eq=False)
class World(ValueNode):
    """One complete candidate state of the server.

    Slots are keyed by the whole scope (one map, not one per identity: a write copies
    one map and one world); an identity's datasets are the slots under its (pool, id).
    """

    slots: FrozenMap[Scope, Slot] = EMPTY
    identities: FrozenMap[tuple[str, str], IdentityState] = EMPTY
    policies: Policies = field(default_factory=Policies)
    #: :meth:`accepted_a_write`, computed once (None: not yet).
    _accepted: bool | None = field(default=None, init=False, repr=False, compare=False)

    def identity(self, pool: str, ident: str) -> IdentityState:
        return self.identities.get((pool, ident), EMPTY_IDENTITY)  # type: ignore[no-any-return]

    def slot(self, scope: Scope) -> Slot:
        return self.slots.get(scope, EMPTY_SLOT)  # type: ignore[no-any-return]

    def datasets(self, pool: str, ident: str) -> Iterator[tuple[str, Slot]]:
        """(name, slot) of every dataset scope of one identity the model knows."""
        for (p, i, name), slot in self.slots.items():
            if p == pool and i == ident:
                yield name, slot

    def live_dataset_count(self, pool: str, ident: str) -> int:
        return sum(1 for _, slot in self.datasets(pool, ident) if slot.dataset.exists)

    def with_identity(self, pool: str, ident: str, state: IdentityState) -> World:
        return self.with_(identities=self.identities.set((pool, ident), state))

    def with_slot(self, scope: Scope, slot: Slot) -> World:
        new = self.with_(slots=self.slots.set(scope, slot))
        if slot.dataset.exists or slot.dataset.deleted:  # known at once: no need to look again
            new._accepted = True
        return new

    def with_policies(self, **changes: Any) -> World:
        return self.with_(policies=self.policies.with_(**changes))

    def accepted_a_write(self) -> bool:
        """Has the server been seen to accept a write that created a dataset?

        The control of every refusal witness: a refusal tells something only about a
        server that does not refuse everything.
        """
        cached = self._accepted
        if cached is None:  # asked of every world at every answer: computed once per world
            cached = any(slot.dataset.exists or slot.dataset.deleted for slot in self.slots.values())
            self._accepted = cached
        return bool(cached)

    def other_slots(self, scope: Scope) -> Iterator[tuple[Scope, Slot]]:
        """Every slot of the world except ``scope``'s own."""
        for other, slot in self.slots.items():
            if other != scope:
                yield other, slot
