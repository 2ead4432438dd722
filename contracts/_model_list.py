"""ListRecords: delta listing (LIST-1..7), tokens (TOK-1), deletions (DS-3, DS-4).

A listing is judged as one :class:`Listing`: a single page, or every page of a
pagination stitched together (``judge_pages``). Checks that need no state (page
sizes, Count, a token on every page) run once in :func:`check_pages`; the rest
runs per candidate world in :func:`judge_list`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cogsync.contracts._model_state import (
    DatasetState,
    PageBinding,
    Record,
    Scope,
    World,
)
from cogsync.contracts._model_types import (
    IPE,
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
from cogsync.contracts.calls import AUTH_ERROR_TYPES, Call, Err


@dataclass(slots=True)
class Listing:
    """What one listing showed, over all its pages (gathered once, read by every world)."""

    pages: list[dict[str, Any]]
    complete: bool  # from the first record to the last page (no NextToken either end)
    records: list[dict[str, Any]] = field(default_factory=list, init=False)
    session_tokens: list[str] = field(default_factory=list, init=False)  # non-empty strings only
    next_tokens: list[str] = field(default_factory=list, init=False)  # likewise
    first: dict[str, Any] = field(default_factory=dict, init=False)  # the first page
    multi: bool = field(default=False, init=False)  # more than one page

    def __post_init__(self) -> None:
        self.first, self.multi = self.pages[0], len(self.pages) > 1
        for page in self.pages:
            records = page.get("Records")
            if isinstance(records, list) and records:  # often empty: a delta with no news
                self.records.extend(r for r in records if isinstance(r, dict))
            token = page.get("SyncSessionToken")
            if isinstance(token, str) and token:
                self.session_tokens.append(token)
            token = page.get("NextToken")
            if isinstance(token, str) and token:
                self.next_tokens.append(token)


def check_pages(call: Call, listing: Listing, v: Verdict, *, records_key: str = "Records") -> None:
    """World-independent pagination checks: TOK-1, LIST-4 (sizes, stable count), LIST-5, LIST-7."""
    p = call.params
    max_results = as_int(p.get("MaxResults"))
    is_records = records_key == "Records"
    pages = listing.pages
    page_items = ([listing.records] if is_records and len(pages) == 1
                  else [_items(page, records_key) for page in pages])
    sizes = [len(items) for items in page_items]
    total = sum(sizes)
    multi = len(pages) > 1
    if multi:
        v.witness("LIST-4")  # pages stitched together: bounds, each item once, a stable count
    if is_records:
        v.witnessed.add("TOK-1")
    for i, page in enumerate(pages):
        if is_records:
            token = page.get("SyncSessionToken")
            if not isinstance(token, str) or not token:
                v.fail("TOK-1", "a listing came without a SyncSessionToken",
                       "a non-empty SyncSessionToken on every page",
                       f"{_where(listing, i)}: {short(token)}")
        if max_results is not None and max_results >= 1 and sizes[i] > max_results:
            v.fail("LIST-4", "a page holds more than maxResults items",
                   f"at most {max_results}", f"{_where(listing, i)}: {sizes[i]}")
        next_token = page.get("NextToken")
        if isinstance(next_token, str) and next_token:
            if max_results is None:
                v.note("LIST-7", f"without maxResults the server pages at {sizes[i]} items")
            elif sizes[i] < max_results:
                v.note("LIST-7", f"asked for {max_results} items per page, got {sizes[i]} "
                                 "and a NextToken (a lower server maximum)")
    tokens = listing.next_tokens
    if tokens and (len(tokens) != len(set(tokens)) or p.get("NextToken") in tokens):
        v.fail("LIST-4", "pagination loops: a NextToken came back twice",
               "each NextToken leads further", short(tokens))
    if total > 1:
        key_name = "Key" if is_records else "DatasetName"
        keys = [k for items in page_items for item in items if isinstance(k := item.get(key_name), str)]
        if len(keys) != len(set(keys)):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            v.fail("LIST-4", "a listing returned the same item twice", "every item exactly once",
                   short(dupes))
    if multi:
        for member in ("DatasetSyncCount", "DatasetExists") if is_records else ():
            values = [page.get(member) for page in pages]
            if any(x != values[0] for x in values):
                v.fail("LIST-4", f"{member} changed between pages", "the same on every page",
                       short(values))
    if is_records:
        _check_count(call, listing, sizes, total, v)


def _where(listing: Listing, index: int) -> str:
    """Which page a failure is about, in words."""
    return f"page {index + 1}" if listing.multi else "the page"


def _check_count(call: Call, listing: Listing, sizes: list[int], total: int, v: Verdict) -> None:
    """LIST-5: each page's Count is the number of records the whole listing returned."""
    if listing.complete and total:
        v.witnessed.add("LIST-5")
    for i, page in enumerate(listing.pages):
        count = page.get("Count")
        size = sizes[i]
        if count is None and size == 0 and (total == 0 or not listing.complete):
            continue
        count = as_int(count)
        if listing.complete:
            # LIST-5 speaks of ListRecords: Count is the whole listing's. ListDatasets'
            # Count is not in the contract; there a page's own size is accepted too.
            lenient = listing.multi and call.operation == "ListDatasets"
            if count != total and not (lenient and count == size):
                v.fail("LIST-5", "Count does not match the records returned",
                       f"{total} (or {size}, this page's records)" if lenient else f"{total}",
                       short(page.get("Count")))
        elif count is None or count < size:
            v.fail("LIST-5", "Count does not match the records returned", f"at least {size}",
                   short(page.get("Count")))


def _items(page: dict[str, Any], key: str) -> list[Any]:
    items = page.get(key)
    return [x for x in items if isinstance(x, dict)] if isinstance(items, list) else []


# --- per world ---------------------------------------------------------------------------


def ds4_mode(view: DatasetState, k: int) -> str:
    """How a listing of an existing dataset with lastSyncCount k must treat a past deletion.

    'normal': records above k, flag not true; 'deleted': DS-4 applies (flag true, every
    record of the new incarnation); 'either': k is valid in both incarnations (the
    count restarted), both answers are allowed; 'bad': k above any count (LIST-3).
    """
    n = view.count
    if not view.deleted or view.history_max == 0:
        return "normal" if k <= n else "bad"
    if k <= 0:
        return "either"
    if view.base > 0:  # the server kept counting across the delete
        if k <= view.base:
            return "deleted"
        return "normal" if k <= n else "bad"
    if k > n:
        return "deleted" if k <= view.history_max else "bad"
    return "either" if k <= view.history_max else "normal"


def judge_list(world: World, call: Call, outcome: Listing | Err | None, ctx: Ctx) -> Verdict:
    """Judge one ListRecords answer (a Listing, an error, or None: unknown) in one world."""
    scope = call.scope
    slot = world.slot(scope)
    p = call.params
    common: list[tuple[Reason, bool]] = []
    k = as_int(p.get("LastSyncCount"))
    views: list[tuple[DatasetState, bool]] = [(slot.dataset, True)]
    next_token = p.get("NextToken")
    if next_token is not None:
        binding = slot.pages.get(next_token)
        if binding is None:
            why = "no listing of this dataset returned this nextToken"
            common.append((Reason("LIST-4", frozenset({IPE}), why), not slot.forgot_pages))
        else:
            k = binding.last_sync_count if k is None else k
            if binding.snapshot is not None and binding.snapshot != slot.dataset:
                # The dataset changed since: a server may serve the old cursor, a fresh
                # view, or refuse the cursor (the contract does not say it survives).
                views.append((binding.snapshot, False))
                common.append((Reason("LIST-4", frozenset({IPE}),
                                      "the dataset changed since this nextToken was issued"),
                               False))
    k = k or 0
    if k < 0:
        common.append((Reason("VAL-4", frozenset({IPE}), "negative lastSyncCount",
                              "a negative lastSyncCount"), False))
        k = 0
    max_results = as_int(p.get("MaxResults"))
    if max_results is not None and max_results < 1:
        common.append((Reason("LIST-7", frozenset({IPE}), f"maxResults {max_results}",
                              f"maxResults {max_results}"), False))
    if outcome is None:
        v = Verdict()
        v.successors.append(world)
        return v
    verdicts = []
    for view, current in views:
        reasons = list(common)
        mode = ds4_mode(view, k) if view.exists else "missing"
        if mode == "bad":
            reasons.append((Reason("LIST-3", frozenset({IPE}),
                                   f"lastSyncCount {k} is above the dataset's {view.count}"), True))
        v = Verdict()
        if isinstance(outcome, Err):
            _judge_err(world, view, reasons, outcome, v)
        else:
            _judge_ok(world, scope, view, current, k, mode, reasons, outcome, ctx, v)
        verdicts.append(v)
    return combine(verdicts)


def _judge_err(
    world: World, view: DatasetState, reasons: list[tuple[Reason, bool]], err: Err, v: Verdict
) -> None:
    v.successors.append(world)
    etype = err.error_type
    if etype in AUTH_ERROR_TYPES:
        return
    must = [r for r, is_must in reasons if is_must]
    allowed = frozenset().union(*(r.errors for r, _ in reasons))
    if etype in allowed:
        causes = [r for r, _ in reasons if etype in r.errors]
        if len(causes) == 1 and causes[0] in must and world.accepted_a_write():
            v.witness(causes[0].property_id)  # LIST-3 past the count, LIST-4 a bad nextToken
        if not any(etype in r.errors for r in must) and world.accepted_a_write():
            for r, _ in reasons:
                if etype in r.errors and r.finding:
                    v.note(r.property_id, f"refused with {etype}: {r.finding}")
        return
    if must:
        v.fail(must[0].property_id, f"a listing that must be refused ({must[0].why}) got "
               "the wrong error", must[0].expected(), f"{err.status} {etype}")
    elif etype == IPE:
        v.fail("VAL-2", "a valid listing was refused as invalid", "200 with the records",
               f"{err.status} {etype}: {short(err.message)}")
    else:
        pid = "LIST-1" if view.exists else ("DS-3" if view.deleted else "LIST-2")
        v.fail(pid, "a listing was refused", "200 with the records",
               f"{err.status} {etype}: {short(err.message)}")


def _judge_ok(
    world: World, scope: Scope, view: DatasetState, current: bool, k: int, mode: str,
    reasons: list[tuple[Reason, bool]], listing: Listing, ctx: Ctx, v: Verdict,
) -> None:
    must = [r for r, is_must in reasons if is_must]
    for r in must:
        v.fail(r.property_id, f"a listing that must be refused was answered ({r.why})",
               r.expected(), "200 OK")
    for r, is_must in reasons:
        if not is_must and r.finding:
            v.note(r.property_id, f"accepted: {r.finding}")
    slot = world.slot(scope)
    dataset = slot.dataset
    if not must:
        if view.exists:
            dataset = _judge_existing(world, scope, view, current, k, mode, listing, v)
        else:
            dataset = _judge_missing(world, scope, view, current, listing, v)
    pages = [(token, PageBinding(k, view)) for token in listing.next_tokens]  # the view it served
    v.successors.append(world.with_slot(scope, slot.listed(dataset, listing.session_tokens, pages)))


def _stray_pid(
    world: World, scope: Scope, view: DatasetState, key: Any, value: Any, default: str
) -> str:
    """Who to blame for a record the model did not expect: CONF-4/ISO-2, ISO-1, or default."""
    mark = view.refused
    if mark is not None and key in mark.keys:
        return mark.property_id
    if leaks(world, scope, key, value):
        return "ISO-1"
    return default


def leaks(world: World, scope: Scope, key: Any = None, value: Any = None) -> bool:
    """Does another identity's dataset of the same name hold this record (or exist at all)?"""
    for other_scope, other in world.other_slots(scope):
        if other_scope[:2] == scope[:2] or other_scope[2] != scope[2]:
            continue
        if not other.dataset.exists:
            continue
        if key is None:
            return True
        rec = other.dataset.records.get(key)
        if rec is not None and (value is None or rec.value == value):
            return True
    return False


def _judge_missing(
    world: World, scope: Scope, view: DatasetState, current: bool, listing: Listing, v: Verdict
) -> DatasetState:
    """A listing of a dataset that does not exist: Exists false, count 0, no records (LIST-2;
    DS-3 after a delete; ISO-1 when another identity's data shows)."""
    pid = "DS-3" if view.deleted else "LIST-2"
    before = len(v.violations)
    first = listing.first
    mark = view.refused
    blame = pid
    if mark is not None and mark.creates:
        blame = mark.property_id
    elif leaks(world, scope):
        blame = "ISO-1"
    if first.get("DatasetExists") is not False:
        v.fail(blame, "a dataset that does not exist was listed as existing",
               "DatasetExists false", short(first.get("DatasetExists")))
    if as_int(first.get("DatasetSyncCount")) != 0:
        v.fail(blame, "a dataset that does not exist has a sync count",
               "DatasetSyncCount 0", short(first.get("DatasetSyncCount")))
    for r in listing.records:
        v.fail(_stray_pid(world, scope, view, r.get("Key"), r.get("Value"), pid),
               "a dataset that does not exist listed records", "no records", short(r.get("Key")))
    if len(v.violations) == before:
        _witness_clean_listing(world, scope, view, listing, v, pid)
    if not current:
        return world.slot(scope).dataset
    if v.violations and first.get("DatasetExists") is True:
        return _adopt(view, listing, set(), follow_exists=True)
    return view.with_(refused=None) if listing.complete else view


def _judge_existing(
    world: World, scope: Scope, view: DatasetState, current: bool, k: int, mode: str,
    listing: Listing, v: Verdict,
) -> DatasetState:
    first = listing.first
    before = len(v.violations)
    v.witnessed.add("LIST-2")
    if view.records:
        v.witnessed.add("LIST-1")  # a wrong delta (>= for >, records left out) would differ
    if view.count > 0:
        v.witnessed.add("SYNC-3")  # the count was seen before and could have gone down
    if view.deleted:
        v.witness("DS-3")
        if mode in ("deleted", "either"):
            v.witness("DS-4")
    flag = first.get("DatasetDeletedAfterRequestedSyncCount")
    deleted_mode = mode == "deleted" or (mode == "either" and flag is True)
    if mode == "deleted" and flag is not True:
        v.fail("DS-4", "a lastSyncCount from before a deletion was not flagged",
               "DatasetDeletedAfterRequestedSyncCount true", short(flag))
    if mode == "normal" and flag is True:
        v.fail("DS-4", "a deletion was flagged that did not happen after lastSyncCount",
               "DatasetDeletedAfterRequestedSyncCount false or absent", "true")
    k_eff = 0 if deleted_mode else k
    if first.get("DatasetExists") is not True:
        v.fail("DS-3" if view.deleted else "LIST-2", "an existing dataset was listed as missing",
               "DatasetExists true", short(first.get("DatasetExists")))
    _check_sync_count(view, first.get("DatasetSyncCount"), v)
    expected = ({} if k_eff >= view.top_count()  # the usual delta: nothing newer
                else {key: rec for key, rec in view.records.items() if rec.count > k_eff})
    learned, adopted = _compare_records(world, scope, view, k_eff, expected, listing, v)
    missing: set[str] = set()
    if listing.complete and expected:
        listed = {r.get("Key") for r in listing.records}
        for key, rec in expected.items():
            if key in listed:
                continue
            missing.add(key)
            pid = ("LIST-4" if listing.multi else "DS-4" if deleted_mode
                   else "LIST-1" if rec.live else "DEL-1")
            what = "record" if rec.live else "tombstone"
            v.fail(pid, f"a {what} with a count above lastSyncCount was left out",
                   f"{short(key)} at {rec.count} (above {k_eff})", "absent")
    if len(v.violations) == before:
        _witness_clean_listing(world, scope, view, listing, v)
    if not current:
        return world.slot(scope).dataset
    if v.violations:
        return _adopt(view, listing, missing)
    updated = view.with_(records=view.records.update(learned.items())) if learned else view
    return updated.with_(refused=None) if listing.complete and updated.refused else updated


def _witness_clean_listing(world: World, scope: Scope, view: DatasetState, listing: Listing,
                           v: Verdict, *pids: str) -> None:
    """A listing that agreed with the model: it confirms what earlier refusals tested
    (nothing they held landed) and, where another identity uses the same dataset name,
    that none of its data showed through (ISO-1)."""
    v.witness(*pids)
    if view.refused is not None and listing.complete:
        v.witness(*view.refused.pending)
    if leaks(world, scope):
        v.witness("ISO-1")


def _check_sync_count(view: DatasetState, got: Any, v: Verdict) -> None:
    """A listing's DatasetSyncCount against the dataset's: above it is SYNC-1 (or a refused
    write that landed), below it SYNC-3, missing SYNC-2."""
    count = as_int(got)
    if count == view.count:
        return
    mark = view.refused
    if count is None:
        pid = "SYNC-2"
    elif count > view.count:
        pid = mark.property_id if mark and count <= view.count + mark.writes else "SYNC-1"
    else:
        pid = "SYNC-3"
    v.fail(pid, "the listing's DatasetSyncCount is not the dataset's count",
           f"DatasetSyncCount {view.count}", short(got))


def _compare_records(
    world: World, scope: Scope, view: DatasetState, k_eff: int, expected: dict[str, Record],
    listing: Listing, v: Verdict,
) -> tuple[dict[str, Record], dict[str, Record]]:
    """LIST-1, LIST-6, DEL-1, SYNC-3, WIRE-5 per listed record; returns (learned, adopted)."""
    learned: dict[str, Record] = {}
    adopted: dict[str, Record] = {}
    if not listing.records:
        return learned, adopted  # nothing listed: nothing to compare (a delta with no news)
    mark = view.refused
    listed = {r.get("Key") for r in listing.records}
    unseen = [key for key in expected if key not in listed]
    for r in listing.records:
        key = r.get("Key")
        if not isinstance(key, str) or key in learned or key in adopted:
            continue
        rec = view.records.get(key)
        got_value = r.get("Value")
        if rec is not None:
            _witness_record(view, key, rec, v)
        if (rec is not None and rec.count > k_eff and got_value == rec.value
                and r.get("SyncCount") == rec.count and rec.modified is not None
                and r.get("LastModifiedDate") == rec.modified
                and r.get("DeviceLastModifiedDate") == rec.device_modified):
            continue  # the common case: exactly as written
        got_count = as_int(r.get("SyncCount"))
        if rec is None:
            pid = _stray_pid(world, scope, view, key, got_value, "LIST-1")
            if pid == "LIST-1" and any(looks_mangled(k, key) for k in unseen):
                pid = "WIRE-5"
            v.fail(pid, "a listing returned a record that was never written",
                   f"only records above {k_eff}: {short(sorted(expected))}", short(key))
            adopted[key] = _observed_record(r, got_count or view.count)
            continue
        blame_mark = mark is not None and key in mark.keys
        if rec.count <= k_eff:
            v.fail("LIST-1", "a listing returned a record at or below lastSyncCount",
                   f"records above {k_eff}", f"{short(key)} at {rec.count}")
        before = len(v.violations)
        if rec.value is None and got_value is not None:
            v.fail(mark.property_id if blame_mark else "DEL-1",  # type: ignore[union-attr]
                   "a removed record was listed with a Value", "no Value (tombstone)",
                   f"{short(key)}: {short(got_value)}")
        elif rec.value is not None and got_value != rec.value:
            pid = ("WIRE-5" if looks_mangled(rec.value, got_value)
                   else mark.property_id if blame_mark  # type: ignore[union-attr]
                   else "LIST-6")
            v.fail(pid, "a listed record's Value is not the last one written",
                   f"{short(key)}: {short(rec.value)}", short(got_value))
        if got_count != rec.count:
            if blame_mark:
                pid = mark.property_id  # type: ignore[union-attr]
            elif got_count is not None and got_count < rec.count:
                pid = "SYNC-3"
            else:
                pid = "LIST-6"
            v.fail(pid, "a listed record's SyncCount is not the one its write returned",
                   f"{short(key)} at {rec.count}", short(r.get("SyncCount")))
        stamp_pid = mark.property_id if blame_mark else "LIST-6"  # type: ignore[union-attr]
        modified = _check_stamp(rec.modified, r.get("LastModifiedDate"), key,
                                "LastModifiedDate", v, stamp_pid, required=True)
        device = _check_stamp(rec.device_modified, r.get("DeviceLastModifiedDate"), key,
                              "DeviceLastModifiedDate", v, stamp_pid, required=False)
        if len(v.violations) > before:
            adopted[key] = _observed_record(r, got_count if got_count is not None else rec.count)
        elif modified != rec.modified or device != rec.device_modified:
            learned[key] = Record(rec.value, rec.count, modified, device)
    return learned, adopted


def _witness_record(view: DatasetState, key: str, rec: Record, v: Verdict) -> None:
    """What one listed record the model knows puts to the test."""
    v.witnessed.add("LIST-6")  # value, count and (once known) timestamps compared with the write's
    if rec.count == view.count:
        v.witnessed.add("SYNC-2")  # the last write's records, listed at its count
    if rec.value is None:
        v.witness("DEL-1")  # a tombstone, listed without a Value
    if tests_encoding(key) or tests_encoding(rec.value):
        v.witness("WIRE-5")


def _check_stamp(
    known: float | None, got: Any, key: str, member: str, v: Verdict, pid: str, *,
    required: bool,
) -> float | None:
    stamp = as_num(got)
    if known is None:
        return stamp
    if stamp is None or not same_time(known, stamp):
        if stamp is None and not required and got is None:
            return known
        v.fail(pid, f"a listed record's {member} is not the one its write returned",
               f"{short(key)}: {known!r}", short(got))
    return known


def _observed_record(r: dict[str, Any], count: int) -> Record:
    value = r.get("Value")
    return Record(value if isinstance(value, str) else None, count,
                  as_num(r.get("LastModifiedDate")), as_num(r.get("DeviceLastModifiedDate")))


def _adopt(
    view: DatasetState, listing: Listing, missing: set[str], *, follow_exists: bool = False
) -> DatasetState:
    """Follow the server after a violation: take the listing as the new truth."""
    first = listing.first
    count = as_int(first.get("DatasetSyncCount"))
    exists = first.get("DatasetExists") is True
    records = view.records if view.exists else view.records.remove(list(view.records))
    updates = {}
    for r in listing.records:
        key = r.get("Key")
        if isinstance(key, str):
            fallback = records.get(key).count if key in records else (count or 0)
            got = as_int(r.get("SyncCount"))
            updates[key] = _observed_record(r, got if got is not None else fallback)
    records = records.update(updates.items()).remove(missing)
    changes: dict[str, Any] = {"records": records, "refused": None}
    if count is not None:
        changes["count"] = count
    if follow_exists or view.exists:
        changes["exists"] = exists
    return view.with_(**changes)
