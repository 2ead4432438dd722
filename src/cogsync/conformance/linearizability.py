"""Is a concurrent history linearizable against a sequential specification? (CONF-6)

A history is linearizable when its operations can be put in one sequence that (1)
respects real time: if A was answered before B was sent, A comes first; (2) the
specification accepts, answer by answer. Open operations (never completed, or
answered Unknown) may take effect at any point after their invocation, or never.

The specification is a :class:`SequentialSpec`: a hashable state, a ``step`` that
says what state follows a call and its answer (None: the answer is impossible
there), a ``partition`` of calls into independent parts, and ``explain`` for the
words of a report. The search knows nothing of Cognito Sync; only the words of a
report leave out the ``IdentityPoolId`` and ``IdentityId`` parameters (the same on
every call of a history, they would drown the rest) when the spec has no ``describe``.

The search
----------
Wing & Gong's search with Lowe's just-in-time linearization, as in Porcupine and
Knossos: walk the invocation and response events of the completed operations in
time order, kept in a doubly linked list. At an invocation, try to linearize that
operation now (``step``); if the spec accepts and the configuration (set of
linearized operations, state) was never seen, lift the operation out of the list
and restart from the head. At the response of an operation not yet linearized,
nothing sent after it can come first; before undoing the last choice, try the
open operations invoked so far. The history is linearizable when the walk reaches
the end of the list: every completed operation is placed, and open operations
left over never took effect. The seen-configurations cache makes the walk visit
each configuration once.

Open operations (never completed, or answered Unknown) have no response: nothing
ever forces them. They are kept out of the list and tried only after every
completed candidate at that point has failed ("not yet" first), and:

- one whose ``step`` changes nothing here is not placed here: taking effect
  without effect is the same as never taking effect, which the search covers;
- a configuration is skipped when the same completed set and state were already
  reached with fewer open operations placed (all of them, or all but one): that
  configuration can do everything this one can, since an open operation may be
  left out forever and constrains no real-time order. Without this, every
  timed-out write doubles the search behind it.

The linearized completed operations are a bitset (a Python int). They are
numbered in invocation order and linearized roughly in that order, so the set is
stored as (w, window): every one below ``w`` is linearized, ``window`` holds the
bits from ``w`` on; the open ones are a second, small bitset. A cache key stays a
few machine words however long the history is.

P-compositionality: linearizability is local (Herlihy & Wing), so a history is
linearizable iff each partition's sub-history is; each is searched on its own,
smallest first (a violation in a small one is found even when a large one would
use up the timeout). ``spec.partition`` must put any two calls that can affect each
other in one part; a spec's state describes one partition.

Pruning hooks
-------------
A spec may define two optional methods, each with a promise; ``prune=False``
ignores both (the unit tests compare both ways with a brute-force checker on
random histories).

``order_key(call, outcome) -> int | None``: a number the answer reveals (the sync
count a successful write created, the count a read saw). Promise: *in every
sequence the spec accepts, the operations that have a key appear in
non-decreasing key order.* The search then never linearizes an operation with key
k while a completed operation with a smaller key is still unplaced. Keys of open
operations are ignored (an open operation may never take effect).

Why this does not change verdicts. (a) Pruning only removes branches, so a
linearization the pruned search finds, the full search finds too. (b) Conversely,
let L be a linearization of the history. Its keyed completed operations appear in
non-decreasing key order, so whenever L places an operation X, no unplaced
completed operation has a smaller key than X's (it would come after X in L). So
no prefix of L is ever pruned, and the pruned search, which tries every candidate
except pruned ones, still reaches L, or another linearization first. (c) The
pruning decision depends only on which operations are linearized, so a
configuration that failed under pruning would fail on every revisit too: the
cache stays sound.

``read_only(call, outcome) -> bool``: the answer can only narrow the state.
Promise: *for every state t where step(t, X) = t', every sequence the spec accepts
from t' it also accepts from t* (a read or a refusal over a set of candidate worlds,
with steps computed world by world). When such an operation X can be placed now
and leaves the state as it is, it is placed for good: if what follows fails, no
other candidate is tried at this point. Why this does not change verdicts: take a
linearization L from here that places X later, after a1..ak. Then X a1..ak rest is
one too: X is a candidate now (no real-time order broken), its key is the smallest
unplaced one (no key order broken), a1..ak see the same states as in L since X
changed nothing, and rest, accepted after X in L, is accepted without it by the
promise. (A write that changes nothing now may change something later, so
"neutral here" alone is not enough.) This turns the many concurrent reads and
conflicts of a busy history from a choice among 2^k subsets into a straight line.

When a partition fails
----------------------
The search remembers its deepest configuration: the longest sequence it could
place, the state it reached, and the operation whose answer arrived without it
being placeable. (That operation, that state, the spec's reason) is the failure's
signature. The witness is then shrunk greedily: drop chunks, then single
operations, keeping a drop only if the rest is still not linearizable *with the
same signature*. Keeping the signature stops the shrinking from inventing a
different failure: dropping the writes that led to count 5 would make a later
read of count 5 "impossible" for the wrong reason, and would change the state.
Shrinking has its own time budget; ``witness_minimal`` says whether it finished
(no single operation can be dropped). The final story is told from a search
without order pruning when that finishes in time, so the reason is the spec's own
("a stale read") rather than "ordered after #7".
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from cogsync.conformance.history import History, Operation, as_history
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.errors import UsageError

S = TypeVar("S", bound=Hashable)

#: How many search steps pass between two looks at the clock.
_CLOCK_EVERY = 2048
#: At most this many operations are printed in an explanation.
_SHOWN_OPERATIONS = 24


@runtime_checkable
class SequentialSpec(Protocol[S]):
    """A sequential specification the checker searches against. States are hashable.

    Optional methods, each with a promise (module doc): ``order_key(call, outcome)
    -> int | None``, ``read_only(call, outcome) -> bool`` (both prune the search) and
    ``describe(call, outcome) -> str`` (one operation in words, for reports).
    """

    def initial(self) -> S: ...

    def step(self, state: S, call: Call, outcome: Outcome) -> S | None:
        """The state after ``call`` answered ``outcome``, or None if the spec forbids that
        outcome in ``state``. Unknown outcomes are the spec's job (return a state that
        covers both 'applied' and 'not applied', e.g. a set of candidate worlds)."""
        ...

    def partition(self, call: Call) -> Hashable:
        """Calls in different partitions never affect each other."""
        ...

    def explain(self, state: S, call: Call, outcome: Outcome) -> str:
        """Why ``step`` is None, in the domain's words."""
        ...


class OrderedSpec(SequentialSpec[S], Protocol[S]):
    """A spec with the optional pruning hook (see the module docstring for the promise)."""

    def order_key(self, call: Call, outcome: Outcome) -> int | None: ...


class ReadOnlySpec(SequentialSpec[S], Protocol[S]):
    """A spec with the optional ``read_only`` pruning hook."""

    def read_only(self, call: Call, outcome: Outcome) -> bool: ...


class DescribedSpec(SequentialSpec[S], Protocol[S]):
    """A spec with the optional ``describe``: one operation in words, for reports."""

    def describe(self, call: Call, outcome: Outcome) -> str: ...


@dataclass(frozen=True)
class CheckResult:
    """The verdict: ``ok`` is True, False, or None when the timeout made it inconclusive.

    On a violation: ``partition`` is the failing part, ``witness`` the smallest
    non-linearizable sub-history found, ``linearized`` the longest order the search
    found for it, ``blocked`` the operation that could not come next and ``reason``
    why (the spec's words); ``explanation`` tells all of it in words.
    """

    ok: bool | None
    partition: Hashable | None = None
    witness: History | None = None
    linearized: tuple[Operation, ...] = ()
    blocked: Operation | None = None
    reason: str = ""
    explanation: str = ""
    witness_minimal: bool = False
    partitions: int = 0
    operations: int = 0
    elapsed: float = 0.0
    explored: int = 0  # configurations (linearized set, state) the verdict search visited
    unchecked_partitions: tuple[Hashable, ...] = field(default=())

    def __str__(self) -> str:
        return self.explanation


def check(
    history: History | Sequence[Operation],
    spec: SequentialSpec[Any],
    *,
    timeout: float | None = None,
    prune: bool = True,
    shrink_timeout: float = 5.0,
) -> CheckResult:
    """Decide whether ``history`` is linearizable against ``spec``.

    ``timeout`` bounds the verdict search (seconds; None: no bound); when it hits
    before a violation is found the result is inconclusive (``ok is None``).
    ``prune=False`` ignores the spec's pruning hooks ``order_key`` and ``read_only``
    (for comparison). ``shrink_timeout`` bounds the search for a small witness once
    a violation is found.
    """
    _check_seconds("timeout", timeout, allow_none=True)
    _check_seconds("shrink_timeout", shrink_timeout, allow_none=False)
    for name in ("initial", "step", "partition", "explain"):
        if not callable(getattr(spec, name, None)):
            raise UsageError.bad_argument("spec", spec, f"a SequentialSpec (it has no {name}())")
    history = as_history(history)
    began = time.monotonic()
    deadline = None if timeout is None else began + timeout
    parts = history.by_partition(spec.partition)
    timed_out: list[Hashable] = []
    checked = 0
    explored = 0
    # Smallest partitions first: a violation in a small one is found even when a
    # large one would use up the timeout.
    for key, part in sorted(parts.items(), key=lambda item: len(item[1])):
        if deadline is not None and time.monotonic() >= deadline:
            timed_out.append(key)
            continue
        ops = _ordered(part)
        found = _search(ops, spec, prune=prune, deadline=deadline)
        checked += 1
        explored += found.explored
        if found.verdict is None:
            timed_out.append(key)
        elif found.verdict is False:
            result = _failure(history, key, ops, found, spec, prune, shrink_timeout, began,
                              checked, timed_out)
            return dataclasses.replace(result, explored=explored)
    elapsed = time.monotonic() - began
    if timed_out:
        return CheckResult(
            ok=None, partition=timed_out[0], partitions=checked, operations=len(history),
            elapsed=elapsed, explored=explored, unchecked_partitions=tuple(timed_out),
            explanation=(
                f"Inconclusive: the {timeout} s timeout ran out before "
                f"{len(timed_out)} of {len(parts)} partitions were decided "
                f"(first: {timed_out[0]!r}); none of the others showed a violation."
            ),
        )
    return CheckResult(
        ok=True, partitions=checked, operations=len(history), elapsed=elapsed, explored=explored,
        explanation=f"Linearizable: {len(history)} operations in {len(parts)} partitions.",
    )


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class _Found:
    """What one search established; indices refer to the operations searched."""

    verdict: bool | None
    deepest: tuple[int, ...] = ()  # the longest order placed, as operation indices
    deepest_state: Any = None
    blocked: int | None = None  # the operation whose answer came before it could be placed
    minrank: int = 0  # the smallest order rank still unplaced at the deepest point
    explored: int = 0  # configurations visited


def _ordered(part: History) -> list[Operation]:
    return sorted(part, key=lambda op: (op.invoked, op.id))


def _order_ranks(ops: Sequence[Operation], spec: Any, prune: bool) -> list[int] | None:
    """Each completed operation's rank among the distinct order keys (-1: no key)."""
    order_key = getattr(spec, "order_key", None) if prune else None
    if not callable(order_key):
        return None
    keys = [None if op.is_open else order_key(op.call, op.outcome) for op in ops]
    distinct = sorted({k for k in keys if k is not None})
    if not distinct:
        return None
    rank_of = {k: r for r, k in enumerate(distinct)}
    return [-1 if k is None else rank_of[k] for k in keys]


def _read_only(
    ops: Sequence[Operation], closed: list[int], spec: Any, prune: bool
) -> list[bool] | None:
    """For each completed operation, whether the spec calls its answer read-only."""
    read_only = getattr(spec, "read_only", None) if prune else None
    if not callable(read_only):
        return None
    return [bool(read_only(ops[i].call, ops[i].outcome)) for i in closed]


def _search(
    ops: Sequence[Operation], spec: Any, *, prune: bool, deadline: float | None
) -> _Found:
    """Just-in-time linearization of ``ops`` (sorted by invocation). See the module doc."""
    step = spec.step
    closed = [i for i, op in enumerate(ops) if not op.is_open]
    opened = [i for i, op in enumerate(ops) if op.is_open]
    nc, no = len(closed), len(opened)
    c_call = [ops[i].call for i in closed]
    c_outcome = [ops[i].outcome for i in closed]
    o_call = [ops[i].call for i in opened]
    o_outcome = [ops[i].outcome for i in opened]
    o_invoked = [ops[i].invoked for i in opened]
    o_placed = [False] * no

    # The event list holds completed operations only: entry k (< nc) is the invocation
    # of closed[k], nc + k its response. Ties: an invocation sorts before a response
    # at the same instant, so touching intervals count as concurrent.
    events = [(ops[i].invoked, 0, k) for k, i in enumerate(closed)]
    events += [(ops[i].completed, 1, nc + k) for k, i in enumerate(closed)]
    events.sort()
    answered = [ops[i].completed for i in closed]
    head, end = 2 * nc, -1
    nxt = [end] * (2 * nc + 1)
    prv = [end] * (2 * nc + 1)
    last = head
    for _, _, e in events:
        nxt[last] = e
        prv[e] = last
        last = e

    all_ranks = _order_ranks(ops, spec, prune)
    ranks = None if all_ranks is None else [all_ranks[i] for i in closed]
    counts: list[int] = []
    if ranks is not None:
        counts = [0] * (max(ranks) + 1)
        for r in ranks:
            if r >= 0:
                counts[r] += 1
    minrank = 0

    state = spec.initial()
    cw = 0  # every closed operation below cw is linearized
    cwin = 0  # bit j: closed operation cw + j is linearized
    obits = 0  # bit j: open operation j has taken effect
    cache: set[tuple[int, int, int, Any]] = set()
    read_only = _read_only(ops, closed, spec, prune)
    # frames: (is_open, index, state before, cw, cwin, obits, minrank, limit, committed)
    stack: list[tuple[bool, int, Any, int, int, int, int, float, bool]] = []
    open_path: list[int] = []  # the open operations placed, as bits

    def dominated(cw: int, cwin: int, obits: int, state: Any) -> bool:
        """Seen already, or seen with fewer open operations placed and the same state:
        that configuration can do everything this one can (module doc)."""
        if (cw, cwin, obits, state) in cache:
            return True
        if not obits:
            return False
        if (cw, cwin, 0, state) in cache:
            return True
        return any((cw, cwin, obits & ~bit, state) in cache for bit in open_path)

    placed: list[int] = []  # indices into ops, in linearization order
    best: tuple[int, ...] = ()
    best_depth = -1
    best_state: Any = None
    best_blocked: int | None = None
    best_minrank = 0
    ticks = 0
    in_open_phase = False
    entry = nxt[head]
    j = 0
    limit = 0.0
    while True:
        ticks += 1
        if deadline is not None and ticks % _CLOCK_EVERY == 0 and time.monotonic() >= deadline:
            return _Found(None, best, best_state, best_blocked, best_minrank, len(cache))
        if not in_open_phase:
            if entry == end:
                return _Found(True, tuple(placed), state, explored=len(cache))
            if entry >= nc:
                # The response of an unplaced operation: nothing after it can come first.
                if len(placed) > best_depth:
                    best_depth = len(placed)
                    best = tuple(placed)
                    best_state = state
                    best_blocked = closed[entry - nc]
                    best_minrank = minrank
                # Before giving up here, try the open operations already invoked.
                in_open_phase, j, limit = True, 0, answered[entry - nc]
                continue
            k = entry
            rank = -1 if ranks is None else ranks[k]
            if rank > minrank:  # a completed operation with a smaller key is unplaced
                entry = nxt[entry]
                continue
            new_state = step(state, c_call[k], c_outcome[k])
            if new_state is None:
                entry = nxt[entry]
                continue
            new_cwin = cwin | (1 << (k - cw))
            new_cw = cw
            if new_cwin & 1:
                run = (~new_cwin & (new_cwin + 1)).bit_length() - 1
                new_cwin >>= run
                new_cw += run
            # A read-only operation that changes nothing here is placed for good: if
            # what follows fails, no alternative is tried at this point (module doc).
            commit = read_only is not None and read_only[k] and new_state == state
            if dominated(new_cw, new_cwin, obits, new_state):
                if not commit:
                    entry = nxt[entry]
                    continue
                # As good as a configuration that failed, and so is this one.
                in_open_phase, j, limit = True, no, 0.0
                continue
            cache.add((new_cw, new_cwin, obits, new_state))
            stack.append((False, k, state, cw, cwin, obits, minrank, 0.0, commit))
            placed.append(closed[k])
            if rank >= 0:
                counts[rank] -= 1
                while minrank < len(counts) and counts[minrank] == 0:
                    minrank += 1
            state, cw, cwin = new_state, new_cw, new_cwin
            # lift the invocation and the response out of the list
            p, q = prv[k], nxt[k]
            nxt[p] = q
            if q != end:
                prv[q] = p
            r = nc + k
            p, q = prv[r], nxt[r]
            nxt[p] = q
            if q != end:
                prv[q] = p
            entry = nxt[head]
            continue

        # The open phase: open operations invoked before the first pending response.
        moved = False
        while j < no and o_invoked[j] <= limit:
            if not o_placed[j]:
                new_state = step(state, o_call[j], o_outcome[j])
                # No effect here is the same as no effect at all: skipped.
                if new_state is not None and new_state != state:
                    bit = 1 << j
                    if not dominated(cw, cwin, obits | bit, new_state):
                        cache.add((cw, cwin, obits | bit, new_state))
                        stack.append((True, j, state, cw, cwin, obits, minrank, limit, False))
                        placed.append(opened[j])
                        open_path.append(bit)
                        o_placed[j] = True
                        state, obits = new_state, obits | bit
                        moved = True
                        break
            j += 1
        if moved:
            in_open_phase, entry = False, nxt[head]
            continue

        # Nothing can come next here: undo the last choice and try the one after it
        # (committed choices are undone straight through).
        while True:
            if not stack:
                return _Found(False, best, best_state, best_blocked, best_minrank, len(cache))
            was_open, idx, state, cw, cwin, obits, minrank, limit, committed = stack.pop()
            placed.pop()
            if was_open:
                open_path.pop()
                o_placed[idx] = False
                in_open_phase, j = True, idx + 1
                break
            if ranks is not None and ranks[idx] >= 0:
                counts[ranks[idx]] += 1
            # put the response back, then the invocation (reverse order of removal)
            r = nc + idx
            nxt[prv[r]] = r
            if nxt[r] != end:
                prv[nxt[r]] = r
            nxt[prv[idx]] = idx
            if nxt[idx] != end:
                prv[nxt[idx]] = idx
            if not committed:
                in_open_phase, entry = False, nxt[idx]
                break


# --------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class _Diagnosis:
    """A failed search, read back in terms of operations."""

    linearized: tuple[Operation, ...]
    blocked: Operation
    reason: str
    state: Any

    @property
    def signature(self) -> tuple[int, Any, str]:
        return (self.blocked.id, self.state, self.reason)


def _diagnose(ops: Sequence[Operation], found: _Found, spec: Any, prune: bool) -> _Diagnosis:
    assert found.blocked is not None
    blocked = ops[found.blocked]
    placed = {ops[i].id for i in found.deepest}
    return _Diagnosis(
        linearized=tuple(ops[i] for i in found.deepest),
        blocked=blocked,
        reason=_reason(ops, placed, found.deepest_state, blocked, spec, prune),
        state=found.deepest_state,
    )


def _reason(
    ops: Sequence[Operation], placed: set[int], state: Any, blocked: Operation, spec: Any,
    prune: bool,
) -> str:
    """Why ``blocked`` could not come next in ``state``: the spec's words, or the order."""
    if spec.step(state, blocked.call, blocked.outcome) is None:
        return spec.explain(state, blocked.call, blocked.outcome)
    # Not refused by the spec, so the order pruning held it back: name the operation
    # the spec orders first and say why that one could not come first.
    ranks = _order_ranks(ops, spec, prune) or [-1] * len(ops)
    unplaced = [(ranks[k], op) for k, op in enumerate(ops) if op.id not in placed and ranks[k] >= 0]
    if not unplaced:
        return "every order that places it here fails later"
    first = min(unplaced, key=lambda pair: (pair[0], pair[1].invoked, pair[1].id))[1]
    if first.invoked > (blocked.completed or 0.0):
        why = "it was sent only after this one had been answered"
    elif spec.step(state, first.call, first.outcome) is None:
        why = spec.explain(state, first.call, first.outcome)
    else:
        why = "every order that places it here fails later"
    return (
        f"the spec orders it after {_name(first)} ({_describe(spec, first)}), which could not "
        f"come first: {why}"
    )


def _failure(
    history: History, key: Hashable, ops: list[Operation], found: _Found, spec: Any,
    prune: bool, shrink_timeout: float, began: float, checked: int, timed_out: list[Hashable],
) -> CheckResult:
    began_shrinking = time.monotonic()
    diagnosis = _diagnose(ops, found, spec, prune)
    witness, minimal, diagnosis = _shrink(ops, diagnosis, spec, prune, shrink_timeout)
    if prune:
        # Tell the story without the order pruning when there is time: the spec's own
        # reason ("a stale read") reads better than "ordered after #7".
        left = max(shrink_timeout - (time.monotonic() - began_shrinking), min(shrink_timeout, 1.0))
        plain = _search(witness, spec, prune=False, deadline=time.monotonic() + left)
        if plain.verdict is False:
            diagnosis = _diagnose(witness, plain, spec, False)
    result_witness = History(witness)
    return CheckResult(
        ok=False, partition=key, witness=result_witness, linearized=diagnosis.linearized,
        blocked=diagnosis.blocked, reason=diagnosis.reason, witness_minimal=minimal,
        partitions=checked, operations=len(history), elapsed=time.monotonic() - began,
        unchecked_partitions=tuple(timed_out),
        explanation=_render(history.start, key, len(ops), witness, diagnosis, minimal, spec),
    )


def _shrink(
    ops: list[Operation], diagnosis: _Diagnosis, spec: Any, prune: bool, budget: float
) -> tuple[list[Operation], bool, _Diagnosis]:
    """Greedily drop operations while the failure keeps its signature, within ``budget`` s."""
    give_up_at = time.monotonic() + budget
    target = diagnosis.signature
    blocked_id = diagnosis.blocked.id

    ran_out = False

    def still_fails(candidate: list[Operation]) -> _Diagnosis | None:
        nonlocal ran_out
        found = _search(candidate, spec, prune=prune, deadline=give_up_at)
        if found.verdict is None:
            ran_out = True
        if found.verdict is not False:
            return None
        again = _diagnose(candidate, found, spec, prune)
        return again if again.signature == target else None

    current = ops
    # Big cuts first, each one search: what was sent after the blocked operation was
    # answered; what the deepest order did not place; what it placed without effect.
    if diagnosis.blocked.completed is not None:
        cut = [op for op in current if op.invoked <= diagnosis.blocked.completed]
        if len(cut) < len(current) and (d := still_fails(cut)) is not None:
            current, diagnosis = cut, d
    keep = {op.id for op in diagnosis.linearized} | {blocked_id}
    cut = [op for op in current if op.id in keep]
    if len(cut) < len(current) and (d := still_fails(cut)) is not None:
        current, diagnosis = cut, d
    neutral = _neutral_in(diagnosis.linearized, spec)
    cut = [op for op in current if op.id not in neutral]
    if len(cut) < len(current) and (d := still_fails(cut)) is not None:
        current, diagnosis = cut, d
    chunk = max(len(current) // 2, 1)
    while time.monotonic() < give_up_at:
        dropped_any = False
        start = 0
        while start < len(current):
            if time.monotonic() >= give_up_at:
                return current, False, diagnosis
            piece = current[start:start + chunk]
            if any(op.id == blocked_id for op in piece):
                start += chunk
                continue
            candidate = current[:start] + current[start + chunk:]
            d = still_fails(candidate)
            if d is not None:
                current, diagnosis, dropped_any = candidate, d, True
            else:
                start += chunk
        if chunk == 1 and not dropped_any:
            return current, not ran_out, diagnosis  # a full pass dropped nothing: 1-minimal
        chunk = max(chunk // 2, 1)
    return current, False, diagnosis


def _neutral_in(order: Sequence[Operation], spec: Any) -> set[int]:
    """Ids of the operations that left the state as it was, along ``order``."""
    neutral: set[int] = set()
    state = spec.initial()
    for op in order:
        after = spec.step(state, op.call, op.outcome)
        if after is None:
            break
        if after == state:
            neutral.add(op.id)
        state = after
    return neutral


# --------------------------------------------------------------------------- words


def _name(op: Operation) -> str:
    return f"client {op.client}'s #{op.id}"


def _describe(spec: Any, op: Operation) -> str:
    describe = getattr(spec, "describe", None)
    if callable(describe):
        return str(describe(op.call, op.outcome))
    return f"{_call_words(op.call)} -> {_outcome_words(op.outcome)}"


def _call_words(call: Call) -> str:
    params = {k: v for k, v in call.params.items() if k not in ("IdentityPoolId", "IdentityId")}
    text = f"{call.operation}({', '.join(f'{k}={v!r}' for k, v in params.items())})"
    return text if len(text) <= 100 else text[:97] + "..."


def _outcome_words(outcome: Outcome) -> str:
    if isinstance(outcome, Ok):
        return f"Ok {outcome.status}"
    if isinstance(outcome, Err):
        return f"{outcome.error_type} {outcome.status}"
    assert isinstance(outcome, Unknown)
    return f"Unknown ({outcome.reason})"


def _span(op: Operation, origin: float) -> str:
    start = f"{(op.invoked - origin) * 1000:.1f}"
    if op.completed is None:
        return f"{start} ms - never completed"
    return f"{start} - {(op.completed - origin) * 1000:.1f} ms"


def _render(
    origin: float, key: Hashable, partition_size: int, witness: list[Operation],
    diagnosis: _Diagnosis, minimal: bool, spec: Any,
) -> str:
    blocked = diagnosis.blocked
    size = "the smallest part found" if not minimal else "no operation of it can be dropped"
    lines = [
        f"Not linearizable: partition {key!r}. {len(witness)} of its {partition_size} "
        f"operations are enough to show it ({size}).",
        "Times are ms since the first invocation of the history.",
    ]
    shown = witness
    if len(witness) > _SHOWN_OPERATIONS:
        shown = witness[-_SHOWN_OPERATIONS:]
        lines.append(f"  ... {len(witness) - len(shown)} earlier operations "
                     f"(all in CheckResult.witness)")
    for op in shown:
        mark = "  <- could not be placed" if op.id == blocked.id else ""
        lines.append(f"  #{op.id} client {op.client} [{_span(op, origin)}] "
                     f"{_describe(spec, op)}{mark}")
    order = diagnosis.linearized
    if not order:
        lines.append("No operation of it can come first.")
    else:
        tail = order[-8:]
        names = ", ".join(f"#{op.id} (client {op.client})" for op in tail)
        more = f"{len(order) - len(tail)} operations, then " if len(order) > len(tail) else ""
        lines.append(f"The longest order found places {more}{names}.")
    lines.append(
        f"Then {_name(blocked)} [{_span(blocked, origin)}] had been answered but could not "
        f"be placed: {diagnosis.reason}."
    )
    return "\n".join(lines)


def _check_seconds(name: str, value: object, *, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        allowed = "None or " if allow_none else ""
        raise UsageError.bad_argument(name, value, f"{allowed}a non-negative number of seconds")


__all__ = [
    "CheckResult",
    "DescribedSpec",
    "OrderedSpec",
    "ReadOnlySpec",
    "SequentialSpec",
    "check",
]
