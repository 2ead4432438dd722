"""The boundary phase: the same deterministic cases at every budget, judged by the model.

A generic fuzzer finds a 129-character name accepted or a 500 on a body that is not
JSON when its dice land there; this phase sends each such request every run, so a
bug of that kind is caught at ``--budget quick`` under any seed. It has four parts:

1. every case of :func:`~cogsync.conformance.boundary_cases.cases` (read off the
   request schemas), one member's values in turn on a dataset holding a record: each
   request has that member at a boundary and the rest valid (a write, a real token
   listed for the scope it names, which doubles as the read after the write before
   it). The session's model judges each answer (VAL-1..4, WIRE-*, LIST-*, CONF-4...);
2. bodies that are not a JSON object (not JSON, empty, an array...), sent raw: a 4xx
   without a 5xx (WIRE-2..4), and nothing changed (CONF-4, read after);
3. a valid write under every Content-Type an SDK sends: refusing ``application/json``
   or ``application/x-amz-json-1.1`` breaks VAL-2; the contract is silent on the others
   and on a JSON object holding a member twice, so what the server did is a finding
   (VAL-4), unless it answered 5xx or changed something while refusing;
4. listings, descriptions, deletes and the dataset limit with datasets in every state:
   never created, live, emptied by removes, deleted, re-created; and the record and byte
   limits on a dataset emptied by removes, deleted, re-created: reached exactly in one
   write (accepted), then one past each (refused), as the model judges it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

from cogsync.conformance.boundary_cases import (
    ABSENT,
    CONTENT_TYPES,
    ODD_BODIES,
    REQUIRED_CONTENT_TYPES,
    Case,
    cases,
)
from cogsync.conformance.config import RunConfig
from cogsync.conformance.probes import Driver, remove, replace
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session, Tally
from cogsync.conformance.wirefuzz import judge as judge_wire
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.constraints import RECORD_VALUE
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.model import Model
from cogsync.targets.base import Response, Target
from cogsync.targets.wire_request import build_request

_IDS = ("IdentityPoolId", "IdentityId")
_LABELS = (*_IDS, "DatasetName")
_MADE_UP_TOKEN = "cogsync-boundary-no-token"

#: The states a dataset can be in when a listing, a description, a delete or a limit meets it.
STATES = ("never created", "live", "emptied by removes", "deleted", "re-created")

#: The dataset-limit step fills an identity up to its limit: only for limits this small.
LIMIT_UP_TO = 64


#: What each kind of step puts to the test (a step runs only when one of its ids is selected).
MEMBER_IDS = frozenset({"VAL-1", "VAL-2", "VAL-3", "VAL-4", "WIRE-2", "WIRE-3", "WIRE-4", "CONF-4"})
RAW_IDS = frozenset({"VAL-2", "VAL-4", "WIRE-2", "WIRE-3", "WIRE-4", "CONF-4"})
STATE_IDS = frozenset({"LIST-1", "LIST-2", "LIST-3", "LIST-4", "DS-2", "DS-3"})
LIMIT_IDS = frozenset({"LIM-1"})
SIZE_LIMIT_IDS = frozenset({"LIM-2", "LIM-3"})
#: Every id the phase can put to the test (the engine's DIRECTED_PHASES entry).
PHASE_IDS = MEMBER_IDS | RAW_IDS | STATE_IDS | LIMIT_IDS | SIZE_LIMIT_IDS

#: The states the record and byte limits meet (a fresh dataset is the probes' business).
SIZE_LIMIT_STATES = ("emptied by removes", "deleted", "re-created")


@dataclasses.dataclass(frozen=True)
class BoundaryStep:
    """One unit of the phase, run on a fresh session: a name for progress, the ids it tests."""

    name: str
    run: Callable[[Session, Scope], None]
    targets: frozenset[str]
    raw: bool = False  # needs a target that sends raw bytes
    #: Names identities or datasets of its own, or lists all of an identity's datasets:
    #: emulators only (on a named identity the user's own datasets are unknown to the model).
    invents_ids: bool = False


def steps(*, limits_datasets: int) -> list[BoundaryStep]:
    """Every unit of the phase, in a fixed order (the same at every budget and seed)."""
    groups: dict[tuple[str, str], list[Case]] = {}
    for case in _unique(cases()):
        groups.setdefault((case.operation, case.member), []).append(case)
    out = [BoundaryStep(f"{operation} {member}: {len(group)} boundary values", _group_runner(group), MEMBER_IDS,
                 invents_ids=member in _LABELS or operation == "ListDatasets")
           for (operation, member), group in groups.items()]
    out += [BoundaryStep(f"UpdateRecords body: {what}", _odd_body_runner(what, body), RAW_IDS, raw=True)
            for what, body in ODD_BODIES]
    out.append(BoundaryStep("UpdateRecords body: a JSON object with a member twice", _member_twice, RAW_IDS, raw=True))
    out += [BoundaryStep(f"UpdateRecords Content-Type: {ct or 'none'}", _content_type_runner(ct), RAW_IDS, raw=True)
            for ct in CONTENT_TYPES]
    out += [BoundaryStep(f"calls on a dataset {state}", _state_runner(state), STATE_IDS) for state in STATES]
    if limits_datasets <= LIMIT_UP_TO:
        out.append(BoundaryStep(f"the dataset limit ({limits_datasets}) with datasets in every state", _dataset_limit,
                         LIMIT_IDS, invents_ids=True))
    out += [BoundaryStep(f"the record and byte limits on a dataset {state}", _size_limits_runner(state),
                         SIZE_LIMIT_IDS) for state in SIZE_LIMIT_STATES]
    return out


def run_on(target: Target, config: RunConfig | None = None) -> Tally:
    """The whole phase against ``target``, outside the engine (the engine runs the same
    steps with its progress, deadline and cleanup): what it witnessed, found and failed."""
    config = config or RunConfig()
    selected, tally, scope = frozenset(config.selected), Tally(), Scope(config)
    model = Model(limits=config.limits)
    for step in steps(limits_datasets=config.limits.max_datasets_per_identity):
        runs = step.targets & selected and (target.supports_raw or not step.raw)
        if runs and not (step.invents_ids and scope.real):
            step.run(Session(target, model, tally=tally, selected=selected), scope)
    return tally


def _unique(found: list[Case]) -> Iterator[Case]:
    seen: set[tuple[str, str, str]] = set()
    for case in found:
        key = (case.operation, case.member, repr(case.value))
        if key not in seen:
            seen.add(key)
            yield case


# -- 1. one member at a boundary --------------------------------------------------------------
def _base(case: Case, driver: Driver, dataset: str, key: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(driver.ids())
    if case.operation != "ListDatasets":
        params["DatasetName"] = dataset
    if case.operation == "UpdateRecords":
        params.update(DeviceId="boundary-device", SyncSessionToken=_MADE_UP_TOKEN,
                      RecordPatches=[replace(key, "w", 0)])
    return params


def _with(params: dict[str, Any], case: Case) -> dict[str, Any]:
    out = dict(params)
    holder = out
    if case.in_patch:
        holder = dict(out["RecordPatches"][0])
        out["RecordPatches"] = [holder]
    if case.value is ABSENT:
        holder.pop(case.name, None)
    else:
        holder[case.name] = case.value
    return out


def _group_runner(group: list[Case]) -> Callable[[Session, Scope], None]:
    """One member's boundary values in turn, on one dataset holding a record. Each write
    gets a token listed for the scope it names: that listing is also the read after the
    write before it, and a last listing reads after the last one."""

    def run(session: Session, scope: Scope) -> None:
        driver = Driver(session, scope)
        dataset = scope.dataset("boundary")
        driver.put(dataset, [replace("k", "v", 0)])  # something a refused request must leave alone
        for n, case in enumerate(group):
            params = _with(_base(case, driver, dataset, key=f"k{n}"), case)
            if case.operation == "UpdateRecords" and "SyncSessionToken" in params:
                params["SyncSessionToken"] = _token_for(session, params) or _MADE_UP_TOKEN
            session.send(Call(case.operation, params))
        if group[0].operation in ("UpdateRecords", "DeleteDataset"):
            driver.list_records(dataset)

    return run


def _token_for(session: Session, params: dict[str, Any]) -> str | None:
    """A token listed for the very scope the write names (a token is bound to its dataset)."""
    scope_params = {k: params[k] for k in _LABELS if k in params}
    outcome = session.send(Call("ListRecords", scope_params)).outcome
    token = outcome.body.get("SyncSessionToken") if isinstance(outcome, Ok) else None
    return token if isinstance(token, str) else None


# -- 2. and 3. raw bodies and Content-Types ------------------------------------------------------
def send_as(session: Session, call: Call, *, body: bytes | None = None,
            content_type: str | None = "application/json") -> Response:
    """``call`` as the wire builder lays it out, with ``body`` and ``Content-Type`` swapped in."""
    request = build_request(call)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return session.target.send_raw(request.method, request.path, query=dict(request.query) or None,
                                   headers=headers, body=request.body if body is None else body)


def _snapshot(response: Response) -> Any:
    outcome = response.outcome
    if not isinstance(outcome, Ok):
        return None
    records = sorted((str(r.get("Key")), str(r.get("Value")), str(r.get("SyncCount")))
                     for r in outcome.body.get("Records") or [])
    return outcome.body.get("DatasetSyncCount"), records


def _judge_raw(session: Session, operation: str, response: Response, *, serving: bool) -> None:
    """The wire checks on an answer no model can read; 2xx on a malformed body is WIRE-4's."""
    session.steps.append(SentCall(response.call, response.outcome))
    status = response.status
    if serving and status is not None and status < 500:
        session.tally.witnessed("WIRE-4")
    if serving and status is not None and 400 <= status < 500:
        session.tally.witnessed("WIRE-2")
        session.tally.witnessed("WIRE-3")
    for problem in judge_wire(operation, response):
        session.fail(problem.after(tuple(session.steps)))


def _unchanged(session: Session, driver: Driver, dataset: str, before: Any, what: str, *,
               held_a_patch: bool, response: Response) -> None:
    """CONF-4 after a refused request: the dataset reads as it did before.

    Not where the network delivered the request twice (``--faults``): the refusal may
    answer the second delivery, the first having applied, so the read shows nothing.
    """
    if response.duplicates:
        return
    after = _snapshot(driver.list_records(dataset))
    if before is None or after is None:  # nothing readable: a server seen to refuse everything
        return
    if after != before:
        session.fail(Failure("CONF-4", f"{what} was refused, yet the dataset changed",
                             f"the dataset as before: {before}", f"{after}", tuple(session.steps)))
    elif held_a_patch:
        session.tally.witnessed("CONF-4")


def _setup(session: Session, scope: Scope) -> tuple[Driver, str, Any, bool]:
    driver = Driver(session, scope)
    dataset = scope.dataset("boundary-raw")
    written = driver.put(dataset, [replace("k", "v", 0)])
    before = _snapshot(driver.list_records(dataset))
    return driver, dataset, before, isinstance(written.outcome, Ok)


def _odd_body_runner(what: str, body: bytes) -> Callable[[Session, Scope], None]:
    def run(session: Session, scope: Scope) -> None:
        driver, dataset, before, serving = _setup(session, scope)
        call = Call("UpdateRecords", {**driver.ids(), "DatasetName": dataset})
        response = send_as(session, call, body=body)
        _judge_raw(session, "UpdateRecords", response, serving=serving)
        if response.status is not None and 200 <= response.status < 300:
            session.fail(Failure("WIRE-4", f"{what} as an UpdateRecords body was accepted",
                                 "a 4xx: malformed input is refused", f"{response.status}",
                                 tuple(session.steps)))
        _unchanged(session, driver, dataset, before, what, held_a_patch=False, response=response)

    return run


def _write_call(driver: Driver, dataset: str, token: str | None, patches: list[dict[str, Any]]) -> Call:
    return Call("UpdateRecords", {**driver.ids(), "DatasetName": dataset, "SyncSessionToken": token or "",
                                  "RecordPatches": patches})


def _observe_sent_as(session: Session, response: Response, how: str) -> None:
    """The model judges the raw answer as the call it is; a failure it finds says how the
    call was sent (a reproduction script sends it the ordinary way, as application/json)."""
    found = len(session.failures)
    session.observe(response)
    for failure in session.failures[found:]:
        noted = dataclasses.replace(failure, title=f"{failure.title} (the request was sent with {how})")
        session.tally.failures[session.tally.failures.index(failure)] = noted


def _member_twice(session: Session, scope: Scope) -> None:
    driver, dataset, before, serving = _setup(session, scope)
    token = driver.token(dataset)
    first, last = [replace("first", "1", 0)], [replace("last", "2", 0)]
    members = [f'"SyncSessionToken": {json.dumps(token)}', f'"RecordPatches": {json.dumps(first)}',
               f'"RecordPatches": {json.dumps(last)}']
    body = ("{" + ", ".join(members) + "}").encode()
    response = send_as(session, _write_call(driver, dataset, token, last), body=body)
    outcome = response.outcome
    if isinstance(outcome, Ok):
        keys = {r.get("Key") for r in outcome.body.get("Records") or []}
        won = first if keys == {"first"} else last
        _observe_sent_as(session, dataclasses.replace(response, call=_write_call(driver, dataset, token, won)),
                         "RecordPatches twice in one JSON object")
        session.tally.found("VAL-4", f"a JSON object with RecordPatches twice: accepted, the "
                                     f"{'first' if won is first else 'last'} one applied")
        return
    _judge_raw(session, "UpdateRecords", response, serving=serving)
    if serving and response.status is not None and 400 <= response.status < 500:
        session.tally.found("VAL-4", f"a JSON object with RecordPatches twice: refused with {response.status}")
        _unchanged(session, driver, dataset, before, "a body with a member twice", held_a_patch=True,
                   response=response)


def _content_type_runner(content_type: str | None) -> Callable[[Session, Scope], None]:
    def run(session: Session, scope: Scope) -> None:
        driver, dataset, before, serving = _setup(session, scope)
        call = _write_call(driver, dataset, driver.token(dataset), [replace("k", "typed", 1)])
        response = send_as(session, call, content_type=content_type)
        judged = dataclasses.replace(response, call=call)
        if content_type in REQUIRED_CONTENT_TYPES or isinstance(response.outcome, Ok):
            _observe_sent_as(session, judged, f"Content-Type: {content_type or '(none)'}")
            return
        _judge_raw(session, "UpdateRecords", response, serving=serving)
        if serving and response.status is not None and 400 <= response.status < 500:
            session.tally.found("VAL-4", f"a valid write sent with Content-Type {content_type or '(none)'}: "
                                         f"refused with {response.status}")
            _unchanged(session, driver, dataset, before, f"a write with Content-Type {content_type}",
                       held_a_patch=True, response=response)

    return run


# -- 4. datasets in every state ----------------------------------------------------------------
def make_dataset(driver: Driver, state: str, name: str) -> str:
    """Bring dataset ``name`` of the driver's identity into ``state``."""
    if state == "never created":
        return name
    driver.put(name, [replace("a", "1", 0), replace("b", "2", 0)])
    if state == "emptied by removes":
        driver.put(name, [remove("a", 1), remove("b", 1)])
    elif state in ("deleted", "re-created"):
        driver.delete(name)
        if state == "re-created":
            driver.put(name, [replace("c", "3", 0)])
    return name


def _state_runner(state: str) -> Callable[[Session, Scope], None]:
    def run(session: Session, scope: Scope) -> None:
        driver = Driver(session, scope)
        dataset = make_dataset(driver, state, scope.dataset("state"))
        listed = driver.list_records(dataset)
        count = listed.outcome.body.get("DatasetSyncCount") if isinstance(listed.outcome, Ok) else None
        count = count if isinstance(count, int) else 0
        for since in sorted({0, 1, count, count + 1}):
            driver.list_records(dataset, LastSyncCount=since)
        paged = driver.list_records(dataset, MaxResults=1)
        while isinstance(paged.outcome, Ok) and paged.outcome.body.get("NextToken"):
            paged = driver.list_records(dataset, MaxResults=1, NextToken=paged.outcome.body["NextToken"])
        driver.describe(dataset)
        driver.list_datasets(MaxResults=1)
        driver.put(dataset, [replace("new", "n", 0)])
        driver.delete(dataset)
        driver.list_records(dataset)
        driver.describe(dataset)

    return run


def _dataset_limit(session: Session, scope: Scope) -> None:
    """LIM-1 with the identity's datasets spread over every state: the deleted one does not count."""
    driver = Driver(session, scope)
    limit = session.model.limits.max_datasets_per_identity
    held = [make_dataset(driver, state, f"limit-{i}") for i, state in enumerate(STATES) if state != "never created"]
    counted = len(held) - 1  # the deleted one is gone
    for i in range(max(0, limit - 1 - counted)):
        driver.put(f"live-{i}", [replace("k", "v", 0)])
    driver.put("at-the-limit", [replace("k", "v", 0)])
    driver.put("past-the-limit", [replace("k", "v", 0)])  # LIM-1
    driver.list_datasets()


def _live(listed: Response) -> dict[str, str]:
    """The live records a listing shows (tombstones carry no value)."""
    outcome = listed.outcome
    records = outcome.body.get("Records") or [] if isinstance(outcome, Ok) else []
    return {str(r.get("Key")): str(r.get("Value")) for r in records if r.get("Value") is not None}


def _utf8(text: str) -> int:
    return len(text.encode())


def fill_to_the_limits(records: int, size: int) -> list[dict[str, Any]] | None:
    """``records`` new records holding ``size`` UTF-8 bytes of key and value together
    (keys ``r0000``...), the first value longest; None where no such write can be made
    with room to make the first value one longer or two shorter."""
    if records < 1:
        return None
    width = len(str(records - 1)) + 1
    per, extra = divmod(size - records * width, records)
    longest = RECORD_VALUE.max_length or size
    if per < 2 or per + 2 > longest:
        return None
    return [replace(f"r{i:0{width - 1}d}", "x" * (per + (i < extra)), 0) for i in range(records)]


def _size_limits_runner(state: str) -> Callable[[Session, Scope], None]:
    """LIM-2 and LIM-3 on a dataset in ``state``: one write takes it to both limits exactly
    (accepted: tombstones and a deleted life do not count, or LIM-4 says they may), then a
    write one byte past (the first value one longer) and one past by a record (the first
    value two shorter, one new key and value of two bytes), each refused."""

    def run(session: Session, scope: Scope) -> None:
        driver = Driver(session, scope)
        limits = session.model.limits
        dataset = make_dataset(driver, state, scope.dataset("sized"))
        held = _live(driver.list_records(dataset))
        room = sum(_utf8(k) + _utf8(v) for k, v in held.items())
        fill = fill_to_the_limits(limits.max_records_per_dataset - len(held), limits.max_dataset_bytes - room)
        if fill is None:  # limits configured too small for one such write: nothing tested
            return
        filled = driver.write(dataset, _small_token(driver, dataset), fill)
        first = fill[0]
        count = _count_of(filled, first["Key"])
        longer = replace(first["Key"], first["Value"] + "x", count)
        driver.write(dataset, _small_token(driver, dataset), [longer])  # LIM-3: one byte past
        shorter = replace(first["Key"], first["Value"][:-2], count)
        driver.write(dataset, _small_token(driver, dataset), [shorter, replace("s", "x", 0)])  # LIM-2
        driver.describe(dataset)

    return run


def _small_token(driver: Driver, dataset: str) -> str | None:
    """A token from a one-record page: the full listing of a dataset at 1 MB costs time."""
    outcome = driver.list_records(dataset, MaxResults=1).outcome
    token = outcome.body.get("SyncSessionToken") if isinstance(outcome, Ok) else None
    return token if isinstance(token, str) else None


def _count_of(written: Response, key: str) -> int:
    """The count the write gave ``key`` (0 when it was refused or unknown)."""
    outcome = written.outcome
    if isinstance(outcome, Ok):
        for record in outcome.body.get("Records") or []:
            if record.get("Key") == key and isinstance(record.get("SyncCount"), int):
                return int(record["SyncCount"])
    return 0
