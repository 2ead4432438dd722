"""A simulated phone that syncs the way the AWS Mobile SDK sync clients do.

Per dataset the device keeps what it last learnt: the dataset sync count (the SDKs'
``lastSyncCount``), an unspent SyncSessionToken, and each record's value and sync
count. A step becomes calls:

- list: ListRecords since ``lastSyncCount`` (following NextToken), then adopt
  ``DatasetSyncCount`` and keep the token. A deleted-and-recreated dataset
  (``DatasetDeletedAfterRequestedSyncCount``, or 400 for a count the dataset no
  longer has) makes it forget the dataset and list again from 0.
- write: UpdateRecords with the held token (listing first if it has none), each
  patch presenting the key's sync count as last seen. On success it adopts the
  returned records, and moves ``lastSyncCount`` on only when they carry exactly
  ``lastSyncCount + 1`` (else someone else wrote in between, and the next listing
  must fetch that). On 409 it lists again and retries (``on_conflict="mine"``: my
  edits win, at fresh counts; ``"theirs"``: edits of keys that moved are dropped),
  at most ``max_retries`` times.
- describe, delete, list_datasets: one call each (pages for list_datasets); a
  successful delete makes the device forget the dataset.

Any other error, and every :class:`~cogsync.contracts.calls.Unknown`, ends the step
and drops the token (the device cannot tell whether it was spent).

Drive it one call at a time (``start``, then ``next_call``/``absorb`` until
``next_call`` returns None) or with ``run(step, server)``, where ``server`` is a
cogsync target, a boto3 ``cognito-sync`` client or ``send(call) -> outcome``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cogsync.contracts.calls import Call, Err, Ok, Outcome
from cogsync.errors import UsageError
from cogsync.strategies._arguments import check_choice, check_integer
from cogsync.strategies._patches import build_patch
from cogsync.strategies._senders import Answer, as_sender
from cogsync.strategies._steps import Edit, Identity, Step

CONFLICT_POLICIES = ("mine", "theirs")


@dataclass(frozen=True)
class RecordView:
    """A record as the device last saw it; ``value`` None is a tombstone."""

    value: str | None
    sync_count: int


@dataclass
class DatasetView:
    """What the device knows of one dataset."""

    sync_count: int = 0
    token: str | None = None
    records: dict[str, RecordView] = field(default_factory=dict)
    exists: bool | None = None

    def seen_count(self, key: str) -> int:
        record = self.records.get(key)
        return record.sync_count if record else 0

    def learn(self, record: dict[str, Any]) -> None:
        """Take a record from an answer unless the device already knows a newer one."""
        key, count = record.get("Key"), record.get("SyncCount")
        if not isinstance(key, str) or not isinstance(count, int):
            return
        if count >= self.seen_count(key):
            value = record.get("Value")
            self.records[key] = RecordView(value if isinstance(value, str) else None, count)


@dataclass(frozen=True)
class Exchange:
    """One call a device made and what came back; ``started_at`` and ``ended_at``
    (``time.time()``) bound when the call was made, for the judge (SYNC-7)."""

    device: int
    call: Call
    outcome: Outcome
    started_at: float | None = None
    ended_at: float | None = None


class Device:
    """One simulated phone signed in as ``identity``. See the module docstring."""

    def __init__(
        self,
        identity: Identity,
        device_id: str | None = None,
        *,
        on_conflict: str = "mine",
        max_retries: int = 2,
    ) -> None:
        if not isinstance(identity, Identity):
            raise UsageError.bad_argument(
                "identity", identity, "an Identity(pool_id, identity_id)"
            )
        if device_id is not None and not isinstance(device_id, str):
            raise UsageError.bad_argument("device_id", device_id, "a string or None")
        check_choice("on_conflict", on_conflict, CONFLICT_POLICIES)
        check_integer("max_retries", max_retries, low=0)
        self.identity = identity
        self.device_id = device_id
        self.on_conflict = on_conflict
        self.max_retries = max_retries
        self._views: dict[str, DatasetView] = {}
        self._step: Step | None = None
        self._phase: str | None = None  # "list", "write", "single", "list_datasets", None
        self._then_write = False
        self._awaiting: Call | None = None
        self._since = 0
        self._next_token: str | None = None
        self._relisted = False
        self._edits: tuple[Edit, ...] = ()
        self._attempt = 0
        self._presented: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"Device({self.identity!r}, {self.device_id!r})"

    # -- what the device knows ------------------------------------------------------------

    def view(self, dataset: str) -> DatasetView:
        """A copy of what the device knows of ``dataset``."""
        view = self._views.get(dataset, DatasetView())
        return replace(view, records=dict(view.records))

    def _view(self, dataset: str) -> DatasetView:
        return self._views.setdefault(dataset, DatasetView())

    def _forget(self, dataset: str) -> None:
        self._views[dataset] = DatasetView()

    @property
    def busy(self) -> bool:
        """True while a step is under way."""
        return self._phase is not None

    # -- driving ----------------------------------------------------------------------------

    def start(self, step: Step) -> None:
        """Begin ``step``; then call :meth:`next_call` and :meth:`absorb` in turn."""
        if not isinstance(step, Step):
            raise UsageError.bad_argument("step", step, "a Step")
        if self.busy:
            raise UsageError.bad_argument(
                "step", step, f"started after the current step ({self._step}) has finished"
            )
        self._step = step
        self._edits = step.all_edits()
        self._attempt = 0
        self._relisted = False
        if step.action in ("list", "sync"):
            self._begin_listing(then_write=step.action == "sync")
        elif step.action == "write":
            if self._view(self._dataset).token is None:
                self._begin_listing(then_write=True)
            else:
                self._phase = "write"
        elif step.action == "list_datasets":
            self._phase, self._next_token = "list_datasets", None
        else:
            self._phase = "single"

    def next_call(self) -> Call | None:
        """The next call of the current step, or None when the step is done."""
        if self._awaiting is not None:
            raise UsageError(
                f"absorb the outcome of {self._awaiting!r} before asking for the next call"
            )
        if self._phase is None:
            return None
        if self._phase == "list":
            call = self._list_call()
        elif self._phase == "write":
            call = self._write_call()
        elif self._phase == "list_datasets":
            call = self._list_datasets_call()
        else:
            operation = "DescribeDataset" if self._action == "describe" else "DeleteDataset"
            call = Call(operation, self._scope())
        self._awaiting = call
        return call

    def absorb(self, outcome: Outcome) -> None:
        """Learn from the answer to the call :meth:`next_call` returned last."""
        call = self._awaiting
        if call is None:
            raise UsageError.bad_argument(
                "outcome", outcome, "the answer to a call next_call() returned (none is open)"
            )
        self._awaiting = None
        handler = {
            "ListRecords": self._absorb_listing,
            "UpdateRecords": self._absorb_write,
            "ListDatasets": self._absorb_list_datasets,
            "DeleteDataset": self._absorb_delete,
            "DescribeDataset": self._absorb_describe,
        }[call.operation]
        handler(outcome)

    def run(self, step: Step, server: Any) -> list[Exchange]:
        """Do the whole of ``step`` against ``server``; returns the exchanges.

        ``server``: a cogsync target, a boto3 ``cognito-sync`` client or a function
        ``send(call) -> Ok | Err | Unknown`` (see :func:`~._senders.as_sender`).
        """
        return self._run(step, as_sender(server))

    def _run(self, step: Step, send: Callable[[Call], Answer]) -> list[Exchange]:
        self.start(step)
        exchanges = []
        while (call := self.next_call()) is not None:
            outcome, started, ended = send(call)
            exchanges.append(Exchange(step.device, call, outcome, started, ended))
            self.absorb(outcome)
        return exchanges

    # -- building calls ---------------------------------------------------------------------

    @property
    def _action(self) -> str:
        assert self._step is not None
        return self._step.action

    @property
    def _dataset(self) -> str:
        assert self._step is not None and self._step.dataset is not None
        return self._step.dataset

    def _scope(self, with_dataset: bool = True) -> dict[str, Any]:
        params: dict[str, Any] = {
            "IdentityPoolId": self.identity.pool_id,
            "IdentityId": self.identity.identity_id,
        }
        if with_dataset:
            params["DatasetName"] = self._dataset
        return params

    def _page_size(self, params: dict[str, Any]) -> None:
        assert self._step is not None
        if self._step.max_results is not None:
            params["MaxResults"] = self._step.max_results
        if self._next_token is not None:
            params["NextToken"] = self._next_token

    def _list_call(self) -> Call:
        params = self._scope()
        params["LastSyncCount"] = self._since
        self._page_size(params)
        return Call("ListRecords", params)

    def _list_datasets_call(self) -> Call:
        params = self._scope(with_dataset=False)
        self._page_size(params)
        return Call("ListDatasets", params)

    def _write_call(self) -> Call:
        view = self._view(self._dataset)
        patches = []
        self._presented = {}
        for edit in self._edits:
            count = view.seen_count(edit.key)
            if self._attempt == 0:
                count = max(0, count + edit.offset)
            self._presented[edit.key] = count
            patches.append(build_patch(edit.op, edit.key, edit.value, count, edit.date))
        params = self._scope()
        if self.device_id is not None:
            params["DeviceId"] = self.device_id
        params["RecordPatches"] = patches
        params["SyncSessionToken"] = view.token
        return Call("UpdateRecords", params)

    # -- learning from answers --------------------------------------------------------------

    def _begin_listing(self, *, then_write: bool) -> None:
        self._phase = "list"
        self._then_write = then_write
        self._since = self._view(self._dataset).sync_count
        self._next_token = None

    def _done(self) -> None:
        self._phase = None
        self._next_token = None

    def _absorb_listing(self, outcome: Outcome) -> None:
        view = self._view(self._dataset)
        if not isinstance(outcome, Ok):
            reset = (
                isinstance(outcome, Err)
                and outcome.error_type == "InvalidParameterException"
                and self._since > 0
                and self._next_token is None
            )
            if reset and not self._relisted:  # LIST-3: a count this dataset no longer has
                self._relist_from_zero()
            else:
                self._done()
            return
        body = outcome.body
        if body.get("DatasetDeletedAfterRequestedSyncCount") is True and not self._relisted:
            self._relist_from_zero()
            return
        if body.get("DatasetExists") is False and self._next_token is None:
            self._forget(self._dataset)
            view = self._view(self._dataset)
        for record in body.get("Records") or []:
            if isinstance(record, dict):
                view.learn(record)
        next_token = body.get("NextToken")
        if isinstance(next_token, str) and next_token:
            self._next_token = next_token
            return
        self._next_token = None
        token = body.get("SyncSessionToken")
        view.token = token if isinstance(token, str) else None
        count = body.get("DatasetSyncCount")
        if isinstance(count, int) and not isinstance(count, bool):
            view.sync_count = count
        exists = body.get("DatasetExists")
        view.exists = exists if isinstance(exists, bool) else view.exists
        if self._then_write and view.token is not None:
            self._resolve_after_conflict(view)
            if self._attempt > 0 and not self._edits:
                self._done()  # every edit lost to someone else's newer write
            else:
                self._phase = "write"
        else:
            self._done()

    def _relist_from_zero(self) -> None:
        self._relisted = True
        self._forget(self._dataset)
        self._since = 0
        self._next_token = None

    def _resolve_after_conflict(self, view: DatasetView) -> None:
        """Before a retry with policy "theirs", drop the edits of keys that moved."""
        if self._attempt == 0 or self.on_conflict == "mine":
            return
        self._edits = tuple(
            e for e in self._edits if view.seen_count(e.key) == self._presented.get(e.key, 0)
        )

    def _absorb_write(self, outcome: Outcome) -> None:
        view = self._view(self._dataset)
        view.token = None  # spent on success (TOK-4); unknowable otherwise (TOK-5)
        if isinstance(outcome, Ok):
            records = [r for r in outcome.body.get("Records") or [] if isinstance(r, dict)]
            for record in records:
                view.learn(record)
            counts = {r.get("SyncCount") for r in records}
            if records and counts == {view.sync_count + 1}:
                view.sync_count += 1
            view.exists = True
            self._done()
        elif isinstance(outcome, Err) and outcome.error_type == "ResourceConflictException":
            self._attempt += 1
            if self._attempt > self.max_retries:
                self._done()
            else:
                self._begin_listing(then_write=True)
        else:
            self._done()

    def _absorb_list_datasets(self, outcome: Outcome) -> None:
        next_token = outcome.body.get("NextToken") if isinstance(outcome, Ok) else None
        if isinstance(next_token, str) and next_token:
            self._next_token = next_token
        else:
            self._done()

    def _absorb_delete(self, outcome: Outcome) -> None:
        if isinstance(outcome, Ok):
            self._forget(self._dataset)
            self._view(self._dataset).exists = False
        self._done()

    def _absorb_describe(self, outcome: Outcome) -> None:
        if isinstance(outcome, Ok):
            self._view(self._dataset).exists = True
        elif isinstance(outcome, Err) and outcome.status == 404:
            self._view(self._dataset).exists = False
        self._done()


def run_scenario(scenario: Any, server: Any, **device_options: Any) -> list[Exchange]:
    """Run every step of ``scenario`` in order on fresh devices against ``server`` (a
    target, a boto3 ``cognito-sync`` client or ``send(call) -> outcome``); the transcript."""
    send = as_sender(server)
    devices = scenario.new_devices(**device_options)
    transcript = []
    for step in scenario.steps:
        transcript += devices[step.device]._run(step, send)
    return transcript
