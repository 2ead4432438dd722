"""DescribeDataset, DeleteDataset and ListDatasets in one world (DS-1..5, DEL-3)."""

from __future__ import annotations

from typing import Any

from cogsync.contracts._model_list import Listing, leaks
from cogsync.contracts._model_state import (
    DOUBTFUL,
    LIVE,
    MAYBE,
    DatasetState,
    PageBinding,
    Scope,
    World,
)
from cogsync.contracts._model_types import (
    CONFLICT,
    IPE,
    NOT_FOUND,
    Ctx,
    Verdict,
    as_int,
    as_num,
    short,
)
from cogsync.contracts.calls import AUTH_ERROR_TYPES, Call, Err, Ok

_REQUIRED = (("NumRecords", as_int), ("DataStorage", as_int), ("CreationDate", as_num),
             ("LastModifiedDate", as_num))


def check_dataset_fields(
    scope: Scope, view: DatasetState, d: dict[str, Any], ctx: Ctx, v: Verdict
) -> None:
    """DS-1 (fields shown), DS-5 (NumRecords, DataStorage in UTF-8 bytes), DEL-3 (tombstones)."""
    pool, ident, name = scope
    v.witness("DS-1")
    where = f"dataset {short(name)}"
    if d.get("DatasetName") != name:
        v.fail("DS-1", "a dataset came back under another name", repr(name),
               short(d.get("DatasetName")))
    if "IdentityId" in d and d["IdentityId"] != ident:
        v.fail("ISO-1", "a dataset came back with another identity", repr(ident),
               short(d.get("IdentityId")))
    for member, reader in _REQUIRED:
        if reader(d.get(member)) is None:
            v.fail("DS-1", f"a dataset is shown without {member}", f"{member} present",
                   f"{where}: {short(d.get(member))}")
    usage = view.usage()
    tombstones = usage.all_records != usage.live_records
    if usage.all_records:
        v.witness("DS-5")  # the dataset holds records: the sizes are compared with the writes
    for member, live, total, unit in (
        ("NumRecords", usage.live_records, usage.all_records, "records"),
        ("DataStorage", usage.live_bytes, usage.all_bytes, "UTF-8 bytes of keys and values"),
    ):
        got = as_int(d.get(member))
        if got is None:
            continue
        if got not in (live, total):
            want = str(live) if live == total else f"{live} (live) or {total} (with tombstones)"
            v.fail("DS-5", f"{member} does not follow the writes", f"{want} {unit}",
                   f"{where}: {got}")
        elif tombstones:
            counted = "counts" if got == total else "does not count"
            v.note("DEL-3", f"{member} {counted} tombstones")
    created = as_num(d.get("CreationDate"))
    if created is not None and view.created is not None:
        lo, hi = view.created
        lo_ok = lo is None or created >= lo - ctx.skew
        hi_ok = hi is None or created <= hi + ctx.skew
        if not (lo_ok and hi_ok):
            v.fail("DS-1", "CreationDate is not when the dataset was created",
                   f"within [{lo}, {hi}] +/- {ctx.skew}s", f"{where}: {created}")


def _missing_pid(world: World, scope: Scope, view: DatasetState, default: str) -> str:
    mark = view.refused
    if mark is not None and mark.creates:
        return mark.property_id
    if leaks(world, scope):
        return "ISO-1"
    return "DS-3" if view.deleted else default


def judge_describe(world: World, call: Call, outcome: Ok | Err | None, ctx: Ctx) -> Verdict:
    """DescribeDataset in one world: a missing dataset is 404 (DS-2), an existing one is shown
    with its fields (DS-1, DS-5)."""
    scope = call.scope
    view = world.slot(scope).dataset
    v = Verdict()
    v.successors.append(world)
    if outcome is None:
        return v
    if isinstance(outcome, Err):
        if outcome.error_type in AUTH_ERROR_TYPES:
            pass
        elif view.exists:
            v.fail("DS-3" if view.deleted else "DS-1", "an existing dataset could not be described",
                   "200 with the dataset", f"{outcome.status} {outcome.error_type}")
        elif outcome.error_type != NOT_FOUND:
            v.fail("DS-2", "describing a missing dataset gave the wrong error",
                   f"404 {NOT_FOUND}", f"{outcome.status} {outcome.error_type}")
        else:
            v.witness("DS-2")
        return v
    body = outcome.body if isinstance(outcome.body, dict) else {}
    if not view.exists:
        v.fail(_missing_pid(world, scope, view, "DS-2"), "a dataset that does not exist was described",
               f"404 {NOT_FOUND}", "200 OK")
        return v
    dataset = body.get("Dataset")
    if not isinstance(dataset, dict):
        v.fail("DS-1", "DescribeDataset answered without a Dataset", "a Dataset object",
               short(dataset))
        return v
    check_dataset_fields(scope, view, dataset, ctx, v)
    if not v.violations and leaks(world, scope):
        v.witness("ISO-1")
    return v


def deleted(world: World, scope: Scope) -> World:
    """The world after a dataset's deletion: DS-3, with its count kept for DS-4."""
    slot = world.slot(scope)
    ds = slot.dataset
    gone = DatasetState(
        exists=False, deleted=True, deleted_count=ds.count,
        history_max=max(ds.history_max, ds.count),
    )
    tokens = slot.tokens.map_values(lambda s: DOUBTFUL if s in (LIVE, MAYBE) else s)
    return world.with_slot(scope, slot.with_(dataset=gone, tokens=tokens))


def judge_delete(world: World, call: Call, outcome: Ok | Err | None, ctx: Ctx) -> Verdict:
    """DeleteDataset in one world: an existing dataset is deleted (DS-3, what the world then
    holds is :func:`deleted`), a missing one is 404 (DS-2)."""
    scope = call.scope
    view = world.slot(scope).dataset
    v = Verdict()
    if outcome is None:
        v.successors.append(world)
        if view.exists:
            v.successors.append(deleted(world, scope))
        return v
    if isinstance(outcome, Err):
        v.successors.append(world)
        etype = outcome.error_type
        if etype in AUTH_ERROR_TYPES:
            pass
        elif view.exists and etype == CONFLICT:
            v.note("DS-3", "DeleteDataset of an existing dataset was refused with 409")
        elif view.exists:
            v.fail("DS-3", "an existing dataset could not be deleted", "200",
                   f"{outcome.status} {etype}")
        elif etype != NOT_FOUND:
            v.fail("DS-2", "deleting a missing dataset gave the wrong error",
                   f"404 {NOT_FOUND}", f"{outcome.status} {etype}")
        else:
            v.witness("DS-2")
        return v
    if not view.exists:
        v.fail(_missing_pid(world, scope, view, "DS-2"), "a dataset that does not exist was deleted",
               f"404 {NOT_FOUND}", "200 OK")
        v.successors.append(world)
        return v
    v.witness("DS-3")
    v.successors.append(deleted(world, scope))
    return v


def judge_list_datasets(
    world: World, call: Call, outcome: Listing | Err | None, ctx: Ctx
) -> Verdict:
    pool, ident, _ = call.scope
    identity = world.identity(pool, ident)
    v = Verdict()
    token = call.params.get("NextToken")
    bad_token = token is not None and token not in identity.pages
    must_refuse = bad_token and not identity.forgot_pages
    max_results = as_int(call.params.get("MaxResults"))
    odd_page_size = max_results is not None and max_results < 1  # LIST-7 (MAY): refused or served
    if outcome is None:
        v.successors.append(world)
        return v
    if isinstance(outcome, Err):
        v.successors.append(world)
        etype = outcome.error_type
        if etype in AUTH_ERROR_TYPES:
            pass
        elif etype == IPE and bad_token:
            if must_refuse and world.accepted_a_write():
                v.witness("LIST-4")
        elif etype == IPE and odd_page_size:
            if world.accepted_a_write():
                v.note("LIST-7", f"refused with {IPE}: maxResults {max_results} in ListDatasets")
        elif must_refuse:
            v.fail("LIST-4", "an unknown nextToken got the wrong error", f"400 {IPE}",
                   f"{outcome.status} {etype}")
        else:
            v.fail("VAL-2" if etype == IPE else "DS-1", "a valid ListDatasets was refused",
                   "200 with the datasets", f"{outcome.status} {etype}")
        return v
    if must_refuse:
        v.fail("LIST-4", "an unknown nextToken was accepted", f"400 {IPE}", "200 OK")
    else:
        _judge_datasets(world, (pool, ident), outcome, ctx, v)
        others = any(slot.dataset.exists for (p, i, _), slot in world.slots.items()
                     if (p, i) != (pool, ident))
        if others and not v.violations:
            v.witness("ISO-1")  # another identity's datasets exist and none showed here
    for next_token in outcome.next_tokens:
        identity = identity.bind_page(next_token, PageBinding(0))
    v.successors.append(world.with_identity(pool, ident, identity))
    return v


def _judge_datasets(
    world: World, who: tuple[str, str], listing: Listing, ctx: Ctx, v: Verdict
) -> None:
    pool, ident = who
    listed: set[str] = set()
    for page in listing.pages:
        items = page.get("Datasets")
        for d in items if isinstance(items, list) else []:
            if not isinstance(d, dict) or not isinstance(d.get("DatasetName"), str):
                continue
            name = d["DatasetName"]
            listed.add(name)
            scope = (pool, ident, name)
            view = world.slot(scope).dataset
            if not view.exists:
                v.fail(_missing_pid(world, scope, view, "DS-1"),
                       "ListDatasets shows a dataset that does not exist",
                       "only existing datasets", short(name))
                continue
            check_dataset_fields(scope, view, d, ctx, v)
    if listing.complete:
        for name, slot in world.datasets(pool, ident):
            if slot.dataset.exists and name not in listed:
                v.fail("LIST-4" if listing.multi else "DS-1",
                       "ListDatasets leaves out an existing dataset",
                       f"{short(name)} listed", "absent")
