"""The rules of Cognito Sync's records API: state in, typed service errors or answers out.

Knows no HTTP. One method per operation, taking the operation's parameters under
their boto3 names (``None`` = absent, unknown names ignored) and returning the
answer body in its wire form (timestamps as epoch-second numbers), or raising a
:class:`~cogsync.emulator.errors.ServiceError`. Each call is one storage transaction.

Choices at the contract's MAY points come from a
:class:`~cogsync.emulator.choices.Choices` (``choices=``; the field that decides
each point is named in brackets). The reference's, ``Choices()``:

- SYNC-6 [empty_write_bumps]: a write with no patches answers 200 ``{"Records": []}``;
  no count bump, no dataset created, no record touched. Its (valid) token is spent
  like any success. Flipped: it bumps the count (creating a missing dataset, within
  the dataset limit) and still touches no record.
- SYNC-7 [sends_last_modified_by]: LastModifiedDate is the server clock when the write
  commits; LastModifiedBy (records, datasets, ListRecords) is the request's DeviceId,
  or the IdentityId when none is sent. Flipped: LastModifiedBy is never sent.
  DeviceLastModifiedDate is echoed exactly as sent (absent when not sent), always.
- CONF-7 [ahead_count_conflicts]: a patch's SyncCount must EQUAL the key's current
  count (0 for a key that never existed, the tombstone's count for a removed key);
  anything else, higher included, is 409 ``Current SyncCount for: <key> is: <server>
  not: <sent>``. Flipped: only a count below the key's is a 409.
- DEL-3 [removal_of_unknown_key_leaves_tombstone, tombstones_in_dataset_totals]:
  removing a never-existing key is accepted and leaves a tombstone; tombstones count
  in neither NumRecords nor DataStorage. Flipped: such a removal is answered (at the
  new count) but stores nothing; tombstones count, a tombstone's key bytes in
  DataStorage.
- LIM-4 [tombstones_in_limits]: tombstones do not count against the record or byte
  limits. Limits come from :class:`~cogsync.contracts.constraints.Limits` (defaults
  20 / 1024 / 1 MB) whatever the choices.
- VAL-4 [max_key_utf8_bytes, duplicate_keys_last_wins, uppercase_hex_ids,
  lengths_in_utf16_units]: keys are limited to 1024 characters (code points),
  whatever their UTF-8 size; a key twice in one request is 400
  InvalidParameterException; lengths count code points, so an astral-plane character
  counts once; uppercase hex in ids breaks the pattern: 400. Flipped: keys over 128
  UTF-8 bytes are 400; a key twice is accepted (every patch is checked for conflicts,
  the last one is written and answered); uppercase hex is accepted; an astral-plane
  character counts as two UTF-16 units at a length limit.
- TOK-5 [refused_write_spends_token]: tokens are opaque random strings (standard
  base64, like AWS's: they may hold ``+``, ``/`` and ``=``, and never start with
  ``-``) stored server-side (SQLite too), bound to pool + identity + dataset, spent
  by a successful write; a refused write leaves the token usable. Flipped: a write
  refused by the rules (409, LimitExceeded) spends its token too; one refused for
  its shape (400 InvalidParameter) never touches it. No expiry unless ``token_ttl``
  is set (then 400 "expired"). At most ``max_tokens_per_dataset`` unspent tokens are
  kept per dataset (oldest dropped). A ListRecords that presents a still-valid
  token for its dataset gets the same token back; otherwise a new one. Deleting a
  dataset does not spend its tokens.
- DS-3 [recreated_dataset_restarts_count]: delete then recreate continues the sync
  count from where it was, so counts never go back. Flipped: the re-created dataset
  counts from 0 again. DS-4: a ListRecords with 0 < lastSyncCount <= the highest
  count of a deleted incarnation answers DatasetDeletedAfterRequestedSyncCount true
  (also while the dataset is still deleted) and returns every current record.
- LIST-2: ListRecords on a dataset that does not exist is 200 (DatasetExists false,
  count 0, no records, a token) whatever lastSyncCount; a negative lastSyncCount
  reads as 0.
- LIST-7 [max_results, max_results_below_one_is_default]: maxResults defaults to
  1024; larger values are clamped to 1024; below 1 is 400. Flipped: 100 and 100,
  below 1 reads as the default. NextToken is an opaque signed cursor bound to the
  dataset and lastSyncCount; anything else is 400. A listing is a snapshot at its
  first page's sync count: later pages report that same DatasetSyncCount and hold
  records up to it (records written meanwhile come with the next sync). Count is the
  whole listing's total.
- ListDatasets: by name, maxResults as ListRecords' (LIST-7); Count is the page's size.
- Integers past their model type (maxResults past a 32-bit Integer; lastSyncCount
  and SyncCount past a 64-bit Long) are 400 InvalidParameterException.
- Unicode: strings with lone surrogates (not Unicode text) are 400.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, OPERATIONS
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.emulator import cursors, inputs
from cogsync.emulator.choices import REFERENCE, Choices
from cogsync.emulator.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceConflictException,
    ResourceNotFoundException,
    ServiceError,
)
from cogsync.emulator.state import DatasetScope, DatasetState, RecordState, TokenState
from cogsync.emulator.storage import MemoryStorage, Storage, Transaction
from cogsync.errors import UsageError

#: Default and largest page size of ListRecords and ListDatasets (LIST-7), by default.
MAX_RESULTS = REFERENCE.max_results


def record_body(record: RecordState, choices: Choices = REFERENCE) -> dict[str, Any]:
    """A record as the wire carries it: no Value for a tombstone."""
    body: dict[str, Any] = {
        "Key": record.key,
        "SyncCount": record.sync_count,
        "LastModifiedDate": record.last_modified_date,
    }
    if choices.sends_last_modified_by:  # SYNC-7
        body["LastModifiedBy"] = record.last_modified_by
    if record.value is not None:
        body["Value"] = record.value
    if record.device_last_modified_date is not None:
        body["DeviceLastModifiedDate"] = record.device_last_modified_date
    return body


def dataset_body(dataset: DatasetState, choices: Choices = REFERENCE) -> dict[str, Any]:
    body: dict[str, Any] = {
        "IdentityId": dataset.scope.identity,
        "DatasetName": dataset.scope.name,
        "CreationDate": dataset.creation_date,
        "LastModifiedDate": dataset.last_modified_date,
    }
    if choices.sends_last_modified_by:  # SYNC-7
        body["LastModifiedBy"] = dataset.last_modified_by
    counted = choices.tombstones_in_dataset_totals  # DEL-3
    body["DataStorage"] = dataset.data_storage + (dataset.tombstone_bytes if counted else 0)
    body["NumRecords"] = dataset.num_records + (dataset.tombstones if counted else 0)
    return body


@dataclass(frozen=True)
class _Usage:
    """What a dataset holds: live records and their bytes, tombstones and their key bytes."""

    records: int = 0
    bytes: int = 0
    tombstones: int = 0
    tombstone_bytes: int = 0

    @classmethod
    def of(cls, dataset: DatasetState | None) -> _Usage:
        if dataset is None or not dataset.exists:
            return cls()
        return cls(dataset.num_records, dataset.data_storage, dataset.tombstones,
                   dataset.tombstone_bytes)

    def swap(self, old: RecordState | None, new: RecordState) -> _Usage:
        """This usage once ``new`` replaces ``old`` (None: the key held nothing)."""
        gone = (0, 0, 0, 0) if old is None else _footprint(old)
        come = _footprint(new)
        return _Usage(*(now + c - g for now, c, g in zip(
            (self.records, self.bytes, self.tombstones, self.tombstone_bytes), come, gone,
            strict=True)))

    def counted(self, with_tombstones: bool) -> tuple[int, int]:
        """(records, bytes), tombstones included or not."""
        if with_tombstones:
            return self.records + self.tombstones, self.bytes + self.tombstone_bytes
        return self.records, self.bytes


def _footprint(record: RecordState) -> tuple[int, int, int, int]:
    return (int(record.is_live), record.stored_bytes, int(not record.is_live),
            record.tombstone_bytes)


class CognitoSyncBackend:
    """State and rules of the emulator; thread-safe (the storage serializes writes)."""

    def __init__(
        self,
        storage: Storage | None = None,
        *,
        limits: Limits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.time,
        token_ttl: float | None = None,
        max_tokens_per_dataset: int = 4096,
        choices: Choices = REFERENCE,
    ) -> None:
        if not isinstance(limits, Limits):
            raise UsageError.bad_argument(
                "limits", limits, "a cogsync.contracts.constraints.Limits"
            )
        if token_ttl is not None and not (isinstance(token_ttl, (int, float)) and token_ttl > 0):
            raise UsageError.bad_argument("token_ttl", token_ttl, "None or a number of seconds > 0")
        if not isinstance(max_tokens_per_dataset, int) or max_tokens_per_dataset < 1:
            raise UsageError.bad_argument(
                "max_tokens_per_dataset", max_tokens_per_dataset, "a whole number of at least 1"
            )
        if not isinstance(choices, Choices):
            raise UsageError.bad_argument(
                "choices", choices, "a cogsync.emulator.choices.Choices"
            )
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        self.limits = limits
        self.clock = clock
        self.token_ttl = token_ttl
        self.max_tokens_per_dataset = max_tokens_per_dataset
        self.choices = choices

    # -- dispatch ------------------------------------------------------------------------
    def call(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``operation`` (``"UpdateRecords"``...) with boto3-named ``params``."""
        if operation not in OPERATIONS:
            raise UsageError.bad_argument("operation", operation, "one of " + ", ".join(OPERATIONS))
        method: Callable[..., dict[str, Any]] = getattr(self, METHOD_NAMES[operation])
        return method(**params)

    def reset(self) -> None:
        """Forget every dataset, record and token."""
        self.storage.reset()

    # -- tokens --------------------------------------------------------------------------
    def _usable_token(self, tx: Transaction, token: str, scope: DatasetScope) -> TokenState | None:
        state = tx.token(token)
        if state is None or state.scope != scope:
            return None
        if self.token_ttl is not None and self.clock() - state.issued_at > self.token_ttl:
            return None
        return state

    def _issue_token(self, tx: Transaction, scope: DatasetScope) -> str:
        token = cursors.session_token()
        tx.add_token(TokenState(token, scope, self.clock()), keep=self.max_tokens_per_dataset)
        return token

    # -- UpdateRecords -------------------------------------------------------------------
    def update_records(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        SyncSessionToken: Any = None,
        DeviceId: Any = None,
        RecordPatches: Any = None,
        ClientContext: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        request = inputs.update_input(
            {
                "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
                "DatasetName": DatasetName, "SyncSessionToken": SyncSessionToken,
                "DeviceId": DeviceId, "RecordPatches": RecordPatches,
                "ClientContext": ClientContext,
            },
            self.choices,
        )
        refusal: ServiceError | None = None
        with self.storage.write() as tx:
            token = self._usable_token(tx, request.token, request.scope)
            if token is None:
                raise InvalidParameterException("SyncSessionToken not valid for these inputs")
            try:
                answer = self._write(tx, request)
            except (ResourceConflictException, LimitExceededException) as error:
                if not self.choices.refused_write_spends_token:  # TOK-5
                    raise
                refusal = error  # nothing of the write is stored; only its token goes
            tx.drop_token(request.token)
        if refusal is not None:
            raise refusal
        return answer

    def _write(self, tx: Transaction, request: inputs.UpdateInput) -> dict[str, Any]:
        """Check a write's counts and limits (raising before storing anything), then store it."""
        scope = request.scope
        choices = self.choices
        if not request.patches and not choices.empty_write_bumps:  # SYNC-6: nothing to write
            return {"Records": []}
        dataset = tx.dataset(scope)
        alive = dataset is not None and dataset.exists
        current = tx.records(scope, [p.key for p in request.patches]) if alive else {}
        for patch in request.patches:
            held = current.get(patch.key)
            server_count = held.sync_count if held is not None else 0
            if self._is_stale(patch.sync_count, server_count):  # CONF-1/2/3/5/7
                raise ResourceConflictException(
                    f"Current SyncCount for: {patch.key} is: {server_count}"
                    f" not: {patch.sync_count}"
                )
        if not alive and tx.count_datasets(scope.pool, scope.identity) >= (
            self.limits.max_datasets_per_identity
        ):
            raise LimitExceededException(
                f"Identity {scope.identity} already has the maximum of"
                f" {self.limits.max_datasets_per_identity} datasets"
            )
        now = self.clock()
        author = request.device_id if request.device_id is not None else scope.identity
        new_count = self._count_before(dataset) + 1
        # A key patched twice (VAL-4, when allowed) is written once: its last patch wins.
        last_patch = {p.key: p for p in request.patches}
        written = [
            RecordState(p.key, p.value, new_count, now, author, p.device_last_modified_date)
            for p in last_patch.values()
        ]
        stored = [r for r in written if self._leaves_record(r, current.get(r.key))]
        usage = _Usage.of(dataset)
        for record in stored:
            usage = usage.swap(current.get(record.key), record)
        self._check_size_limits(scope, usage)
        tx.put_records(scope, stored)
        tx.put_dataset(
            DatasetState(
                scope=scope,
                sync_count=new_count,
                exists=True,
                creation_date=dataset.creation_date if alive and dataset else now,
                last_modified_date=now,
                last_modified_by=author,
                num_records=usage.records,
                data_storage=usage.bytes,
                deleted_at_count=dataset.deleted_at_count if dataset is not None else None,
                tombstones=usage.tombstones,
                tombstone_bytes=usage.tombstone_bytes,
            )
        )
        return {"Records": [record_body(r, choices) for r in written]}

    def _is_stale(self, sent: int, server_count: int) -> bool:
        """CONF-7: must a patch present the key's count exactly, or at least it?"""
        if self.choices.ahead_count_conflicts:
            return sent != server_count
        return sent < server_count

    def _count_before(self, dataset: DatasetState | None) -> int:
        """The count a write adds one to; DS-3 decides it for a deleted dataset."""
        if dataset is None:
            return 0
        if not dataset.exists and self.choices.recreated_dataset_restarts_count:
            return 0
        return dataset.sync_count

    def _leaves_record(self, record: RecordState, old: RecordState | None) -> bool:
        """DEL-3: does removing a key that holds nothing store a tombstone?"""
        return (record.is_live or old is not None
                or self.choices.removal_of_unknown_key_leaves_tombstone)

    def _check_size_limits(self, scope: DatasetScope, usage: _Usage) -> None:
        """LIM-2, LIM-3; LIM-4 decides whether tombstones count."""
        records, size = usage.counted(self.choices.tombstones_in_limits)
        if records > self.limits.max_records_per_dataset:
            raise LimitExceededException(
                f"Dataset {scope.name} would hold {records} records; the limit is"
                f" {self.limits.max_records_per_dataset}"
            )
        if size > self.limits.max_dataset_bytes:
            raise LimitExceededException(
                f"Dataset {scope.name} would hold {size} bytes; the limit is"
                f" {self.limits.max_dataset_bytes}"
            )

    # -- ListRecords ---------------------------------------------------------------------
    def list_records(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        LastSyncCount: Any = None,
        NextToken: Any = None,
        MaxResults: Any = None,
        SyncSessionToken: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        request = inputs.list_records_input(
            {
                "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
                "DatasetName": DatasetName, "LastSyncCount": LastSyncCount,
                "NextToken": NextToken, "MaxResults": MaxResults,
                "SyncSessionToken": SyncSessionToken,
            },
            self.choices,
        )
        scope = request.scope
        since = request.last_sync_count
        page_size = self.choices.page_size(request.max_results)  # LIST-7
        with self.storage.write() as tx:  # a write: it may issue a token
            dataset = tx.dataset(scope)
            alive = dataset is not None and dataset.exists
            deleted_since = (  # DS-4: the client's count predates a deletion
                dataset is not None
                and dataset.deleted_at_count is not None
                and 0 < since <= dataset.deleted_at_count
            )
            # Such a client gets every current record (the same thing when counts
            # continue across a delete; needed when they restart, DS-3).
            above = 0 if deleted_since else since
            after_key: str | None = None
            if request.next_token is not None:
                cursor = cursors.read(
                    self.storage.secret(),
                    request.next_token,
                    expect={"kind": "records", "scope": list(_scope_tuple(scope)), "since": since},
                )
                snapshot, after_key = int(cursor["upto"]), str(cursor["after"])
            else:
                snapshot = dataset.sync_count if alive and dataset is not None else 0
                if alive and since > snapshot and not deleted_since:  # LIST-3
                    raise InvalidParameterException(
                        f"No such SyncCount: {since} exists for this Dataset"
                    )
            page: list[RecordState] = []
            total = 0
            if alive:
                page = tx.changed_records(
                    scope, above=above, up_to=snapshot, after_key=after_key, limit=page_size + 1
                )
                total = tx.count_changed_records(scope, above=above, up_to=snapshot)
            more = len(page) > page_size
            page = page[:page_size]
            held = None
            if request.token is not None:
                held = self._usable_token(tx, request.token, scope)
            token = held.token if held is not None else self._issue_token(tx, scope)
        body: dict[str, Any] = {
            "Records": [record_body(r, self.choices) for r in page],
            "Count": total,
            "DatasetSyncCount": snapshot,
            "DatasetExists": alive,
            "DatasetDeletedAfterRequestedSyncCount": deleted_since,
            "SyncSessionToken": token,
        }
        if alive and dataset is not None and self.choices.sends_last_modified_by:  # SYNC-7
            body["LastModifiedBy"] = dataset.last_modified_by
        if more:
            body["NextToken"] = cursors.mint(
                self.storage.secret(),
                {
                    "kind": "records",
                    "scope": list(_scope_tuple(scope)),
                    "since": since,
                    "upto": snapshot,
                    "after": page[-1].key,
                },
            )
        return body

    # -- datasets ------------------------------------------------------------------------
    def describe_dataset(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        scope = inputs.dataset_input(
            {"IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName},
            self.choices,
        )
        with self.storage.read() as tx:
            dataset = tx.dataset(scope)
        if dataset is None or not dataset.exists:
            raise ResourceNotFoundException(f"Dataset not found: {scope.name}")
        return {"Dataset": dataset_body(dataset, self.choices)}

    def delete_dataset(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        scope = inputs.dataset_input(
            {"IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName},
            self.choices,
        )
        with self.storage.write() as tx:
            dataset = tx.dataset(scope)
            if dataset is None or not dataset.exists:
                raise ResourceNotFoundException(f"Dataset not found: {scope.name}")
            tx.drop_records(scope)
            tx.put_dataset(
                DatasetState(
                    scope=scope,
                    sync_count=dataset.sync_count,
                    exists=False,
                    creation_date=dataset.creation_date,
                    last_modified_date=self.clock(),
                    last_modified_by=dataset.last_modified_by,
                    # The highest count before any deletion: counts that restart (DS-3)
                    # may delete a dataset below an earlier incarnation's count.
                    deleted_at_count=max(dataset.deleted_at_count or 0, dataset.sync_count),
                )
            )
        return {"Dataset": dataset_body(dataset, self.choices)}

    def list_datasets(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        NextToken: Any = None,
        MaxResults: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        request = inputs.list_datasets_input(
            {
                "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
                "NextToken": NextToken, "MaxResults": MaxResults,
            },
            self.choices,
        )
        owner = [request.pool, request.identity]
        after_name: str | None = None
        if request.next_token is not None:
            cursor = cursors.read(
                self.storage.secret(),
                request.next_token,
                expect={"kind": "datasets", "owner": owner},
            )
            after_name = str(cursor["after"])
        page_size = self.choices.page_size(request.max_results)  # LIST-7
        with self.storage.read() as tx:
            found = tx.datasets(
                request.pool, request.identity, after_name=after_name, limit=page_size + 1
            )
        page = found[:page_size]
        body: dict[str, Any] = {
            "Datasets": [dataset_body(d, self.choices) for d in page], "Count": len(page)
        }
        if len(found) > page_size:
            body["NextToken"] = cursors.mint(
                self.storage.secret(),
                {"kind": "datasets", "owner": owner, "after": page[-1].scope.name},
            )
        return body


def _scope_tuple(scope: DatasetScope) -> tuple[str, str, str]:
    return (scope.pool, scope.identity, scope.name)
