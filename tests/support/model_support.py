"""Support for the model's tests: a tiny reference server and a judging harness.

:class:`RefServer` is a deliberately small, dictionary-based Cognito Sync written for
these tests only (not the project's emulator), with every MAY choice of the contract
as a switch, so the tests can show the model accepts each allowed behaviour.
:class:`Harness` sends calls to it and has the model judge every answer.

The model's tests import it as ``tests.support.model_support`` (pytest's
``pythonpath`` puts the repository root on ``sys.path``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from cogsync.contracts.calls import Call, Err, Ok, Outcome
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.model import Belief, Judgement, Model
from cogsync.contracts.validation import input_violations

POOL = "us-east-1:0000aaaa-0000-0000-0000-000000000001"
ME = "us-east-1:0000bbbb-0000-0000-0000-000000000001"
OTHER = "us-east-1:0000cccc-0000-0000-0000-000000000002"
IPE = "InvalidParameterException"


def rep(key: str, value: str, count: int, **extra: Any) -> dict[str, Any]:
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **extra}


def rem(key: str, count: int) -> dict[str, Any]:
    return {"Op": "remove", "Key": key, "SyncCount": count}


def scope_params(dataset: str | None, identity: str = ME) -> dict[str, Any]:
    params = {"IdentityPoolId": POOL, "IdentityId": identity}
    if dataset is not None:
        params["DatasetName"] = dataset
    return params


def list_call(dataset: str, k: int | None = None, *, identity: str = ME, **extra: Any) -> Call:
    params = scope_params(dataset, identity)
    if k is not None:
        params["LastSyncCount"] = k
    params.update(extra)
    return Call("ListRecords", params)


def write_call(dataset: str, token: Any, patches: list[dict[str, Any]] | None, *,
               identity: str = ME, **extra: Any) -> Call:
    params = scope_params(dataset, identity)
    params["SyncSessionToken"] = token
    if patches is not None:
        params["RecordPatches"] = patches
    params.update(extra)
    return Call("UpdateRecords", params)


def describe_call(dataset: str, *, identity: str = ME) -> Call:
    return Call("DescribeDataset", scope_params(dataset, identity))


def delete_call(dataset: str, *, identity: str = ME) -> Call:
    return Call("DeleteDataset", scope_params(dataset, identity))


def datasets_call(*, identity: str = ME, **extra: Any) -> Call:
    return Call("ListDatasets", {**scope_params(None, identity), **extra})


def ids(judgement: Judgement) -> set[str]:
    return {v.property_id for v in judgement.violations}


def finding_ids(judgement: Judgement) -> set[str]:
    return {f.property_id for f in judgement.findings}


# --- the reference server ---------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """Every MAY of the contract, as a switch."""

    empty_bumps: bool = False  # SYNC-6
    empty_creates: bool = False  # SYNC-6
    accept_high_counts: bool = False  # CONF-7
    accept_absent_remove: bool = True  # DEL-3
    ghost_tombstones: bool = True  # DEL-3
    tombstones_in_counts: bool = False  # DEL-3 (NumRecords / DataStorage)
    restart_after_delete: bool = True  # DS-3
    token_survives_refusal: bool = True  # TOK-5
    tokens_survive_delete: bool = True  # TOK-5
    refuse_duplicates: bool = True  # VAL-4
    refuse_long_keys: bool = False  # VAL-4
    page_size: int = 1024  # LIST-7: the server's maximum page


@dataclass
class RefDataset:
    exists: bool = False
    count: int = 0
    records: dict[str, list[Any]] = field(default_factory=dict)  # key -> [value, count, lmd, dlmd]
    base: int = 0
    deleted: bool = False
    deleted_count: int = 0
    history_max: int = 0
    created: float = 0.0
    modified: float = 0.0


def _utf8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class RefServer:
    """A tiny Cognito Sync that meets the contract, with its MAY choices as switches."""

    def __init__(self, choices: Choices = Choices(), limits: Limits = DEFAULT_LIMITS) -> None:
        self.choices = choices
        self.limits = limits
        self.data: dict[tuple[str, str], dict[str, RefDataset]] = defaultdict(dict)
        self.tokens: dict[str, list[Any]] = {}  # token -> [scope, status]
        self.pages: dict[str, tuple[Any, ...]] = {}
        self.clock = 1_700_000_000.0
        self.serial = 0

    def _next(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def _dataset(self, scope: tuple[str, str, str]) -> RefDataset:
        return self.data[scope[:2]].setdefault(scope[2], RefDataset())

    def send(self, call: Call) -> Outcome:
        if input_violations(call):
            return Err(IPE, 400, "1 validation error detected")
        handler = getattr(self, "_" + call.operation)
        result: Outcome = handler(call.scope, call.params)
        return result

    # UpdateRecords -------------------------------------------------------------------

    def _UpdateRecords(self, scope: Any, p: dict[str, Any]) -> Outcome:  # noqa: N802
        c = self.choices
        ds = self._dataset(scope)
        entry = self.tokens.get(p["SyncSessionToken"])
        if entry is None or entry[0] != scope or entry[1] != "live":
            return Err(IPE, 400, "SyncSessionToken not valid for these inputs")
        patches = p.get("RecordPatches") or []
        keys = [x["Key"] for x in patches]
        refusal = self._refusal(ds, patches, keys, scope)
        if refusal is not None:
            if not c.token_survives_refusal:
                entry[1] = "dead"
            return refusal
        entry[1] = "spent"
        self.clock += 1.0
        now = self.clock
        if not patches:
            if ds.exists:
                ds.count += 1 if c.empty_bumps else 0
            elif c.empty_creates:
                self._create(ds, now)
                ds.count = ds.base + (1 if c.empty_bumps else 0)
            return Ok({"Records": []})
        if not ds.exists:
            self._create(ds, now)
            ds.count = ds.base
        ds.count += 1
        ds.modified = now
        out = []
        for patch in patches:
            key = patch["Key"]
            value = patch.get("Value") if patch["Op"] == "replace" else None
            dlmd = patch.get("DeviceLastModifiedDate")
            if patch["Op"] == "remove" and key not in ds.records and not c.ghost_tombstones:
                pass
            else:
                ds.records[key] = [value, ds.count, now, dlmd]
            record: dict[str, Any] = {"Key": key, "SyncCount": ds.count, "LastModifiedDate": now,
                                      "LastModifiedBy": p.get("DeviceId", "device")}
            if value is not None:
                record["Value"] = value
            if dlmd is not None:
                record["DeviceLastModifiedDate"] = dlmd
            out.append(record)
        return Ok({"Records": out})

    def _create(self, ds: RefDataset, now: float) -> None:
        ds.exists = True
        ds.base = 0 if (self.choices.restart_after_delete or not ds.deleted) else ds.deleted_count
        ds.created = ds.modified = now

    def _refusal(self, ds: RefDataset, patches: list[dict[str, Any]], keys: list[str],
                 scope: Any) -> Outcome | None:
        c = self.choices
        if len(keys) != len(set(keys)) and c.refuse_duplicates:
            return Err(IPE, 400, "duplicate keys")
        if c.refuse_long_keys and any(_utf8(k) > 128 for k in keys):
            return Err(IPE, 400, "key too long")
        records = ds.records if ds.exists else {}
        for patch in patches:
            key, sent = patch["Key"], patch["SyncCount"]
            current = records.get(key)
            cur = current[1] if current else 0
            if patch["Op"] == "remove" and current is None and not c.accept_absent_remove:
                stale = True
            elif sent < cur:
                stale = True
            else:
                stale = sent > cur and not c.accept_high_counts
            if stale:
                return Err("ResourceConflictException", 409,
                           f"Current SyncCount for: {key} is: {cur} not: {sent}")
        if not patches:
            return None
        after = {k: v[0] for k, v in records.items()}
        for patch in patches:
            after[patch["Key"]] = patch.get("Value") if patch["Op"] == "replace" else None
        live = {k: v for k, v in after.items() if v is not None}
        before_live = sum(1 for v in records.values() if v[0] is not None)
        size = sum(_utf8(k) + _utf8(v) for k, v in live.items())
        before_size = sum(_utf8(k) + _utf8(v[0]) for k, v in records.items() if v[0] is not None)
        n_datasets = sum(1 for d in self.data[scope[:2]].values() if d.exists)
        if ((not ds.exists and n_datasets >= self.limits.max_datasets_per_identity)
                or (len(live) > self.limits.max_records_per_dataset and len(live) > before_live)
                or (size > self.limits.max_dataset_bytes and size > before_size)):
            return Err("LimitExceededException", 400, "limit exceeded")
        return None

    # ListRecords ---------------------------------------------------------------------

    def _ListRecords(self, scope: Any, p: dict[str, Any]) -> Outcome:  # noqa: N802
        ds = self._dataset(scope)
        token = self._next("tok")
        self.tokens[token] = [scope, "live"]
        size = min(p.get("MaxResults") or self.choices.page_size, self.choices.page_size)
        if p.get("NextToken") is not None:
            saved = self.pages.get(p["NextToken"])
            if saved is None or saved[0] != scope:
                return Err(IPE, 400, "invalid nextToken")
            _, k, rest, head = saved
        else:
            k = p.get("LastSyncCount") or 0
            if not ds.exists:
                return Ok({"Records": [], "Count": 0, "DatasetSyncCount": 0, "DatasetExists": False,
                           "DatasetDeletedAfterRequestedSyncCount": False,
                           "SyncSessionToken": token})
            flag = False
            if ds.deleted and k > 0:
                if ds.base > 0 and k <= ds.base:
                    flag = True
                elif ds.base == 0 and ds.count < k <= ds.history_max:
                    flag = True
            if k > ds.count and not flag:
                return Err(IPE, 400, f"No such SyncCount: {k} exists for this Dataset")
            k_eff = 0 if flag else k
            rest = [self._record(key, r) for key, r in sorted(ds.records.items()) if r[1] > k_eff]
            head = {"DatasetSyncCount": ds.count, "DatasetExists": True,
                    "DatasetDeletedAfterRequestedSyncCount": flag,
                    "Count": len(rest)}  # LIST-5: the whole listing's records, on every page
        page, rest = rest[:size], rest[size:]
        body = {"Records": page, "Count": len(page), "SyncSessionToken": token, **head}
        if rest:
            nxt = self._next("page")
            self.pages[nxt] = (scope, k, rest, head)
            body["NextToken"] = nxt
        return Ok(body)

    @staticmethod
    def _record(key: str, r: list[Any]) -> dict[str, Any]:
        out = {"Key": key, "SyncCount": r[1], "LastModifiedDate": r[2], "LastModifiedBy": "device"}
        if r[0] is not None:
            out["Value"] = r[0]
        if r[3] is not None:
            out["DeviceLastModifiedDate"] = r[3]
        return out

    # datasets --------------------------------------------------------------------------

    def _view(self, scope: Any, ds: RefDataset) -> dict[str, Any]:
        with_tombs = self.choices.tombstones_in_counts
        records = [(k, r) for k, r in ds.records.items() if with_tombs or r[0] is not None]
        return {"IdentityId": scope[1], "DatasetName": scope[2], "CreationDate": ds.created,
                "LastModifiedDate": ds.modified, "LastModifiedBy": "device",
                "NumRecords": len(records),
                "DataStorage": sum(_utf8(k) + (_utf8(r[0]) if r[0] else 0) for k, r in records)}

    def _DescribeDataset(self, scope: Any, p: dict[str, Any]) -> Outcome:  # noqa: N802
        ds = self._dataset(scope)
        if not ds.exists:
            return Err("ResourceNotFoundException", 404, "no such dataset")
        return Ok({"Dataset": self._view(scope, ds)})

    def _DeleteDataset(self, scope: Any, p: dict[str, Any]) -> Outcome:  # noqa: N802
        ds = self._dataset(scope)
        if not ds.exists:
            return Err("ResourceNotFoundException", 404, "no such dataset")
        view = self._view(scope, ds)
        self.data[scope[:2]][scope[2]] = RefDataset(
            deleted=True, deleted_count=ds.count, history_max=max(ds.history_max, ds.count))
        if not self.choices.tokens_survive_delete:
            for entry in self.tokens.values():
                if entry[0] == scope:
                    entry[1] = "dead"
        return Ok({"Dataset": view})

    def _ListDatasets(self, scope: Any, p: dict[str, Any]) -> Outcome:  # noqa: N802
        size = min(p.get("MaxResults") or self.choices.page_size, self.choices.page_size)
        if p.get("NextToken") is not None:
            saved = self.pages.get(p["NextToken"])
            if saved is None or saved[0] != scope:
                return Err(IPE, 400, "invalid nextToken")
            rest = saved[1]
        else:
            rest = [self._view((*scope[:2], name), ds)
                    for name, ds in sorted(self.data[scope[:2]].items()) if ds.exists]
        page, rest = rest[:size], rest[size:]
        body: dict[str, Any] = {"Datasets": page, "Count": len(page)}
        if rest:
            nxt = self._next("dpage")
            self.pages[nxt] = (scope, rest)
            body["NextToken"] = nxt
        return Ok(body)


# --- the harness ------------------------------------------------------------------------


class Harness:
    """A server, the model, and the model's belief, kept in step."""

    def __init__(self, choices: Choices = Choices(), *, limits: Limits = DEFAULT_LIMITS,
                 model: Model | None = None) -> None:
        self.server = RefServer(choices, limits)
        self.model = model or Model(limits=limits)
        self.belief: Belief = self.model.initial()
        self.findings: list[Any] = []

    def window(self) -> tuple[float, float]:
        return self.server.clock, self.server.clock + 1.0

    def do(self, call: Call) -> Outcome:
        """Send ``call`` to the reference server; the model must accept its answer."""
        start = self.server.clock
        outcome = self.server.send(call)
        j = self.model.judge(self.belief, call, outcome, started_at=start,
                             ended_at=self.server.clock)
        assert j.ok, (call, outcome, j.violations)
        self.belief = j.belief
        self.findings += j.findings
        return outcome

    def judge(self, call: Call, outcome: Outcome, *, commit: bool = False, **kw: Any) -> Judgement:
        """Judge a hand-made answer; ``commit`` keeps the resulting belief."""
        kw.setdefault("started_at", self.server.clock)
        kw.setdefault("ended_at", self.server.clock + 1.0)
        j = self.model.judge(self.belief, call, outcome, **kw)
        if commit:
            self.belief = j.belief
        return j

    def token(self, dataset: str, *, identity: str = ME) -> str:
        """List ``dataset`` and return the SyncSessionToken it issued."""
        out = self.do(list_call(dataset, identity=identity))
        assert isinstance(out, Ok)
        return str(out.body["SyncSessionToken"])

    def write(self, dataset: str, patches: list[dict[str, Any]], *, identity: str = ME,
              **extra: Any) -> Outcome:
        return self.do(write_call(dataset, self.token(dataset, identity=identity), patches,
                                  identity=identity, **extra))

    def listing(self, dataset: str, k: int | None = None, *, identity: str = ME) -> dict[str, Any]:
        out = self.do(list_call(dataset, k, identity=identity))
        assert isinstance(out, Ok)
        return dict(out.body)


def mutate(outcome: Outcome, **changes: Any) -> Ok:
    """A copy of a success answer with top-level members changed (None removes one)."""
    assert isinstance(outcome, Ok)
    body = dict(outcome.body)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return replace(outcome, body=body)


def mutate_record(outcome: Outcome, index: int = 0, **changes: Any) -> Ok:
    """A copy of a success answer with one record's members changed (None removes one)."""
    assert isinstance(outcome, Ok)
    records = [dict(r) for r in outcome.body["Records"]]
    for key, value in changes.items():
        if value is None:
            records[index].pop(key, None)
        else:
            records[index][key] = value
    return replace(outcome, body={**outcome.body, "Records": records})
