"""The rules of Cognito Sync's records API: state in, typed service errors or answers out.

Knows no HTTP. One method per operation, taking the operation's parameters under
their boto3 names (``None`` = absent, unknown names ignored) and returning the
answer body in its wire form (timestamps as epoch-second numbers), or raising a
:class:`~cogsync.emulator.errors.ServiceError`. Each call is one storage transaction.

Choices at the contract's MAY points (id -> choice):

- SYNC-6: a write with no patches answers 200 ``{"Records": []}``; no count bump, no
  dataset created, no record touched. Its (valid) token is spent like any success.
- SYNC-7: LastModifiedDate is the server clock when the write commits; LastModifiedBy
  (records and dataset) is the request's DeviceId, or the IdentityId when none is sent.
  DeviceLastModifiedDate is echoed exactly as sent (absent when not sent).
- CONF-7: a patch's SyncCount must EQUAL the key's current count (0 for a key that
  never existed, the tombstone's count for a removed key); anything else, higher
  included, is 409 ``Current SyncCount for: <key> is: <server> not: <sent>``.
- DEL-3: removing a never-existing key (SyncCount 0) is accepted and leaves a
  tombstone. Tombstones count in neither NumRecords nor DataStorage.
- LIM-4: tombstones do not count against the record or byte limits. Limits come
  from :class:`~cogsync.contracts.constraints.Limits` (defaults 20 / 1024 / 1 MB).
- VAL-4: keys are limited to 1024 characters (code points), whatever their UTF-8
  size; a key twice in one request is 400 InvalidParameterException. Lengths count
  code points, so an astral-plane character counts once. Uppercase hex in ids breaks
  the pattern: 400.
- TOK-5: tokens are opaque random strings (standard base64, like AWS's: they may hold
  ``+``, ``/`` and ``=``, and never start with ``-``) stored server-side (SQLite too), bound to
  pool + identity + dataset, spent by a successful write; a refused write leaves the
  token usable. No expiry unless ``token_ttl`` is set (then 400 "expired"). At most
  ``max_tokens_per_dataset`` unspent tokens are kept per dataset (oldest dropped).
  A ListRecords that presents a still-valid token for its dataset gets the same
  token back; otherwise a new one. Deleting a dataset does not spend its tokens.
- DS-3: delete then recreate continues the sync count from where it was, so counts
  never go back. DS-4: a ListRecords with 0 < lastSyncCount <= the count at the last
  deletion answers DatasetDeletedAfterRequestedSyncCount true (also while the
  dataset is still deleted) and returns every current record.
- LIST-2: ListRecords on a dataset that does not exist is 200 (DatasetExists false,
  count 0, no records, a token) whatever lastSyncCount; a negative lastSyncCount
  reads as 0.
- LIST-7: maxResults defaults to 1024; larger values are clamped to 1024; below 1 is
  400. NextToken is an opaque signed cursor bound to the dataset and lastSyncCount;
  anything else is 400. A listing is a snapshot at its first page's sync count:
  later pages report that same DatasetSyncCount and hold records up to it (records
  written meanwhile come with the next sync). Count is the whole listing's total.
- ListDatasets: by name, maxResults default and max 1024; Count is the page's size.
- Unicode: strings with lone surrogates (not Unicode text) are 400.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from cogsync.contracts.calls import METHOD_NAMES, OPERATIONS
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.emulator import cursors, inputs
from cogsync.emulator.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from cogsync.emulator.state import DatasetScope, DatasetState, RecordState, TokenState
from cogsync.emulator.storage import MemoryStorage, Storage, Transaction
from cogsync.errors import UsageError

#: Default and largest page size of ListRecords and ListDatasets (LIST-7).
MAX_RESULTS = 1024


def record_body(record: RecordState) -> dict[str, Any]:
    """A record as the wire carries it: no Value for a tombstone."""
    body: dict[str, Any] = {
        "Key": record.key,
        "SyncCount": record.sync_count,
        "LastModifiedDate": record.last_modified_date,
        "LastModifiedBy": record.last_modified_by,
    }
    if record.value is not None:
        body["Value"] = record.value
    if record.device_last_modified_date is not None:
        body["DeviceLastModifiedDate"] = record.device_last_modified_date
    return body


def dataset_body(dataset: DatasetState) -> dict[str, Any]:
    return {
        "IdentityId": dataset.scope.identity,
        "DatasetName": dataset.scope.name,
        "CreationDate": dataset.creation_date,
        "LastModifiedDate": dataset.last_modified_date,
        "LastModifiedBy": dataset.last_modified_by,
        "DataStorage": dataset.data_storage,
        "NumRecords": dataset.num_records,
    }


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
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        self.limits = limits
        self.clock = clock
        self.token_ttl = token_ttl
        self.max_tokens_per_dataset = max_tokens_per_dataset

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
            }
        )
        scope = request.scope
        with self.storage.write() as tx:
            token = self._usable_token(tx, request.token, scope)
            if token is None:
                raise InvalidParameterException("SyncSessionToken not valid for these inputs")
            if not request.patches:  # SYNC-6: nothing to write
                tx.drop_token(request.token)
                return {"Records": []}
            dataset = tx.dataset(scope)
            alive = dataset is not None and dataset.exists
            current = tx.records(scope, [p.key for p in request.patches]) if alive else {}
            for patch in request.patches:
                held = current.get(patch.key)
                server_count = held.sync_count if held is not None else 0
                if patch.sync_count != server_count:  # CONF-1/2/3/5/7
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
            new_count = (dataset.sync_count if dataset is not None else 0) + 1
            written = [
                RecordState(p.key, p.value, new_count, now, author, p.device_last_modified_date)
                for p in request.patches
            ]
            num_records = dataset.num_records if alive and dataset is not None else 0
            data_storage = dataset.data_storage if alive and dataset is not None else 0
            for record in written:
                old = current.get(record.key)
                num_records += int(record.is_live) - int(old is not None and old.is_live)
                data_storage += record.stored_bytes - (old.stored_bytes if old is not None else 0)
            if num_records > self.limits.max_records_per_dataset:
                raise LimitExceededException(
                    f"Dataset {scope.name} would hold {num_records} records; the limit is"
                    f" {self.limits.max_records_per_dataset}"
                )
            if data_storage > self.limits.max_dataset_bytes:
                raise LimitExceededException(
                    f"Dataset {scope.name} would hold {data_storage} bytes; the limit is"
                    f" {self.limits.max_dataset_bytes}"
                )
            tx.put_records(scope, written)
            tx.put_dataset(
                DatasetState(
                    scope=scope,
                    sync_count=new_count,
                    exists=True,
                    creation_date=dataset.creation_date if alive and dataset else now,
                    last_modified_date=now,
                    last_modified_by=author,
                    num_records=num_records,
                    data_storage=data_storage,
                    deleted_at_count=dataset.deleted_at_count if dataset is not None else None,
                )
            )
            tx.drop_token(request.token)
        return {"Records": [record_body(r) for r in written]}

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
            }
        )
        scope = request.scope
        since = request.last_sync_count
        page_size = min(request.max_results or MAX_RESULTS, MAX_RESULTS)
        with self.storage.write() as tx:  # a write: it may issue a token
            dataset = tx.dataset(scope)
            alive = dataset is not None and dataset.exists
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
                if alive and since > snapshot:  # LIST-3
                    raise InvalidParameterException(
                        f"No such SyncCount: {since} exists for this Dataset"
                    )
            page: list[RecordState] = []
            total = 0
            if alive:
                page = tx.changed_records(
                    scope, above=since, up_to=snapshot, after_key=after_key, limit=page_size + 1
                )
                total = tx.count_changed_records(scope, above=since, up_to=snapshot)
            more = len(page) > page_size
            page = page[:page_size]
            held = None
            if request.token is not None:
                held = self._usable_token(tx, request.token, scope)
            token = held.token if held is not None else self._issue_token(tx, scope)
        deleted_since = (
            dataset is not None
            and dataset.deleted_at_count is not None
            and 0 < since <= dataset.deleted_at_count
        )
        body: dict[str, Any] = {
            "Records": [record_body(r) for r in page],
            "Count": total,
            "DatasetSyncCount": snapshot,
            "DatasetExists": alive,
            "DatasetDeletedAfterRequestedSyncCount": deleted_since,
            "SyncSessionToken": token,
        }
        if alive and dataset is not None:
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
            {"IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName}
        )
        with self.storage.read() as tx:
            dataset = tx.dataset(scope)
        if dataset is None or not dataset.exists:
            raise ResourceNotFoundException(f"Dataset not found: {scope.name}")
        return {"Dataset": dataset_body(dataset)}

    def delete_dataset(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        scope = inputs.dataset_input(
            {"IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName}
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
                    deleted_at_count=dataset.sync_count,
                )
            )
        return {"Dataset": dataset_body(dataset)}

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
            }
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
        page_size = min(request.max_results or MAX_RESULTS, MAX_RESULTS)
        with self.storage.read() as tx:
            found = tx.datasets(
                request.pool, request.identity, after_name=after_name, limit=page_size + 1
            )
        page = found[:page_size]
        body: dict[str, Any] = {"Datasets": [dataset_body(d) for d in page], "Count": len(page)}
        if len(found) > page_size:
            body["NextToken"] = cursors.mint(
                self.storage.secret(),
                {"kind": "datasets", "owner": owner, "after": page[-1].scope.name},
            )
        return body


def _scope_tuple(scope: DatasetScope) -> tuple[str, str, str]:
    return (scope.pool, scope.identity, scope.name)
