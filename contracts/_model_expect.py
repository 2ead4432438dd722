"""Human-readable allowed outcomes of a call in one world (``Model.expectations``)."""

from __future__ import annotations

from cogsync.contracts._model_list import ds4_mode
from cogsync.contracts._model_state import World
from cogsync.contracts._model_types import IPE, NOT_FOUND, Ctx, Reason, as_int, short
from cogsync.contracts._model_write import plan_write, recreate_variants
from cogsync.contracts.calls import Call


def _refuse(r: Reason, may: bool) -> str:
    kind = "may refuse" if may else "refuse"
    return f"{kind} with {' or '.join(sorted(r.errors))} [{r.property_id}]: {r.why}"


def expect_update(world: World, call: Call, ctx: Ctx) -> list[str]:
    out = []
    for variant in recreate_variants(world, call):
        plan = plan_write(world, variant, call, ctx)
        out += [_refuse(r, False) for r in plan.must]
        if not plan.must:
            if plan.empty:
                out.append(f"200 with no Records; the sync count stays at {plan.base} or becomes "
                           f"{plan.base + 1} [SYNC-6 MAY]")
            else:
                parts = [f"{short(k)}@{plan.new_count}" + ("" if p.value is not None else " (no Value)")
                         for k, p in plan.final.items()]
                out.append(f"200 with Records {', '.join(parts)}; dataset count "
                           f"{plan.base} -> {plan.new_count} [SYNC-1, SYNC-2, SYNC-4]")
        out += [_refuse(r, True) for r in plan.may]
    return out


def expect_list(world: World, call: Call) -> list[str]:
    view = world.slot(call.scope).dataset
    k = as_int(call.params.get("LastSyncCount")) or 0
    if not view.exists:
        return ["200 with DatasetExists false, DatasetSyncCount 0, no records and a "
                "SyncSessionToken [LIST-2, TOK-1]"]
    mode = ds4_mode(view, max(k, 0))
    if mode == "bad":
        return [f"refuse with {IPE} [LIST-3]: lastSyncCount {k} is above {view.count}"]
    k_eff = 0 if mode == "deleted" else k
    keys = sorted(key for key, rec in view.records.items() if rec.count > k_eff)
    flag = {"deleted": " and DatasetDeletedAfterRequestedSyncCount true [DS-4]",
            "either": " (DatasetDeletedAfterRequestedSyncCount may be true [DS-4])"}.get(mode, "")
    return [f"200 with DatasetExists true, DatasetSyncCount {view.count}, records "
            f"{short(keys, 200)}{flag} and a SyncSessionToken [LIST-1, TOK-1]"]


def expect_dataset(world: World, call: Call) -> list[str]:
    view = world.slot(call.scope).dataset
    if call.operation == "ListDatasets":
        pool, ident, _ = call.scope
        names = sorted(n for n, s in world.datasets(pool, ident) if s.dataset.exists)
        return [f"200 with Datasets {short(names, 200)} [DS-1]"]
    if not view.exists:
        return [f"refuse with 404 {NOT_FOUND} [DS-2]"]
    if call.operation == "DeleteDataset":
        return ["200: the dataset is deleted [DS-3]"]
    u = view.usage()
    return [f"200 with Dataset {short(call.scope[2])}: NumRecords {u.live_records}"
            f" (or {u.all_records} with tombstones), DataStorage {u.live_bytes}"
            f" (or {u.all_bytes}) [DS-1, DS-5]"]
