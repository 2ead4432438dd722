"""The pure sequential model of Cognito Sync: the one oracle every check asks.

``Model.judge(belief, call, outcome)`` says whether a server's answer is allowed by
the contract (``docs/contract.md``), which properties it broke (``Failure``),
which MAY choices it showed (``Finding``), which property ids the step put to the
test (``witnessed``), and what the model believes afterwards (``belief``). No I/O,
no clock: a call's wall-clock window comes in through ``started_at``/``ended_at``.

Beliefs
    A :class:`Belief` is a frozen set of candidate worlds (immutable, hashable, with
    cached hashes and structural sharing). Where the contract says MAY and the
    answer does not yet show the server's choice, every candidate is kept and later
    answers prune them. A choice, once shown, is remembered in the world's
    ``Policies`` as the server's behaviour (SYNC-6 empty writes, DEL-3 tombstones of
    never-existing keys, DS-3 restart of a re-created dataset's count), so each
    unresolved MAY splits a world at most once. A finding is reported when the
    surviving worlds agree on a choice the previous belief left open.

Unknown answers (timeout, 429, 5xx)
    No violation (except WIRE-4, below). The next belief holds both "not applied"
    and every "applied" variant; timestamps of an applied write are unknown and the
    first listing that shows them pins them. The write's token may or may not be
    spent there.

Wrong answers
    The violations come from the world that explains the answer best (fewest
    violations, then a stable order). The next belief follows the server as far as
    it can: an accepted write is applied with the count and values the server
    returned; a refusal applies nothing; a listing that disagrees replaces what the
    model held for that dataset (existence, count, the records it showed, and, for a
    complete listing, the absence of the ones it left out). An accepted request with
    invalid input is applied when its fields can be read; Describe, Delete of a
    missing dataset and ListDatasets leave the belief as it was.

Tokens
    A ListRecords answer issues its SyncSessionToken for (pool, identity, dataset)
    and its NextToken for the listing's lastSyncCount and the dataset as it stood.
    Tokens do not expire within a run (TOK-5's lifetime is not modelled). A token
    that carried a refused write, or predates a DeleteDataset of its dataset, may be
    accepted or refused later (TOK-5). A nextToken must have been issued for the same
    scope (else 400, LIST-4); once the dataset has changed since, the server may
    refuse it, or serve the old or the new state. The model remembers the last 256
    tokens and 64 nextTokens per scope; an older one it cannot place is judged
    leniently (either answer).

Input
    VAL-1 is decided by ``cogsync.contracts.validation.input_violations``; lengths
    count code points, and a string over its limit only in UTF-16 units may be
    refused (VAL-4 MAY, the contract's astral-plane boundary).

Attribution: each violation carries the most specific property id.

====================================================================================================  =========
what the server did                                                                                   property
====================================================================================================  =========
accepted input that breaks a model constraint                                                         VAL-1
... where the only broken member is SyncSessionToken                                                  TOK-2
accepted a negative SyncCount, or refused it other than 400                                           VAL-3
refused valid input (and a live token) as InvalidParameter                                            VAL-2
answered 5xx to malformed input                                                                       WIRE-4
success body that breaks its JSON Schema                                                              WIRE-1
error whose status is not the model's for its type                                                    WIRE-2
error type the operation's model does not list                                                        WIRE-3
a key or value that came back changed by encoding                                                     WIRE-5
accepted a token no listing issued, or none                                                           TOK-2
accepted a token issued for another dataset of the identity                                           TOK-3
accepted a token issued for another (pool, identity)                                                  ISO-1
accepted a token that already carried a successful write                                              TOK-4
accepted a stale replace (count below the record's)                                                   CONF-1
accepted SyncCount 0 for a key that exists                                                            CONF-2
accepted a stale remove                                                                               CONF-3
refused with 409 a replace presenting the current count                                               CONF-1
refused with 409 a remove presenting the current count                                                CONF-3
refused with 409 a replace of a new key presenting 0                                                  SYNC-5
refused with 409 a replace presenting a tombstone's count                                             DEL-2
a refused write that changed state (seen later)                                                       CONF-4
... when the refusal was a 403                                                                        ISO-2
409 message not 'Current SyncCount for: k is: s not: c'                                               CONF-5
no order of a concurrent history is accepted (the linearizability checker's)                          CONF-6
after a restart: an acknowledged record, value or count changed or gone (the restarts phase's)        DUR-1
after a restart: a write counted at or below a count acknowledged before it                           DUR-1
a written record answered with a count other than N+1                                                 SYNC-2
write answer: other keys, a key twice, wrong or extra Value                                           SYNC-4
DeviceLastModifiedDate not echoed; LastModifiedDate outside the call's window                         SYNC-7
a write without patches answered records, or was refused                                              SYNC-6
listing's DatasetSyncCount above N (N+2 after a write)                                                SYNC-1
listing's DatasetSyncCount or a record's count went down                                              SYNC-3
listing: a record at or below lastSyncCount, one never written, or a live record left out (one page)  LIST-1
missing dataset not answered Exists false, count 0, empty                                             LIST-2
... after a DeleteDataset                                                                             DS-3
lastSyncCount above N on an existing dataset answered 200                                             LIST-3
page over maxResults; an item twice or left out over pages                                            LIST-4
count changing between pages; unknown nextToken answered                                              LIST-4
Count other than the records returned                                                                 LIST-5
listed Value / SyncCount / timestamps not the written ones                                            LIST-6
listing without a SyncSessionToken                                                                    TOK-1
removed key listed with a Value, or tombstone left out                                                DEL-1
Describe/ListDatasets: field absent, wrong name, CreationDate                                         DS-1
existing dataset left out of ListDatasets, or not described                                           DS-1
write to a missing dataset refused with 404                                                           DS-1
Describe/Delete of a missing dataset not answered 404                                                 DS-2
Delete of an existing dataset refused                                                                 DS-3
DatasetDeletedAfterRequestedSyncCount wrong                                                           DS-4
NumRecords / DataStorage not live (or all) records, bytes                                             DS-5
accepted past the dataset / record / byte limit                                                       LIM-1/2/3
refused with LimitExceeded within every limit (nearest one)                                           LIM-1/2/3
data of another (pool, identity) shows through                                                        ISO-1
====================================================================================================  =========

CONF-6 (linearizability) is never reported by ``judge``: the model is the sequential
specification the linearizability checker searches against, and the checker reports
CONF-6 when no order of a concurrent history is accepted (its row above). Nor is
DUR-1: the model has no call for a restart; the engine's restarts phase reads back
what was acknowledged before each restart (its rows above).

MAY points (findings, never violations): SYNC-6 (empty write bumps / creates),
CONF-7 (count above the server's or non-zero for a new key: accepted or 409),
DEL-3 (remove of a never-existing key: accepted or 409/404; listed as a tombstone
or not; tombstones in NumRecords/DataStorage), TOK-5 (token after a refused write
or a delete), LIM-4 (tombstones against the limits), LIST-7 (page sizes, maxResults
below 1), VAL-4 (keys over 128 UTF-8 bytes, a key twice in one request, a replace
without a Value, a negative lastSyncCount: accepted or 400), DS-3 (the re-created
count restarts at 0 or continues; a 409 to DeleteDataset). LastModifiedBy is never
checked (SYNC-7 leaves it open); a dataset's LastModifiedBy may be absent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from cogsync.contracts._model_datasets import judge_delete, judge_describe, judge_list_datasets
from cogsync.contracts._model_expect import expect_dataset, expect_list, expect_update
from cogsync.contracts._model_list import Listing, check_pages, judge_list
from cogsync.contracts._model_state import World
from cogsync.contracts._model_types import (
    IPE,
    Ctx,
    Finding,
    Verdict,
    combine,
    short,
)
from cogsync.contracts._model_wire import check_wire, is_unknown, server_error
from cogsync.contracts._model_write import judge_update
from cogsync.contracts.calls import AUTH_ERROR_TYPES, OPERATIONS, Call, Err, Ok, Outcome, Unknown
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.failures import Failure
from cogsync.contracts.validation import (
    MAY_CONSTRAINTS,
    SOFT_CONSTRAINTS,
    InputViolation,
    input_violations,
)
from cogsync.errors import UsageError

__all__ = ["Belief", "Failure", "Finding", "Judgement", "Model"]


class Belief:
    """The candidate worlds the server may be in. Immutable, hashable, cheap to compare.

    Equal beliefs hold the same set of worlds, whatever their order. The set (and so
    every world's hash) is built only when someone compares or hashes beliefs (the
    linearizability checker's memo): a session judging one call after another, almost
    always in a single world, never pays for it.
    """

    __slots__ = ("_set", "worlds")

    def __init__(self, worlds: Iterable[World]) -> None:
        if isinstance(worlds, frozenset):
            self.worlds: tuple[World, ...] = tuple(worlds)
            self._set: frozenset[World] | None = worlds
            return
        listed = tuple(worlds)
        if len(listed) > 1:
            listed = tuple(dict.fromkeys(listed))  # the same world reached twice is one
        self.worlds = listed
        self._set = None

    def _as_set(self) -> frozenset[World]:
        if self._set is None:
            self._set = frozenset(self.worlds)
        return self._set

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Belief):
            return NotImplemented
        return self is other or self._as_set() == other._as_set()

    def __hash__(self) -> int:
        return hash(self._as_set())

    def __len__(self) -> int:
        return len(self.worlds)

    def __repr__(self) -> str:
        return f"Belief({len(self.worlds)} world{'s' if len(self.worlds) != 1 else ''})"


class Judgement(NamedTuple):
    """What one answer showed: breaches, MAY choices, the properties it put to the test
    (``witnessed``: see :mod:`cogsync.contracts._model_types`), and the next belief.

    A named tuple: one is built per judged answer, so it must be cheap to build."""

    violations: tuple[Failure, ...]
    findings: tuple[Finding, ...]
    witnessed: frozenset[str]
    belief: Belief

    @property
    def ok(self) -> bool:
        return not self.violations


_POLICY_FINDINGS: dict[str, tuple[str, dict[bool, str]]] = {
    "empty_write_bumps": ("SYNC-6", {
        True: "an UpdateRecords with no patches bumps the dataset sync count",
        False: "an UpdateRecords with no patches leaves the dataset sync count alone"}),
    "empty_write_creates": ("SYNC-6", {
        True: "an UpdateRecords with no patches creates a missing dataset",
        False: "an UpdateRecords with no patches does not create a missing dataset"}),
    "ghost_tombstones": ("DEL-3", {
        True: "removing a key that never existed leaves a listed tombstone",
        False: "removing a key that never existed leaves nothing in listings"}),
    "recreate_restarts": ("DS-3", {
        True: "a re-created dataset's sync count restarts at 0",
        False: "a re-created dataset's sync count continues from its count at deletion"}),
}

#: Fields whose broken values the handlers can still read (to follow an accepted
#: invalid request); any other broken field leaves the belief as it was.
_READABLE_CONSTRAINTS = frozenset({"min_length", "max_length", "pattern", "negative"})
_READABLE_FIELDS = ("DeviceId", "ClientContext", "SyncSessionToken", "LastSyncCount",
                    "MaxResults", ".Value", ".DeviceLastModifiedDate")


class Model:
    """The sequential model: state + call + answer -> allowed or not, and the next state."""

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS, clock_skew: float = 5.0,
                 check_schemas: bool = True) -> None:
        if not isinstance(limits, Limits):
            raise UsageError.bad_argument("limits", limits, "a cogsync.contracts.constraints.Limits")
        if (not isinstance(clock_skew, (int, float)) or isinstance(clock_skew, bool)
                or not clock_skew >= 0 or clock_skew == float("inf")):
            raise UsageError.bad_argument("clock_skew", clock_skew, "a finite number of seconds >= 0")
        if not isinstance(check_schemas, bool):
            raise UsageError.bad_argument("check_schemas", check_schemas, "True or False")
        self.limits = limits
        self.clock_skew = float(clock_skew)
        self.check_schemas = check_schemas

    def __repr__(self) -> str:
        return (f"Model(limits={self.limits!r}, clock_skew={self.clock_skew!r}, "
                f"check_schemas={self.check_schemas!r})")

    def initial(self) -> Belief:
        """The belief before any call: nothing exists anywhere."""
        return Belief((World(),))

    # --- judging ---------------------------------------------------------------------

    def judge(self, belief: Belief, call: Call, outcome: Outcome, *,
              started_at: float | None = None, ended_at: float | None = None) -> Judgement:
        """Judge one answer; see the module docstring for what comes back."""
        if belief.__class__ is not Belief or call.__class__ is not Call or call.operation not in OPERATIONS:
            self._check(belief, call)
        if outcome.__class__ not in _OUTCOMES:
            self._check_outcome("outcome", outcome)
        ctx = (Ctx(self.limits, self.clock_skew, started_at, ended_at)
               if started_at.__class__ is float and ended_at.__class__ is float  # surely fine
               else self._ctx(started_at, ended_at))
        g = Verdict()
        if self.check_schemas:
            check_wire(call, outcome, g, serving=isinstance(outcome, Err) and _serving(belief))
        payload: Any = outcome
        if isinstance(outcome, Ok) and call.operation in ("ListRecords", "ListDatasets"):
            body = outcome.body if isinstance(outcome.body, dict) else {}
            complete = call.params.get("NextToken") is None and not body.get("NextToken")
            payload = Listing([body], complete)
            check_pages(call, payload, g, records_key=_items_key(call))
        return self._run(belief, call, outcome, payload, ctx, g)

    def judge_pages(self, belief: Belief, call: Call, pages: list[Outcome], *,
                    started_at: float | None = None, ended_at: float | None = None) -> Judgement:
        """Judge a whole pagination: ``call`` answered ``pages[0]``, each later page
        answering ``call`` with the NextToken of the page before (LIST-4, LIST-5)."""
        self._check(belief, call)
        if call.operation not in ("ListRecords", "ListDatasets"):
            raise UsageError.bad_argument("call", call, "a ListRecords or ListDatasets call")
        if not isinstance(pages, (list, tuple)) or not pages:
            raise UsageError.bad_argument("pages", pages, "a non-empty list of outcomes")
        for i, page in enumerate(pages):
            self._check_outcome(f"pages[{i}]", page)
            follows = i + 1 < len(pages)
            if follows and not (isinstance(page, Ok) and isinstance(page.body, dict)
                                and page.body.get("NextToken")):
                raise UsageError.bad_argument(
                    f"pages[{i}]", page, "a page with a NextToken, since another page follows")
        if len(pages) == 1:
            return self.judge(belief, call, pages[0], started_at=started_at, ended_at=ended_at)
        calls = [call] + [
            Call(call.operation, {**call.params, "NextToken": page.body["NextToken"]})  # type: ignore[union-attr]
            for page in pages[:-1]
        ]
        if not all(isinstance(page, Ok) for page in pages):
            return self._sequential(belief, calls, pages, started_at, ended_at)
        ctx = self._ctx(started_at, ended_at)
        g = Verdict()
        if self.check_schemas:
            for page_call, page in zip(calls, pages, strict=True):
                check_wire(page_call, page, g, serving=_serving(belief))
        bodies = [p.body if isinstance(p.body, dict) else {} for p in pages]  # type: ignore[union-attr]
        listing = Listing(bodies, call.params.get("NextToken") is None
                          and not bodies[-1].get("NextToken"))
        check_pages(call, listing, g, records_key=_items_key(call))
        return self._run(belief, call, pages[0], listing, ctx, g)

    def expectations(self, belief: Belief, call: Call) -> list[str]:
        """The answers the model allows for ``call``, in words (for reports)."""
        self._check(belief, call)
        hard, soft = _split(input_violations(call))
        if hard or soft:
            pid = _invalid_pid(hard) if hard else "VAL-3"
            return [f"refuse with 400 {IPE} [{pid}]: " + ", ".join(map(str, hard or soft))]
        ctx = self._ctx(None, None)
        out: list[str] = []
        for world in _ordered(belief):
            if call.operation == "UpdateRecords":
                lines = expect_update(world, call, ctx)
            elif call.operation == "ListRecords":
                lines = expect_list(world, call)
            else:
                lines = expect_dataset(world, call)
            out += [line for line in lines if line not in out]
        out.append("or a 403 access/signature error [ISO-2] (changes nothing)")
        return out

    # --- internals -------------------------------------------------------------------

    def _ctx(self, started_at: float | None, ended_at: float | None) -> Ctx:
        for name, value in (("started_at", started_at), ("ended_at", ended_at)):
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                raise UsageError.bad_argument(name, value, "epoch seconds (a number) or None")
        return Ctx(self.limits, self.clock_skew, started_at, ended_at)

    @staticmethod
    def _check(belief: Belief, call: Call) -> None:
        if not isinstance(belief, Belief):
            raise UsageError.bad_argument("belief", belief, "a Belief from Model.initial() or a "
                                          "previous Judgement")
        if not isinstance(call, Call) or call.operation not in OPERATIONS:
            raise UsageError.bad_argument("call", call, "a cogsync.contracts.calls.Call of one of "
                                          + ", ".join(OPERATIONS))

    @staticmethod
    def _check_outcome(name: str, outcome: Any) -> None:
        if not isinstance(outcome, (Ok, Err, Unknown)):
            raise UsageError.bad_argument(name, outcome, "an Ok, Err or Unknown")

    def _sequential(self, belief: Belief, calls: list[Call], pages: list[Outcome],
                    started_at: float | None, ended_at: float | None) -> Judgement:
        """A pagination that ended in an error or a lost answer: judge page by page."""
        violations: list[Failure] = []
        findings: list[Finding] = []
        witnessed: set[str] = set()
        for page_call, page in zip(calls, pages, strict=True):
            j = self.judge(belief, page_call, page, started_at=started_at, ended_at=ended_at)
            violations += [v for v in j.violations if v not in violations]
            findings += [f for f in j.findings if f not in findings]
            witnessed |= j.witnessed
            belief = j.belief
        return Judgement(tuple(violations), tuple(findings), frozenset(witnessed), belief)

    def _run(self, belief: Belief, call: Call, outcome: Outcome, payload: Any, ctx: Ctx,
             g: Verdict) -> Judgement:
        unknown = outcome.__class__ is not Ok and is_unknown(outcome)
        found = input_violations(call)
        optional = []
        if found:  # rarely: the valid calls of a run are most of it
            hard, soft = _split(found)
            if hard or soft:
                return _finish(belief, g, self._invalid(belief, call, outcome, payload, hard, soft,
                                                        unknown, ctx))
            optional = [x for x in found if x.constraint in MAY_CONSTRAINTS]
            if optional and isinstance(outcome, Err) and outcome.error_type == IPE:
                return _finish(belief, g, _refused_optional(belief, optional))
        arg = None if unknown else payload
        worlds = belief.worlds
        w = (_dispatch(worlds[0], call, arg, ctx) if len(worlds) == 1
             else combine([_dispatch(world, call, arg, ctx) for world in worlds]))
        if unknown:
            w.witnessed.clear()  # a lost answer puts nothing to the test
        elif isinstance(outcome, Ok):
            w.witnessed.add("VAL-2")  # valid input, accepted
            for x in optional:
                w.note("VAL-4", f"accepted: {_OPTIONAL_INPUT[x.constraint]} ({x.field})")
        return _finish(belief, g, w)

    def _invalid(self, belief: Belief, call: Call, outcome: Outcome, payload: Any,
                 hard: list[InputViolation], soft: list[InputViolation], unknown: bool,
                 ctx: Ctx) -> Verdict:
        """VAL-1 / TOK-2 / VAL-3: the only allowed answer is 400 InvalidParameterException."""
        pid = _invalid_pid(hard) if hard else "VAL-3"
        v = Verdict()
        broken = ", ".join(map(str, hard or soft))
        expected = f"400 {IPE} ({broken})"
        readable = all(_readable(x) for x in hard)
        follow: Any = None
        refused_as_invalid = False
        if unknown:
            crashed = server_error(outcome)  # WIRE-4: malformed input deserves a 4xx
            if crashed is not None:
                v.fail(crashed.property_id, crashed.title, crashed.expected, crashed.received)
        elif isinstance(outcome, Err):
            if _serving(belief):
                v.witness("WIRE-4")  # malformed input, answered without a 5xx, by a working server
            if outcome.error_type == IPE:
                refused_as_invalid = True
            elif outcome.error_type not in AUTH_ERROR_TYPES:
                v.fail(pid, "invalid input got the wrong error", expected,
                       f"{outcome.status} {outcome.error_type}: {short(outcome.message)}")
            follow = Err(IPE, 400)
        else:
            v.witness("WIRE-4")  # answered (wrongly) without a 5xx
            v.fail(pid, "invalid input was accepted", expected, "200 OK")
            follow = payload
        pending = _pending_for_invalid(call, pid, hard + soft, readable) if refused_as_invalid else None
        if follow is not None and readable:
            for world in belief.worlds:
                after = _dispatch(world, call, follow, ctx).successors
                if pending is not None:
                    earlier = world.slot(call.scope).dataset.refused
                    waiting = pending | (earlier.pending if earlier else frozenset())
                    after = [_expect(w, call.scope, waiting) for w in after]
                v.successors.extend(after)
        else:
            v.successors.extend(belief.worlds)
        if refused_as_invalid and pending is None and _serving(belief):
            v.witness(pid)
        return v


#: What the server's choice on each MAY input constraint is called in findings (VAL-4).
_OPTIONAL_INPUT = {"uppercase": "upper-case hex digits in an id"}
_SCOPE_FIELDS = frozenset({"IdentityPoolId", "IdentityId", "DatasetName"})


def _refused_optional(belief: Belief, optional: list[InputViolation]) -> Verdict:
    """Input the contract lets a server refuse (VAL-4), refused with 400: nothing changes."""
    v = Verdict()
    v.successors.extend(belief.worlds)
    if _serving(belief):
        for x in optional:
            v.note("VAL-4", f"refused with {IPE}: {_OPTIONAL_INPUT[x.constraint]} ({x.field})")
    return v


def _serving(belief: Belief) -> bool:
    """Has the server been seen to accept a write? The control of refusal witnesses."""
    worlds = belief.worlds
    if len(worlds) == 1:
        return worlds[0].accepted_a_write()
    return any(world.accepted_a_write() for world in worlds)


def _pending_for_invalid(call: Call, pid: str, broken: list[InputViolation],
                         readable: bool) -> frozenset[str] | None:
    """What an invalid request refused with 400 InvalidParameterException puts to the test.

    A write to an intact scope counts once a read shows nothing changed: the refusal's
    mark waits for it (CONF-4 too when the broken member is not a patch, so the batch
    held acceptable ones). None: any other refused request, which counts at once,
    provided the server was seen to accept valid writes (else it may refuse everything,
    and the refusal shows nothing).
    """
    if call.operation != "UpdateRecords" or not readable or any(x.field in _SCOPE_FIELDS for x in broken):
        return None
    pending = {pid}
    patches = call.params.get("RecordPatches")
    if isinstance(patches, list) and patches and not any(x.field.startswith("RecordPatches") for x in broken):
        pending.add("CONF-4")
    return frozenset(pending)


def _expect(world: World, scope: Any, pending: frozenset[str]) -> World:
    """``world`` with its refusal mark at ``scope`` waiting to confirm exactly ``pending``."""
    slot = world.slot(scope)
    mark = slot.dataset.refused
    if mark is None:
        return world
    return world.with_slot(scope, slot.with_(dataset=slot.dataset.with_(refused=mark.expecting(pending))))


def _dispatch(world: World, call: Call, payload: Any, ctx: Ctx) -> Verdict:
    op = call.operation
    if op == "UpdateRecords":
        return judge_update(world, call, payload, ctx)
    if op == "ListRecords":
        return judge_list(world, call, payload, ctx)
    if op == "DescribeDataset":
        return judge_describe(world, call, payload, ctx)
    if op == "DeleteDataset":
        return judge_delete(world, call, payload, ctx)
    return judge_list_datasets(world, call, payload, ctx)


def _items_key(call: Call) -> str:
    return "Records" if call.operation == "ListRecords" else "Datasets"


def _split(found: list[InputViolation]) -> tuple[list[InputViolation], list[InputViolation]]:
    """(hard: VAL-1 / TOK-2, soft: VAL-3); MAY constraints are in neither."""
    return ([x for x in found if x.constraint not in SOFT_CONSTRAINTS | MAY_CONSTRAINTS],
            [x for x in found if x.constraint in SOFT_CONSTRAINTS])


def _invalid_pid(hard: list[InputViolation]) -> str:
    return "TOK-2" if all(x.field == "SyncSessionToken" for x in hard) else "VAL-1"


def _readable(x: InputViolation) -> bool:
    return x.constraint in _READABLE_CONSTRAINTS or x.field.endswith(_READABLE_FIELDS)


def _ordered(belief: Belief) -> list[World]:
    return sorted(belief.worlds, key=repr)


#: The outcome types (checked by class first: the common case of every judged answer).
_OUTCOMES = frozenset({Ok, Err, Unknown})


def _finish(before: Belief, g: Verdict, w: Verdict) -> Judgement:
    successors = w.successors
    after = Belief(successors) if successors else before
    findings = g.findings
    if len(successors) == len(before.worlds) == 1 and successors[0].policies is before.worlds[0].policies:
        newly: list[Finding] = []  # one world before and after, its choices untouched (the usual case)
    else:
        newly = _resolved(before, after)
    for f in (*w.findings, *newly) if w.findings or newly else ():
        if f not in findings:
            findings.append(f)
    witnessed = g.witnessed
    witnessed |= w.witnessed
    violations = g.violations + w.violations if w.violations else g.violations
    return Judgement(tuple(violations), tuple(findings), frozenset(witnessed), after)


def _resolved(before: Belief, after: Belief) -> list[Finding]:
    """Findings for MAY choices the surviving worlds now agree on, and did not before."""
    if {w.policies for w in after.worlds} == {w.policies for w in before.worlds}:
        return []  # the same choices still open, or settled: nothing newly agreed on
    out = []
    for name, (pid, texts) in _POLICY_FINDINGS.items():
        was = {getattr(w.policies, name) for w in before.worlds}
        now = {getattr(w.policies, name) for w in after.worlds}
        if len(now) == 1 and now != was:
            value = next(iter(now))
            if value is not None:
                out.append(Finding(pid, texts[value]))
    return out
