"""Send the same generated call sequences to two endpoints and show where answers differ.

Hypothesis draws a sequence of client actions (list, write, describe, delete, list
datasets) on a fresh identity; each endpoint plays it the way a client would, with
the tokens and sync counts its own answers gave. Answers are compared once what
legitimately differs is normalized: identity ids, dataset-name prefixes, session
and page tokens, server timestamps, error messages, and the order of records and
datasets (unspecified). On a difference Hypothesis shrinks the sequence, and the
smallest one is printed step by step with both answers.
Exit status: 1 the endpoints differ, 0 they agree, 3 usage or infrastructure error.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shlex
import sys
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from cogsync.conformance.config import BUDGETS, new_run_prefix
from cogsync.contracts.calls import Call, Err, Ok, Outcome

REGION = "us-east-1"
DATASET_SLOTS = 2
KEYS = ("a", "b", "c")
MAX_ACTIONS = 12
#: Every phase but "explain": its extra replays cost two endpoints' time and add nothing here.
SEARCH_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
#: Members whose values are the server's to choose: compared as present/absent only.
OPAQUE = frozenset({"SyncSessionToken", "NextToken", "CreationDate", "LastModifiedDate"})


# --- the actions a client takes -----------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One client step; ``dataset`` is a slot number, resolved to a name per endpoint.

    ``kind``: sync (list, then write: what an SDK's synchronize does), list,
    next_page, write (with the latest listing's token, or a made-up one), describe,
    delete, list_datasets. A write's patches are (op, key, value, count) where count
    "listed" means the record's sync count in this endpoint's latest listing (0 if
    unseen), as a client sends it.
    """

    kind: str
    dataset: int = 0
    last_sync_count: int | None = None
    max_results: int | None = None
    patches: tuple[tuple[str, str, str | None, int | str], ...] = ()
    token: str = "listed"  # "listed" or "made-up"

    def __str__(self) -> str:
        if self.kind in ("list", "next_page"):
            extra = [
                f"lastSyncCount={self.last_sync_count}" if self.last_sync_count is not None else "",
                f"maxResults={self.max_results}" if self.max_results is not None else "",
            ]
            return f"{self.kind} dataset#{self.dataset} {' '.join(e for e in extra if e)}".rstrip()
        if self.kind in ("write", "sync"):
            token = f" token={self.token}" if self.kind == "write" else ""
            return f"{self.kind} dataset#{self.dataset}{token} patches={list(self.patches)}"
        if self.kind == "list_datasets":
            return "list datasets"
        return f"{self.kind} dataset#{self.dataset}"


def _text_strategies() -> tuple[st.SearchStrategy[str], st.SearchStrategy[str]]:
    """Keys and values: a few fixed keys (so writes collide) plus cogsync.strategies' Unicode."""
    try:
        from cogsync.strategies import record_keys, record_values

        keys = st.sampled_from(KEYS) | record_keys(max_size=8)
        values = record_values(max_size=16, size_budget=16)
    except ImportError:  # the public strategies are not there yet: plain Hypothesis text
        keys = st.sampled_from(KEYS) | st.text(
            st.characters(exclude_characters="\x00"), min_size=1, max_size=8
        )
        values = st.text(st.characters(exclude_characters="\x00"), max_size=16)
    return keys, values


def actions() -> st.SearchStrategy[Action]:
    keys, values = _text_strategies()
    slot = st.integers(0, DATASET_SLOTS - 1)
    count = st.just("listed") | st.integers(0, 3)
    patch = st.tuples(st.sampled_from(("replace", "remove")), keys, values, count).map(
        lambda p: (p[0], p[1], p[2] if p[0] == "replace" else None, p[3])
    )
    small = st.none() | st.integers(0, 4)
    patches = st.lists(patch, max_size=3).map(tuple)
    syncs = st.builds(Action, st.just("sync"), slot, patches=patches)
    return st.one_of(
        syncs,
        syncs,  # twice: most of a client's life is synchronizing
        st.builds(Action, st.just("list"), slot, small, st.none() | st.integers(1, 3)),
        st.builds(Action, st.just("next_page"), slot),
        st.builds(
            Action,
            st.just("write"),
            slot,
            patches=patches,
            token=st.sampled_from(("listed", "listed", "made-up")),
        ),
        st.builds(Action, st.just("describe"), slot),
        st.builds(Action, st.just("delete"), slot),
        st.builds(Action, st.just("list_datasets")),
    )


def sequences(max_actions: int = MAX_ACTIONS) -> st.SearchStrategy[list[Action]]:
    return st.lists(actions(), min_size=1, max_size=max_actions)


# --- playing a sequence on one endpoint ---------------------------------------------


@dataclass
class Player:
    """One client on one endpoint: its ids, and what its answers told it."""

    target: Any
    pool: str = field(default_factory=lambda: f"{REGION}:{uuid.uuid4()}")
    identity: str = field(default_factory=lambda: f"{REGION}:{uuid.uuid4()}")
    prefix: str = field(default_factory=new_run_prefix)
    listings: dict[int, dict[str, Any]] = field(default_factory=dict)
    written: set[int] = field(default_factory=set)

    def dataset(self, slot: int) -> str:
        return f"{self.prefix}-d{slot}"

    def scope(self, slot: int) -> dict[str, Any]:
        return {
            "IdentityPoolId": self.pool,
            "IdentityId": self.identity,
            "DatasetName": self.dataset(slot),
        }

    def call_for(self, action: Action) -> Call:
        ids = {"IdentityPoolId": self.pool, "IdentityId": self.identity}
        last = self.listings.get(action.dataset, {})
        if action.kind == "list_datasets":
            return Call("ListDatasets", ids)
        if action.kind in ("describe", "delete"):
            return Call(
                "DescribeDataset" if action.kind == "describe" else "DeleteDataset",
                self.scope(action.dataset),
            )
        if action.kind in ("list", "next_page"):
            params = self.scope(action.dataset)
            if action.kind == "next_page" and isinstance(last.get("NextToken"), str):
                params["NextToken"] = last["NextToken"]
            if action.last_sync_count is not None:
                params["LastSyncCount"] = action.last_sync_count
            if action.max_results is not None:
                params["MaxResults"] = action.max_results
            return Call("ListRecords", params)
        seen = {r.get("Key"): r.get("SyncCount", 0) for r in last.get("Records") or []}
        patches = []
        for op, key, value, count in action.patches:
            patch: dict[str, Any] = {
                "Op": op,
                "Key": key,
                "SyncCount": seen.get(key, 0) if count == "listed" else count,
            }
            if value is not None:
                patch["Value"] = value
            patches.append(patch)
        params = {
            **self.scope(action.dataset),
            "RecordPatches": patches,
            "DeviceId": "cogsync-diff",
        }
        token = (
            last.get("SyncSessionToken") if action.token == "listed" else "cogsync-made-up-token"
        )
        if isinstance(token, str):
            params["SyncSessionToken"] = token
        return Call("UpdateRecords", params)

    def play(self, action: Action) -> list[Outcome]:
        """The answers to ``action``: one, or two for a sync (the listing, then the write)."""
        steps = (
            [Action("list", action.dataset), replace(action, kind="write", token="listed")]
            if action.kind == "sync"
            else [action]
        )
        outcomes = []
        for step in steps:
            call = self.call_for(step)
            outcome = self.target.send(call).outcome
            if call.operation == "ListRecords" and isinstance(outcome, Ok):
                self.listings[step.dataset] = outcome.body
            elif call.operation == "UpdateRecords":
                self.written.add(step.dataset)
            outcomes.append(outcome)
        return outcomes

    def clean_up(self) -> None:
        """Delete the datasets this player may have created (only written ones can exist)."""
        for slot in sorted(self.written):
            self.target.send(Call("DeleteDataset", self.scope(slot)))


# --- comparing answers --------------------------------------------------------------


def normalize(value: Any, player: Player) -> Any:
    """``value`` with this endpoint's ids and prefix, tokens, timestamps and orders made neutral."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "ResponseMetadata":
                continue
            out[key] = (
                "<present>" if key in OPAQUE and item is not None else normalize(item, player)
            )
        return out
    if isinstance(value, list):
        items = [normalize(v, player) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, str):
        return (
            value.replace(player.pool, "<pool>")
            .replace(player.identity, "<identity>")
            .replace(player.prefix, "<prefix>")
        )
    return value


def comparable(outcomes: list[Outcome], player: Player) -> list[dict[str, Any]]:
    return [_comparable(o, player) for o in outcomes]


def _comparable(outcome: Outcome, player: Player) -> dict[str, Any]:
    """What must agree: the normalized body, or error status and type (messages may differ)."""
    if isinstance(outcome, Ok):
        return {"status": outcome.status, "body": normalize(outcome.body, player)}
    if isinstance(outcome, Err):
        return {"status": outcome.status, "error": outcome.error_type}
    return {"unknown": outcome.reason.split(":", 1)[0], "status": outcome.status}


@dataclass(frozen=True)
class StepDiff:
    index: int
    action: Action
    left: list[dict[str, Any]]
    right: list[dict[str, Any]]


class Difference(AssertionError):
    """Raised inside the Hypothesis test so it shrinks the sequence."""

    def __init__(self, sequence: list[Action], steps: list[StepDiff]) -> None:
        super().__init__(sequence, steps)
        self.sequence = sequence
        self.steps = steps

    def __str__(self) -> str:
        return f"the endpoints answer {len(self.steps)} of {len(self.sequence)} step(s) differently"


def compare(left_target: Any, right_target: Any, sequence: list[Action]) -> list[StepDiff]:
    """Play ``sequence`` on both endpoints (fresh ids each) and list the steps that differ."""
    left, right = Player(left_target), Player(right_target)
    diffs = []
    try:
        for index, action in enumerate(sequence):
            a = left.play(action)
            b = right.play(action)
            ca, cb = comparable(a, left), comparable(b, right)
            if ca != cb:
                diffs.append(StepDiff(index, action, ca, cb))
    finally:
        left.clean_up()
        right.clean_up()
    return diffs


def search(
    left: Any, right: Any, *, examples: int, seed_value: int, max_actions: int = MAX_ACTIONS
) -> Difference | None:
    """Let Hypothesis look for a sequence the endpoints disagree on; the smallest one, or None."""
    found: list[Difference] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=SEARCH_PHASES,
    )
    @given(sequences(max_actions))
    def endpoints_agree(sequence: list[Action]) -> None:
        diffs = compare(left, right, sequence)
        if diffs:
            found.append(Difference(sequence, diffs))
            raise found[-1]

    try:
        seed(seed_value)(endpoints_agree)()
    except Difference:
        return found[-1]  # Hypothesis replays the shrunk example last
    return None


# --- the command --------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from cogsync.options import SEED_LIMIT, add_target_arguments, whole_number

    add_target_arguments(parser)
    other = parser.add_argument_group("the other endpoint")
    other.add_argument(
        "--against", metavar="URL", required=True, help="the endpoint to compare with"
    )
    run = parser.add_argument_group("run")
    run.add_argument("--budget", choices=list(BUDGETS), default="quick")
    run.add_argument(
        "--max-examples",
        type=whole_number("max-examples", 1),
        metavar="N",
        help="override the budget",
    )
    run.add_argument("--seed", type=whole_number("seed", 0, SEED_LIMIT - 1), metavar="N")


def render(difference: Difference, left: str, right: str) -> str:
    differing = {d.index: d for d in difference.steps}
    lines = [f"the endpoints differ ({difference}); smallest sequence found:"]
    for index, action in enumerate(difference.sequence):
        mark = "!=" if index in differing else "=="
        lines.append(f"  {mark} step {index}: {action}")
        if index in differing:
            d = differing[index]
            lines.append(f"       {left}: {json.dumps(d.left, ensure_ascii=False, sort_keys=True)}")
            lines.append(
                f"       {right}: {json.dumps(d.right, ensure_ascii=False, sort_keys=True)}"
            )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from cogsync.options import importable_cwd, open_target

    importable_cwd(args)

    seed_value = args.seed if args.seed is not None else secrets.randbelow(2**32)
    examples = args.max_examples or BUDGETS[args.budget].max_examples
    left_name = (
        args.endpoint_url
        or (args.in_process and f"in-process {args.in_process}")
        or "embedded emulator"
    )
    left = open_target(args)
    try:
        right = open_target(
            argparse.Namespace(**{**vars(args), "endpoint_url": args.against, "in_process": None})
        )
    except BaseException:
        left.close()
        raise
    try:
        difference = search(left, right, examples=examples, seed_value=seed_value)
    except KeyboardInterrupt:
        print("cogsync: interrupted", file=sys.stderr)
        return 130
    finally:
        left.close()
        right.close()
    if difference is None:
        print(f"no difference in {examples} generated sequence(s) (seed {seed_value})")
        return 0
    print(render(difference, left_name, args.against))
    command = ["cogsync", "diff"]
    if args.endpoint_url:
        command += ["--endpoint-url", args.endpoint_url]
    if args.in_process:
        command += ["--in-process", args.in_process]
    command += [
        "--against",
        args.against,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed_value),
    ]
    print(f"reproduce: {shlex.join(command)}")
    return 1
