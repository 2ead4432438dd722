"""Random call sequences answered by the reference server never produce violations.

The reference server in ``tests/support/model_support.py`` meets the contract and makes every
MAY choice one way or the other (drawn per example), so any violation the model
reports here is a false alarm of the model. Clients behave like the SDK sync
clients (list, remember counts and the token, write), with deliberate stale
counts, spent tokens, deletes, pagination and tight limits mixed in; some answers
are lost (Unknown) after the server did or did not apply the call. The belief must
stay hashable and small throughout.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from cogsync.contracts.calls import Call, Ok, Unknown
from cogsync.contracts.constraints import Limits
from tests.support import model_support as S

IDENTITIES = (S.ME, S.OTHER)
DATASETS = ("d", "e")
KEYS = ("a", "b", "\u00e9", "k\U0001f600")
#: Typical runs stay under 20 candidate worlds. The worst these programs build is a
#: lost write with duplicate keys on a re-created dataset (each duplicate, DEL-3 and
#: DS-3 choice multiplies the "applied" variants) followed by a lost delete (doubling
#: them): about 70, pruned back to a handful by the next listing of the dataset.
MAX_WORLDS = 128

choices = st.builds(
    S.Choices,
    empty_bumps=st.booleans(), empty_creates=st.booleans(), accept_high_counts=st.booleans(),
    accept_absent_remove=st.booleans(), ghost_tombstones=st.booleans(),
    tombstones_in_counts=st.booleans(), restart_after_delete=st.booleans(),
    token_survives_refusal=st.booleans(), tokens_survive_delete=st.booleans(),
    refuse_duplicates=st.booleans(), refuse_long_keys=st.booleans(),
    page_size=st.sampled_from([1, 2, 1024]),
)
limits = st.builds(
    Limits,
    max_datasets_per_identity=st.sampled_from([2, 20]),
    max_records_per_dataset=st.sampled_from([3, 1024]),
    max_dataset_bytes=st.sampled_from([24, 1024 * 1024]),
)
devices = st.sampled_from([0, 1])
patch_spec = st.tuples(
    st.sampled_from(KEYS), st.sampled_from(["replace", "replace", "remove"]),
    st.sampled_from(["known"] * 6 + ["zero", "stale", "high"]), st.text(max_size=6))
distinct_patches = st.lists(patch_spec, min_size=1, max_size=3, unique_by=lambda p: p[0])
patch_specs = st.one_of(distinct_patches, distinct_patches, distinct_patches,
                        st.lists(patch_spec, max_size=3))


def program_strategy(identities: tuple[str, ...], datasets: tuple[str, ...], max_size: int,
                     min_size: int = 1, reuse: int = 1) -> st.SearchStrategy[list[Any]]:
    """Programs of (step, fate): fate "applied"/"lost" turns the answer into Unknown.

    ``reuse`` weighs writes that reuse the last token (spent, if it carried a write).
    """
    where = st.tuples(st.sampled_from(identities), st.sampled_from(datasets))
    writes = st.tuples(st.just("write"), devices, where, patch_specs,
                       st.sampled_from(["list-first"] * 8 + ["last"] * reuse + ["fresh", "foreign"]))
    steps = st.one_of(
        st.tuples(st.just("list"), devices, where,
                  st.sampled_from(["known", "known", "zero", "none", "high"]),
                  st.sampled_from([None, 1, 2])),
        writes, writes, writes,
        st.tuples(st.just("describe"), devices, where),
        st.tuples(st.just("delete"), devices, where),
        st.tuples(st.just("datasets"), devices, st.sampled_from(identities),
                  st.sampled_from([None, 1])),
    )
    return st.lists(st.tuples(steps, st.sampled_from(["ok"] * 9 + ["applied", "lost"])),
                    min_size=min_size, max_size=max_size)


programs = program_strategy(IDENTITIES, DATASETS, 30)
focused_programs = program_strategy((S.ME,), ("d",), 40)
long_programs = program_strategy((S.ME,), ("d",), 40, min_size=20, reuse=4)


class Client:
    """What one device knows of each dataset, as the SDK sync clients keep it."""

    def __init__(self) -> None:
        self.token: dict[Any, str] = {}
        self.sync: dict[Any, int] = {}
        self.counts: dict[Any, dict[str, int]] = {}

    def absorb_listing(self, where: Any, body: dict[str, Any]) -> None:
        if isinstance(body.get("SyncSessionToken"), str):
            self.token[where] = body["SyncSessionToken"]
        if isinstance(body.get("DatasetSyncCount"), int):
            self.sync[where] = body["DatasetSyncCount"]
        known = self.counts.setdefault(where, {})
        for r in body.get("Records") or []:
            known[r["Key"]] = r["SyncCount"]

    def absorb_write(self, where: Any, body: dict[str, Any]) -> None:
        known = self.counts.setdefault(where, {})
        for r in body.get("Records") or []:
            known[r["Key"]] = r["SyncCount"]
            self.sync[where] = max(self.sync.get(where, 0), r["SyncCount"])

    def patches(self, where: Any, specs: list[Any]) -> list[dict[str, Any]]:
        known = self.counts.get(where, {})
        out = []
        for key, op, how, value in specs:
            count = {"known": known.get(key, 0), "zero": 0,
                     "stale": max(known.get(key, 0) - 1, 0),
                     "high": known.get(key, 0) + 2}[how]
            patch: dict[str, Any] = {"Op": op, "Key": key, "SyncCount": count}
            if op == "replace":
                patch["Value"] = value
            out.append(patch)
        return out


def _list_call(client: Client, w: Any, how: str, max_results: int | None) -> Call:
    k = {"known": client.sync.get(w, 0), "zero": 0, "none": None,
         "high": client.sync.get(w, 0) + 3}[how]
    extra = {} if max_results is None else {"MaxResults": max_results}
    return S.list_call(w[1], k, identity=w[0], **extra)


def _call(step: Any, client: Client) -> Call:
    kind = step[0]
    if kind == "datasets":
        extra = {} if step[3] is None else {"MaxResults": step[3]}
        return S.datasets_call(identity=step[2], **extra)
    w = step[2]
    identity, dataset = w
    if kind == "list":
        return _list_call(client, w, step[3], step[4])
    if kind == "write":
        foreign = next((t for other, t in client.token.items() if other != w), "none")
        token = {"list-first": client.token.get(w, "none-yet"), "last": client.token.get(w, "x"),
                 "fresh": "made-up", "foreign": foreign}[step[4]]
        return S.write_call(dataset, token, client.patches(w, step[3]), identity=identity,
                            DeviceId="phone")
    if kind == "describe":
        return S.describe_call(dataset, identity=identity)
    return S.delete_call(dataset, identity=identity)


def _run(program: list[Any], server_choices: Any, server_limits: Limits, *,
         check_schemas: bool, server: Any = None) -> set[str]:
    """Play ``program``; with the reference server, assert no violation; with another
    ``server``, return the ids of the violations the model reported."""
    h = S.Harness(server_choices, limits=server_limits,
                  model=S.Model(limits=server_limits, check_schemas=check_schemas))
    strict = server is None
    if server is not None:
        h.server = server
    seen: set[str] = set()
    clients = (Client(), Client())
    for step, fate in program:
        client = clients[step[1]]
        if step[0] == "write" and step[4] == "list-first":
            seen |= _listing(h, _list_call(client, step[2], "known", None), client,
                             use_pages=False, strict=strict)
        call = _call(step, client)
        start = h.server.clock
        if call.operation in ("ListRecords", "ListDatasets"):
            seen |= _listing(h, call, client, use_pages=fate != "ok", strict=strict)
            continue
        if fate == "ok" or call.operation == "DescribeDataset":
            outcome = h.server.send(call)
        else:
            if fate == "applied":
                h.server.send(call)
            outcome = Unknown("timeout")
        j = h.model.judge(h.belief, call, outcome, started_at=start, ended_at=h.server.clock)
        assert j.ok or not strict, (call, outcome, j.violations,
                                    h.model.expectations(h.belief, call))
        seen |= S.ids(j)
        _check_belief(j.belief)
        h.belief = j.belief
        w = (call.params["IdentityId"], call.params["DatasetName"])
        if call.operation == "UpdateRecords" and isinstance(outcome, Ok):
            client.absorb_write(w, outcome.body)
    return seen


def _listing(h: Any, call: Call, client: Client, *, use_pages: bool, strict: bool) -> set[str]:
    start = h.server.clock
    seen: set[str] = set()
    pages = [h.server.send(call)]
    calls = [call]
    while isinstance(pages[-1], Ok) and pages[-1].body.get("NextToken"):
        calls.append(Call(call.operation, {**call.params, "NextToken": pages[-1].body["NextToken"]}))
        pages.append(h.server.send(calls[-1]))
    if use_pages:
        j = h.model.judge_pages(h.belief, call, pages, started_at=start, ended_at=h.server.clock)
        assert j.ok or not strict, (call, pages, j.violations)
        seen |= S.ids(j)
        h.belief = j.belief
    else:
        for page_call, page in zip(calls, pages, strict=True):
            j = h.model.judge(h.belief, page_call, page, started_at=start, ended_at=h.server.clock)
            assert j.ok or not strict, (page_call, page, j.violations,
                                        h.model.expectations(h.belief, page_call))
            seen |= S.ids(j)
            h.belief = j.belief
    _check_belief(h.belief)
    if call.operation == "ListRecords":
        w = (call.params["IdentityId"], call.params["DatasetName"])
        for page in pages:
            if isinstance(page, Ok):
                client.absorb_listing(w, page.body)
    return seen


def _check_belief(belief: Any) -> None:
    assert isinstance(hash(belief), int)
    assert 1 <= len(belief) <= MAX_WORLDS, len(belief)
    for world in belief.worlds:  # usage and count bound carried across writes hold
        for slot in world.slots.values():
            assert slot.dataset.usage() == replace(slot.dataset).usage()
            assert all(rec.count <= slot.dataset.top_count() for rec in slot.dataset.records.values())


@settings(max_examples=150, deadline=None)
@given(programs, choices, limits)
def test_a_correct_server_is_never_flagged(program, server_choices, server_limits):
    _run(program, server_choices, server_limits, check_schemas=False)


@settings(max_examples=100, deadline=None)
@given(focused_programs, choices, limits)
def test_one_busy_dataset_is_never_flagged(program, server_choices, server_limits):
    _run(program, server_choices, server_limits, check_schemas=False)


@settings(max_examples=25, deadline=None)
@given(programs, choices)
def test_a_correct_server_is_never_flagged_with_schemas_checked(program, server_choices):
    _run(program, server_choices, Limits(), check_schemas=True)


# --- the model catches buggy servers in the same kind of sequences ------------------------


class NoConflictCheck(S.RefServer):
    def _refusal(self, ds, patches, keys, scope):  # type: ignore[no-untyped-def]
        return None


class DoubleBump(S.RefServer):
    def _UpdateRecords(self, scope, p):  # type: ignore[no-untyped-def]  # noqa: N802
        out = super()._UpdateRecords(scope, p)
        if isinstance(out, Ok) and out.body["Records"]:
            self._dataset(scope).count += 1  # stores N+2, answers N+1
        return out


class TokensNeverSpent(S.RefServer):
    def _UpdateRecords(self, scope, p):  # type: ignore[no-untyped-def]  # noqa: N802
        entry = self.tokens.get(p["SyncSessionToken"])
        out = super()._UpdateRecords(scope, p)
        if entry is not None and entry[1] == "spent":
            entry[1] = "live"
        return out


class IgnoresLastSyncCount(S.RefServer):
    def _ListRecords(self, scope, p):  # type: ignore[no-untyped-def]  # noqa: N802
        return super()._ListRecords(scope, {k: v for k, v in p.items() if k != "LastSyncCount"})


@pytest.mark.parametrize("server_class, expected", [
    (NoConflictCheck, {"CONF-1", "CONF-2", "CONF-3"}),
    (DoubleBump, {"SYNC-1"}),
    (TokensNeverSpent, {"TOK-4"}),
    (IgnoresLastSyncCount, {"LIST-1"}),
])
def test_a_buggy_server_is_caught_under_the_right_id(server_class, expected):
    caught = find(
        long_programs,
        lambda program: bool(expected & _run(program, S.Choices(), Limits(), check_schemas=False,
                                             server=server_class(S.Choices(), Limits()))),
        settings=settings(max_examples=500, deadline=None, database=None, derandomize=True,
                          phases=[Phase.generate]),
    )
    assert caught
