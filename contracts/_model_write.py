"""UpdateRecords in one candidate world: why it may be refused, what success looks like.

A :class:`WritePlan` lists the ``must`` reasons (a correct server refuses) and the
``may`` reasons (the contract lets it refuse) with the error types each allows;
then the answer is judged against the plan. Any one of several applicable errors
is allowed: the contract does not order them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cogsync.contracts import constraints as C
from cogsync.contracts._model_state import (
    DOUBTFUL,
    EMPTY,
    LIVE,
    MAYBE,
    NO_USAGE,
    SPENT,
    DatasetState,
    Record,
    RefusalMark,
    Scope,
    Slot,
    Usage,
    World,
    utf8_len,
)
from cogsync.contracts._model_types import (
    CONFLICT,
    IPE,
    LIMIT,
    NOT_FOUND,
    Ctx,
    Reason,
    Verdict,
    as_int,
    as_num,
    combine,
    same_time,
    short,
)
from cogsync.contracts._model_wire import looks_mangled, tests_encoding
from cogsync.contracts.calls import AUTH_ERROR_TYPES, Call, Err, Outcome

#: The SDKs refuse longer keys client-side; the service's own limit is 1024 characters.
SDK_KEY_BYTES = 128

#: Duplicate keys in one request multiply the candidate final states; past this many
#: combinations the model assumes the last patch of each key wins.
MAX_DUPLICATE_BRANCHES = 16


@dataclass(slots=True)
class PatchPlan:
    op: str
    key: str
    value: str | None  # None: remove, or replace without a Value
    sent: int
    device_modified: float | None
    current: Record | None
    case: str  # create | update | revive | remove | remove_absent


@dataclass(slots=True)
class WritePlan:
    origin: World  # the world before any policy branching (used when nothing applies)
    world: World
    scope: Scope
    slot: Slot
    dataset: DatasetState
    token: Any
    base: int  # N: the dataset count the write builds on
    creates: bool
    limits: Any = None
    # Filled in while planning (never passed in):
    patches: list[PatchPlan] = field(default_factory=list, init=False)
    final: dict[str, PatchPlan] = field(default_factory=dict, init=False)
    sent_values: dict[str, set[str | None]] = field(default_factory=dict, init=False)
    duplicates: set[str] = field(default_factory=set, init=False)
    must: list[Reason] = field(default_factory=list, init=False)
    may: list[Reason] = field(default_factory=list, init=False)
    troubled: set[str] = field(default_factory=set, init=False)  # keys whose own patch is a reason to refuse
    usage_after: Usage | None = field(default=None, init=False)  # the dataset's, had every patch applied
    new_count: int = field(default=0, init=False)  # the count a write that applies gives (N + 1)
    empty: bool = field(default=True, init=False)  # no patches (set once planned)

    def __post_init__(self) -> None:
        self.new_count = self.base + 1

    @property
    def acceptable_keys(self) -> set[str]:
        """Keys whose patch alone would be accepted: a refusal must leave them untouched (CONF-4)."""
        return set(self.final) - self.troubled


# --- the plan ------------------------------------------------------------------------


def token_reason(world: World, scope: Scope, token: Any) -> tuple[Reason | None, bool]:
    """(reason, is_must) for the SyncSessionToken a write carries (TOK-2..5, ISO-1)."""
    if not isinstance(token, str):
        return Reason("TOK-2", frozenset({IPE}), "no SyncSessionToken"), True
    slot = world.slot(scope)
    status = slot.tokens.get(token)
    if status == LIVE:
        return None, False
    if status == SPENT:
        return Reason("TOK-4", frozenset({IPE}), "the token already carried a successful write"), True
    if status in (DOUBTFUL, MAYBE):
        finding = (
            "a SyncSessionToken that carried a refused write, or predates a DeleteDataset"
            if status == DOUBTFUL
            else None
        )
        return Reason("TOK-5", frozenset({IPE}), "the token may be dead", finding), False
    for other_scope, other in world.other_slots(scope):
        if token in other.tokens:
            pid = "TOK-3" if other_scope[:2] == scope[:2] else "ISO-1"
            return Reason(pid, frozenset({IPE}), f"the token was issued for {other_scope}"), True
    if slot.forgot_tokens:
        return Reason("TOK-2", frozenset({IPE}), "the token is too old to check"), False
    return Reason("TOK-2", frozenset({IPE}), "no listing issued this token"), True


def recreate_variants(world: World, call: Call) -> list[World]:
    """Split on DS-3's MAY (does a re-created dataset count from 0?) when a write reveals it."""
    slot = world.slot(call.scope)
    ds = slot.dataset
    if (
        ds.exists
        or not ds.deleted
        or ds.deleted_count == 0
        or world.policies.recreate_restarts is not None
        or not call.params.get("RecordPatches")
    ):
        return [world]
    return [
        world.with_policies(recreate_restarts=True),
        world.with_policies(recreate_restarts=False),
    ]


def _base_options(world: World, ds: DatasetState) -> list[tuple[int, bool | None]]:
    """(N, recreate policy) pairs a write to a missing dataset may build on."""
    if ds.exists:
        return [(ds.count, world.policies.recreate_restarts)]
    if not ds.deleted or ds.deleted_count == 0:
        return [(0, world.policies.recreate_restarts)]
    restarts = world.policies.recreate_restarts
    if restarts is None:
        return [(0, True), (ds.deleted_count, False)]
    return [(0 if restarts else ds.deleted_count, restarts)]


def plan_write(origin: World, world: World, call: Call, ctx: Ctx) -> WritePlan:
    p = call.params
    scope = call.scope
    slot = world.slot(scope)
    ds = slot.dataset
    base = ds.count if ds.exists else _base_options(world, ds)[0][0]
    plan = WritePlan(origin, world, scope, slot, ds, p.get("SyncSessionToken"), base,
                     creates=not ds.exists, limits=ctx.limits)
    reason, is_must = token_reason(world, scope, plan.token)
    if reason is not None:
        (plan.must if is_must else plan.may).append(reason)
    records = ds.records if ds.exists else EMPTY
    for raw in p.get("RecordPatches") or []:
        _plan_patch(plan, raw, records.get(raw.get("Key")))
    plan.empty = not plan.patches
    if len(plan.final) < len(plan.patches):  # some key patched twice
        counts = Counter(pp.key for pp in plan.patches)
        plan.duplicates = {key for key, n in counts.items() if n > 1}
    if plan.duplicates:
        key = sorted(plan.duplicates)[0]
        plan.may.append(Reason("VAL-4", frozenset({IPE, CONFLICT}),
                               f"key {short(key)} patched twice in one request",
                               f"the same key twice in one request ({short(key)})"))
    long_keys = (sorted(k for k in plan.final if utf8_len(k) > SDK_KEY_BYTES)
                 if plan.final and 4 * max(map(len, plan.final)) > SDK_KEY_BYTES else [])
    if long_keys:
        plan.may.append(Reason("VAL-4", frozenset({IPE}),
                               f"key of {utf8_len(long_keys[0])} UTF-8 bytes",
                               f"a key over {SDK_KEY_BYTES} UTF-8 bytes"))
    utf16 = _over_in_utf16(p)
    if utf16:
        plan.may.append(Reason("VAL-4", frozenset({IPE}), f"{utf16} is over its length limit "
                               "when astral characters count as two UTF-16 units",
                               f"{utf16} within its limit in code points, over it in UTF-16"))
    plan.troubled.update(plan.duplicates, long_keys)
    if utf16 and utf16.startswith("RecordPatches["):
        index = int(utf16.split("[", 1)[1].split("]", 1)[0])
        plan.troubled.add(plan.patches[index].key)
    if not plan.empty:
        _plan_limits(plan, ctx)
    else:
        pool, ident, _ = scope
        have = world.live_dataset_count(pool, ident)
        if plan.creates and have >= ctx.limits.max_datasets_per_identity:
            plan.may.append(Reason("SYNC-6", frozenset({LIMIT}),
                                   f"the identity already has {have} datasets",
                                   "a write with no patches to a new dataset at the dataset limit"))
    return plan


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _over_in_utf16(params: dict[str, Any]) -> str | None:
    """The first string within its length limit in code points but over it in UTF-16 units.

    The contract leaves it open (MAY) which way a server counts at the boundary.
    """
    checks: list[tuple[str, Any, int | None]] = [
        ("DeviceId", params.get("DeviceId"), C.DEVICE_ID.max_length)]
    for i, patch in enumerate(params.get("RecordPatches") or []):
        key, value = patch.get("Key"), patch.get("Value")
        if (key.__class__ is str and key.isascii()
                and (value is None or value.__class__ is str and value.isascii())):
            continue  # one code point, one UTF-16 unit: nothing to find here (the usual patch)
        checks.append((f"RecordPatches[{i}].Key", key, C.RECORD_KEY.max_length))
        checks.append((f"RecordPatches[{i}].Value", value, C.RECORD_VALUE.max_length))
    for name, value, limit in checks:
        if (isinstance(value, str) and not value.isascii() and limit is not None
                and len(value) <= limit < _utf16_len(value)):
            return name
    return None


def _at(conflict: tuple[str, int, int]) -> str:
    key, cur, sent = conflict
    return f"key {short(key)} is at {cur}, sent {sent}"


def _plan_patch(plan: WritePlan, raw: dict[str, Any], current: Record | None) -> None:
    """Why one patch may or must be refused: a stale count (CONF-1, CONF-2 at 0, CONF-3 for a
    remove), a count ahead (CONF-7), a remove of a key never written (DEL-3), a replace
    without a Value (VAL-4)."""
    op, key, sent = raw["Op"], raw["Key"], raw["SyncCount"]
    value = raw.get("Value") if op == "replace" else None
    if value is not None and not isinstance(value, str):
        value = None
    pp = PatchPlan(op, key, value, sent, as_num(raw.get("DeviceLastModifiedDate")), current, "")
    cur = current.count if current is not None else 0
    conflict = (key, cur, sent)
    reasons = len(plan.must) + len(plan.may)
    if op == "replace":
        if current is None:
            pp.case = "create"
        else:
            pp.case = "update" if current.live else "revive"
        if current is not None and sent < cur:
            pid = "CONF-2" if sent == 0 else "CONF-1"
            plan.must.append(Reason(pid, frozenset({CONFLICT}), _at(conflict), conflict=conflict))
        elif sent > cur:
            what = "above the server's" if current is not None else "non-zero for a new key"
            plan.may.append(Reason("CONF-7", frozenset({CONFLICT}), _at(conflict),
                                   f"a SyncCount {what} ({_at(conflict)})", conflict))
        if raw.get("Value") is None:
            plan.may.append(Reason("VAL-4", frozenset({IPE}), f"replace of {short(key)} without a Value",
                                   "a replace patch without a Value"))
    else:
        if current is None:
            pp.case = "remove_absent"
            plan.may.append(Reason("DEL-3", frozenset({CONFLICT, NOT_FOUND}),
                                   f"key {short(key)} does not exist",
                                   f"removal of a key that does not exist ({short(key)})",
                                   conflict))
        else:
            pp.case = "remove"
            if sent < cur:
                plan.must.append(Reason("CONF-3", frozenset({CONFLICT}), _at(conflict), conflict=conflict))
            elif sent > cur:
                plan.may.append(Reason("CONF-7", frozenset({CONFLICT}), _at(conflict),
                                       f"a SyncCount above the server's ({_at(conflict)})", conflict))
    if len(plan.must) + len(plan.may) > reasons:
        # Its own patch gives a reason to refuse (an earlier patch of the same key that did
        # has already marked it): a refusal may leave it untouched (CONF-4).
        plan.troubled.add(key)
    plan.patches.append(pp)
    plan.final[key] = pp
    plan.sent_values.setdefault(key, set()).add(value)


def _plan_limits(plan: WritePlan, ctx: Ctx) -> None:
    """Why a write must be refused for a limit (LIM-1 datasets, LIM-2 live records, LIM-3 live
    bytes), or may be when tombstones count (LIM-4)."""
    limits = ctx.limits
    ds = plan.dataset
    before = ds.usage() if ds.exists else NO_USAGE
    after = plan.usage_after = before.after((key, pp.current, pp.value) for key, pp in plan.final.items())
    live_n, live_b, all_n, all_b = after.live_records, after.live_bytes, after.all_records, after.all_bytes
    was_n, was_b = before.live_records, before.live_bytes
    if all_n > limits.max_records_per_dataset or all_b > limits.max_dataset_bytes:  # live <= all
        for pid, live, total, was, limit, unit in (
            ("LIM-2", live_n, all_n, was_n, limits.max_records_per_dataset, "records"),
            ("LIM-3", live_b, all_b, was_b, limits.max_dataset_bytes, "bytes"),
        ):
            if live > limit and live > was:
                plan.must.append(Reason(pid, frozenset({LIMIT}),
                                        f"the dataset would hold {live} live {unit}, limit {limit}"))
            elif total > limit:
                plan.may.append(Reason("LIM-4", frozenset({LIMIT}),
                                       f"{total} {unit} counting tombstones, limit {limit}",
                                       f"a write over the {unit} limit only if tombstones count"))
    if plan.creates:
        pool, ident, _ = plan.scope
        have = plan.world.live_dataset_count(pool, ident)
        if have >= limits.max_datasets_per_identity:
            plan.must.append(Reason("LIM-1", frozenset({LIMIT}),
                                    f"the identity has {have} datasets, limit "
                                    f"{limits.max_datasets_per_identity}"))


# --- judging ---------------------------------------------------------------------------


def judge_update(world: World, call: Call, outcome: Outcome | None, ctx: Ctx) -> Verdict:
    """Judge one UpdateRecords answer (None: unknown) in one world."""
    verdicts = []
    for variant in recreate_variants(world, call):
        plan = plan_write(world, variant, call, ctx)
        v = Verdict()
        if outcome is None:
            v.successors.append(refused(plan, MAYBE, mark=False))
            if not plan.must:
                v.successors.extend(applied_empty(plan, ctx) if plan.empty
                                    else applied(plan, ctx, None))
        elif isinstance(outcome, Err):
            _judge_err(plan, outcome, v)
        else:
            _judge_ok(plan, outcome.body if isinstance(outcome.body, dict) else {}, ctx, v)
        verdicts.append(v)
    return combine(verdicts)


#: Refusals that put their property to the test at once (the key's count had moved,
#: the limit was reached: an accepted write would have shown the breach).
_REFUSAL_WITNESSES = frozenset({"CONF-1", "CONF-2", "CONF-3", "LIM-1", "LIM-2", "LIM-3"})
#: Refusals that put their property to the test once a read shows nothing changed.
_CONFIRMED_REFUSALS = frozenset({"TOK-2", "TOK-3", "TOK-4", "ISO-1"})


def _cause(plan: WritePlan, err: Err) -> Reason | None:
    """The one reason the refusal answers, if it can be told (else None)."""
    reasons = [r for r in plan.must + plan.may if err.error_type in r.errors]
    if len(reasons) > 1 and err.error_type == CONFLICT:
        reasons = [r for r in reasons if r.conflict is not None
                   and f"for: {r.conflict[0]} is:" in err.message] or reasons
    return reasons[0] if len(reasons) == 1 else None


def _refusal_witnesses(plan: WritePlan, err: Err, v: Verdict) -> frozenset[str]:
    """Witness what this allowed refusal tested now; return what a later read will confirm."""
    cause = _cause(plan, err)
    pending: set[str] = set()
    if cause is not None and cause in plan.must:
        if cause.property_id in _REFUSAL_WITNESSES:
            v.witness(cause.property_id)
        elif cause.property_id in _CONFIRMED_REFUSALS:
            pending.add(cause.property_id)
    if plan.acceptable_keys:
        pending.add("CONF-4")
    return frozenset(pending)


def _judge_err(plan: WritePlan, err: Err, v: Verdict) -> None:
    etype = err.error_type
    if etype in AUTH_ERROR_TYPES:  # refused before the operation ran: tests nothing here (ISO-2 is the auth probe's)
        v.successors.append(refused(plan, DOUBTFUL, mark=True, by_auth=True))
        return
    must_types = frozenset().union(*(r.errors for r in plan.must))
    may_types = frozenset().union(*(r.errors for r in plan.may))
    pending: frozenset[str] = frozenset({"CONF-4"}) if plan.acceptable_keys else frozenset()
    if etype in must_types or etype in may_types:
        if etype not in must_types and plan.origin.accepted_a_write():
            for r in plan.may:
                if etype in r.errors and r.finding:
                    v.note(r.property_id, f"refused with {etype}: {r.finding}")
        if etype == CONFLICT:
            _check_conflict_message(plan, err, v)
        pending = _refusal_witnesses(plan, err, v)
    elif plan.must:
        r = plan.must[0]
        v.fail(r.property_id, f"a write that must be refused ({r.why}) got the wrong error",
               r.expected(), f"{err.status} {etype}: {short(err.message)}")
    else:
        pid, why = wrongful_refusal(plan, err)
        v.fail(pid, "a write the contract accepts was refused", f"200 ({why})",
               f"{err.status} {etype}: {short(err.message)}")
    v.successors.append(refused(plan, DOUBTFUL, mark=True, pending=pending))


def _check_conflict_message(plan: WritePlan, err: Err, v: Verdict) -> None:
    """CONF-5: the 409 names one conflicting key and both counts, in the observed form."""
    reasons = [r for r in plan.must + plan.may if CONFLICT in r.errors]
    if not reasons or any(r.conflict is None for r in reasons):
        return
    v.witness("CONF-5")
    texts = [f"Current SyncCount for: {k} is: {s} not: {c}" for k, s, c in
             (r.conflict for r in reasons if r.conflict is not None)]
    if not any(text in err.message for text in texts):
        v.fail("CONF-5", "the 409 message does not name the key and both counts",
               " or ".join(repr(t) for t in texts[:3]), short(err.message, 160))


def wrongful_refusal(plan: WritePlan, err: Err) -> tuple[str, str]:
    """The property a refusal of an acceptable write breaks, most specific first."""
    etype = err.error_type
    if plan.empty:
        return "SYNC-6", "a write with no patches answers 200"
    if etype == IPE:
        return "VAL-2", "the request is valid and its token live"
    if etype == CONFLICT:
        named = [pp for pp in plan.patches if f"for: {pp.key} is:" in err.message]
        pool = named or plan.patches
        for case, pid, why in (
            ("revive", "DEL-2", "a replace presenting the tombstone's count revives it"),
            ("create", "SYNC-5", "a replace of a new key presenting 0 creates it"),
            ("remove", "CONF-3", "a removal presenting the current count is not stale"),
            ("update", "CONF-1", "a replace presenting the current count is not stale"),
        ):
            if any(pp.case == case for pp in pool):
                return pid, why
        return "CONF-1", "no patch is stale"
    if etype == LIMIT:
        return _nearest_limit(plan)
    if etype == NOT_FOUND and plan.creates:
        return "DS-1", "a write creates a dataset that does not exist"
    return "SYNC-1", "a write with current counts succeeds"


def _nearest_limit(plan: WritePlan) -> tuple[str, str]:
    ds = plan.dataset
    usage = ds.usage() if ds.exists else None
    live_n = (usage.live_records if usage else 0) + len(plan.final)
    live_b = (usage.live_bytes if usage else 0) + sum(
        utf8_len(k) + (utf8_len(p.value) if p.value else 0) for k, p in plan.final.items()
    )
    pool, ident, _ = plan.scope
    datasets = plan.world.live_dataset_count(pool, ident) + (1 if plan.creates else 0)
    limits = plan.limits
    return max(
        (live_n / limits.max_records_per_dataset, "LIM-2", "within the record limit"),
        (live_b / limits.max_dataset_bytes, "LIM-3", "within the size limit"),
        (datasets / limits.max_datasets_per_identity, "LIM-1", "within the dataset limit"),
    )[1:]


def _judge_ok(plan: WritePlan, body: dict[str, Any], ctx: Ctx, v: Verdict) -> None:
    for r in plan.must:
        v.fail(r.property_id, f"a write that must be refused was accepted ({r.why})",
               r.expected(), "200 OK")
    for r in plan.may:
        if r.finding:
            v.note(r.property_id, f"accepted: {r.finding}")
    records = body.get("Records")
    if plan.empty:
        if records:
            v.fail("SYNC-6", "a write with no patches answered records",
                   "no Records (absent or empty)", short(records))
        v.successors.extend(applied_empty(plan, ctx))
        return
    v.witnessed.update(("SYNC-1", "SYNC-4"))
    observed = _check_records(plan, records if isinstance(records, list) else [], ctx, v)
    for pp in plan.patches:  # a new key created, a tombstone revived, at the count they stood
        if pp.case in _CREATING_CASES and pp.sent == (pp.current.count if pp.current else 0):
            v.witness(_CREATING_CASES[pp.case])
    if plan.creates and plan.dataset.deleted:
        v.witness("DS-3")
    v.successors.extend(applied(plan, ctx, body, observed if v.violations else None))


#: A write's patch cases that bring a key to life, and the property they put to the test.
_CREATING_CASES = {"create": "SYNC-5", "revive": "DEL-2"}


def _check_records(plan: WritePlan, records: list[Any], ctx: Ctx, v: Verdict) -> int | None:
    """SYNC-2/4/7 and WIRE-5 on a write's answer; returns the count the records carry."""
    seen: set[str] = set()
    counts: set[int | None] = set()
    mark = plan.dataset.refused if plan.dataset.exists else None
    final, new_count, witnessed = plan.final, plan.new_count, v.witnessed
    timed = ctx.started_at is not None and ctx.ended_at is not None
    for r in records:
        if not isinstance(r, dict):
            continue
        key: Any = r.get("Key")
        if key in seen and key not in plan.duplicates:
            v.fail("SYNC-4", "the write's answer lists a key twice", "one record per patched key",
                   short(key))
        count = as_int(r.get("SyncCount"))
        counts.add(count)
        pp = final.get(key)
        if pp is None:
            if any(looks_mangled(k, key) for k in final if k not in seen):
                v.fail("WIRE-5", "a key came back changed", "the keys exactly as sent", short(key))
            else:
                v.fail("SYNC-4", "the write's answer lists a key that was not patched",
                       f"exactly the patched keys {short(sorted(final))}", short(key))
            continue
        seen.add(key)
        witnessed.add("SYNC-2")
        if tests_encoding(key) or any(map(tests_encoding, plan.sent_values[key])):
            witnessed.add("WIRE-5")
        if count != new_count:
            pid = "SYNC-2"
            if mark and count is not None and new_count < count <= new_count + mark.writes:
                pid = mark.property_id
            v.fail(pid, "a written record came back with the wrong sync count",
                   f"SyncCount {new_count} (dataset at {plan.base}, plus one)", short(count))
        if r.get("Value") not in plan.sent_values[key]:
            _wrong_value(plan, key, r, v)
        sent_dlmd = pp.device_modified
        if sent_dlmd is not None:
            witnessed.add("SYNC-7")
            got_dlmd = as_num(r.get("DeviceLastModifiedDate"))
            if got_dlmd is None or not same_time(sent_dlmd, got_dlmd):
                v.fail("SYNC-7", "DeviceLastModifiedDate was not kept as sent", repr(sent_dlmd),
                       short(r.get("DeviceLastModifiedDate")))
        if timed:
            witnessed.add("SYNC-7")  # the server's clock held to the call's own time window
        lmd = as_num(r.get("LastModifiedDate"))
        if lmd is None or not ctx.within(lmd):
            v.fail("SYNC-7", "LastModifiedDate is missing or outside the call's time window",
                   ctx.describe_window(), short(r.get("LastModifiedDate")))
    missing = [k for k in plan.final if k not in seen]
    if missing:
        v.fail("SYNC-4", "the write's answer leaves out patched keys",
               f"one record for each of {short(sorted(plan.final))}", f"missing {short(missing)}")
    return counts.pop() if len(counts) == 1 else None


def _wrong_value(plan: WritePlan, key: str, r: dict[str, Any], v: Verdict) -> None:
    """A written record came back with a Value that was not sent: which property broke."""
    allowed = plan.sent_values[key]
    got = r.get("Value")
    if allowed == {None}:
        v.fail("SYNC-4", "a removed record came back with a Value", "no Value (absent or null)",
               short(got))
    elif any(s is not None and looks_mangled(s, got) for s in allowed):
        v.fail("WIRE-5", "a value came back changed", short(sorted(allowed, key=repr)), short(got))
    else:
        v.fail("SYNC-4", "a written record came back with another Value",
               short(sorted(allowed, key=repr)), short(got))


# --- successors ------------------------------------------------------------------------


def refused(plan: WritePlan, status: str, *, mark: bool, by_auth: bool = False,
            pending: frozenset[str] = frozenset()) -> World:
    """The world after a refusal: nothing applied; the token's fate is TOK-5's MAY.

    ``pending``: what a later read that shows nothing changed will have put to the test.
    """
    world = plan.origin
    slot = world.slot(plan.scope)
    token = plan.token
    if isinstance(token, str) and slot.tokens.get(token) in (LIVE, MAYBE):
        slot = slot.set_token(token, status if slot.tokens.get(token) == LIVE else MAYBE)
    if mark:
        ds = slot.dataset
        new_mark = RefusalMark(frozenset(plan.final), 1, not ds.exists, by_auth, pending)
        slot = slot.with_(dataset=ds.with_(refused=new_mark.merge(ds.refused)))
    return world.with_slot(plan.scope, slot)


def _spend(slot: Slot, token: Any) -> Slot:
    return slot.set_token(token, SPENT) if isinstance(token, str) else slot


def _observed_by_key(body: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    records = body.get("Records") if body else None
    for r in records if isinstance(records, list) else []:
        if isinstance(r, dict) and isinstance(r.get("Key"), str):
            out.setdefault(r["Key"], []).append(r)
    return out


def applied(
    plan: WritePlan, ctx: Ctx, body: dict[str, Any] | None, follow_count: int | None = None
) -> list[World]:
    """Worlds after the write took effect (``body`` None: its answer was lost).

    With ``follow_count`` (the answer broke the contract) the model adopts the count
    and values the server returned, so later calls are judged against what it did.
    """
    new_n = follow_count if follow_count is not None else plan.new_count
    observed = _observed_by_key(body)
    options: dict[str, list[Any]] = {}  # keys whose value has more than one candidate
    stamps: dict[str, tuple[float | None, float | None]] = {}
    fixed: dict[str, Record] = {}
    ghosts: dict[str, Record] = {}
    for key, pp in plan.final.items():
        seen = observed.get(key)
        first = seen[0] if seen else {}
        dlmd = pp.device_modified
        if dlmd is None:
            dlmd = as_num(first.get("DeviceLastModifiedDate"))
        stamp = stamps[key] = (as_num(first.get("LastModifiedDate")), dlmd)
        got = first.get("Value") if seen else None
        if key in plan.duplicates:
            candidates: list[str | None] = sorted(plan.sent_values[key], key=repr)
            if seen is not None and len(seen) == 1 and got in candidates:
                candidates = [got]
            options[key] = [Record(value, new_n, *stamp) for value in candidates]
            if None in candidates and pp.current is None:
                # Removed after being written in the same batch, or a removal of a key
                # that never existed: a tombstone, or nothing, whatever DEL-3's policy.
                options[key].append(None)
            continue
        value = pp.value
        if follow_count is not None and isinstance(got, str) and value is not None:
            value = got  # follow the server's (wrong) value
        if value is None and pp.current is None:
            ghosts[key] = Record(None, new_n, *stamp)  # a removal of a key that never existed (DEL-3)
        else:
            fixed[key] = Record(value, new_n, *stamp)
    if not options and not ghosts:  # one outcome (the usual write): the plan counted its usage
        usage = plan.usage_after if follow_count is None else None
        return [_with_write(plan.world, plan, ctx, new_n, fixed, usage)]
    combos: list[tuple[Any, ...]] = [()]
    if options:
        combos = list(itertools.product(*options.values()))
        if len(combos) > MAX_DUPLICATE_BRANCHES:
            combos = [tuple(Record(plan.final[key].value, new_n, *stamps[key]) for key in options)]
    policy = plan.world.policies.ghost_tombstones
    ghost_options: list[bool | None] = [None]
    if ghosts:
        ghost_options = [True, False] if policy is None else [policy]
    out = []
    for combo in combos:
        updates = dict(fixed)
        for key, rec in zip(options, combo, strict=True):
            if rec is not None:
                updates[key] = rec
        for ghost in ghost_options:
            world = plan.world
            written = updates
            if ghost is not None:
                world = world.with_policies(ghost_tombstones=ghost)
                if ghost:
                    written = {**updates, **ghosts}
            out.append(_with_write(world, plan, ctx, new_n, written))
    return out


def _with_write(
    world: World, plan: WritePlan, ctx: Ctx, new_n: int, updates: dict[str, Record],
    usage: Usage | None = None,
) -> World:
    ds = plan.dataset
    changes: dict[str, Any] = {"exists": True, "count": new_n, "refused": None}
    if plan.creates:
        changes.update(base=plan.base, created=ctx.window)
    slot = plan.slot
    dataset = ds.with_records(updates, usage, **changes)
    if isinstance(plan.token, str):  # the token carried a successful write: spent (TOK-4)
        slot = slot.with_(tokens=slot.tokens.set(plan.token, SPENT), dataset=dataset)
    else:
        slot = slot.with_(dataset=dataset)
    return world.with_slot(plan.scope, slot)


def applied_empty(plan: WritePlan, ctx: Ctx) -> list[World]:
    """SYNC-6: a write with no patches may bump N, and may create a missing dataset."""
    world, ds = plan.world, plan.dataset
    slot = _spend(plan.slot, plan.token)
    policies = world.policies
    bumps = [True, False] if policies.empty_write_bumps is None else [policies.empty_write_bumps]
    out = []
    if ds.exists:
        for bump in bumps:
            new = ds.with_(count=ds.count + (1 if bump else 0), refused=None)
            out.append(world.with_policies(empty_write_bumps=bump)
                       .with_slot(plan.scope, slot.with_(dataset=new)))
        return out
    pool, ident, _ = plan.scope
    at_limit = (world.live_dataset_count(pool, ident)
                >= ctx.limits.max_datasets_per_identity)
    creates = [True, False] if policies.empty_write_creates is None else [
        policies.empty_write_creates]
    for create in creates:
        if not create:
            out.append(world.with_policies(empty_write_creates=False).with_slot(plan.scope, slot))
            continue
        if at_limit:  # a creating server refuses here; one that answered 200 did not create
            out.append(world.with_slot(plan.scope, slot))
            continue
        for base, restarts in _base_options(world, ds):
            for bump in bumps:
                new = ds.with_(exists=True, count=base + (1 if bump else 0), records=EMPTY,
                               base=base, created=ctx.window, refused=None)
                out.append(world.with_policies(empty_write_creates=True, empty_write_bumps=bump,
                                               recreate_restarts=restarts)
                           .with_slot(plan.scope, slot.with_(dataset=new)))
    return out
