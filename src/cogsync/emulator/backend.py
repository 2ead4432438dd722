"""The rules of Cognito Sync's records API: state in, typed service errors or answers out.

Knows no HTTP. One method per operation, taking the operation's parameters under
their boto3 names (``None`` = absent, unknown names ignored) and returning the
answer body in its wire form (timestamps as epoch-second numbers), or raising a
:class:`~cogsync.emulator.errors.ServiceError`. Each call is one storage transaction.

Seams. Each operation is one method that reads as its flow; every point where an
implementer decides something is a small named method whose docstring says what it
decides, listed in ``CognitoSyncBackend.SEAMS``. The mutant catalog
(:mod:`cogsync.mutants`) plants each of its bugs by overriding one of them, so every
bug it proves the checks against lives in the code ``cogsync serve`` runs:

- every call: ``read`` (VAL-1..4), ``input_rules`` (VAL-1, VAL-2: the bounds it holds
  input to), ``owner_key`` (ISO-1);
- tokens: ``write_needs_token`` (TOK-2), ``token_fits`` (TOK-3), ``spend_token`` (TOK-4);
- UpdateRecords, in the order they run: ``check_and_commit`` (CONF-6: one transaction
  from check to commit), ``held_count``, ``is_stale``, ``conflict`` (CONF-1..5, CONF-7),
  ``dataset_limit_reached`` (LIM-1), ``count_before`` (DS-3), ``record_counts``
  (SYNC-1, SYNC-2), ``leaves_record`` (DEL-3), ``stored_size``, ``records_added``
  (DS-5), ``limited_totals``, ``over_record_limit``, ``over_byte_limit`` (LIM-2..4),
  ``store_refused`` (CONF-4, TOK-5), ``write_body`` (SYNC-2, SYNC-4);
- ListRecords: ``listed_dataset`` (LIST-2), ``deleted_after`` (DS-4), ``delta_floor``
  (LIST-1, LIST-3), ``resume_listing`` (LIST-4), ``listing_body``;
- DescribeDataset, DeleteDataset, ListDatasets: ``existing_dataset`` (DS-2),
  ``delete_and_commit`` (DS-3, CONF-6: one transaction), ``deleted_row`` (DS-3),
  ``datasets_body`` (DS-1).

Steps pass plain values to each other (:mod:`cogsync.emulator.plans`). The WSGI app
has seams of its own (``CognitoSyncApp.SEAMS``), and so does a storage transaction
(each of its methods).

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

import dataclasses
import time
from collections.abc import Callable, Mapping
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
)
from cogsync.emulator.plans import Listing, Usage, WritePlan
from cogsync.emulator.state import DatasetScope, RecordState, StoredDataset, TokenState
from cogsync.emulator.storage import MemoryStorage, Storage, Transaction
from cogsync.errors import UsageError

#: Default and largest page size of ListRecords and ListDatasets (LIST-7), by default.
MAX_RESULTS = REFERENCE.max_results

#: The errors by which the rules refuse a well-formed write (TOK-5 may spend its token).
RULE_REFUSALS = (ResourceConflictException, LimitExceededException)

#: Operation -> the reader of its parameters (UpdateRecords': see ``read``).
_READERS: dict[str, Callable[[Mapping[str, Any], Choices, inputs.Rules], Any]] = {
    "ListRecords": inputs.list_records_input,
    "DescribeDataset": inputs.dataset_input,
    "DeleteDataset": inputs.dataset_input,
    "ListDatasets": inputs.list_datasets_input,
}


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


def dataset_body(
    dataset: StoredDataset, choices: Choices = REFERENCE, *, identity: str | None = None
) -> dict[str, Any]:
    """A dataset as the wire carries it, shown to ``identity`` (default: the row's own)."""
    body: dict[str, Any] = {
        "IdentityId": identity if identity is not None else dataset.scope.identity,
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


class CognitoSyncBackend:
    """State and rules of the emulator; thread-safe (the storage serializes writes)."""

    #: The named steps a subclass may replace (the mutant catalog does, one each).
    SEAMS: tuple[str, ...] = (
        # every call
        "read", "input_rules", "owner_key",
        # tokens
        "write_needs_token", "token_fits", "spend_token",
        # UpdateRecords
        "check_and_commit", "held_count", "is_stale", "conflict", "dataset_limit_reached",
        "count_before", "record_counts", "leaves_record", "stored_size", "records_added",
        "limited_totals", "over_record_limit", "over_byte_limit", "store_refused", "write_body",
        # ListRecords
        "listed_dataset", "deleted_after", "delta_floor", "resume_listing", "listing_body",
        # DescribeDataset, DeleteDataset, ListDatasets
        "existing_dataset", "delete_and_commit", "deleted_row", "datasets_body",
    )

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

    # -- every call ----------------------------------------------------------------------
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """VAL-1..4: an operation's parameters, checked and typed (one 400 names every fault)."""
        if operation == "UpdateRecords":
            return inputs.update_input(params, self.choices,
                                       token_required=self.write_needs_token(),
                                       rules=self.input_rules())
        return _READERS[operation](params, self.choices, self.input_rules())

    def input_rules(self) -> inputs.Rules:
        """VAL-1, VAL-2: the lengths, patterns and integer ranges input is held to (the model's)."""
        return inputs.RULES

    def owner_key(self, pool: str, identity: str) -> tuple[str, str]:
        """ISO-1: whose datasets these are, as storage keys them: the pool and the identity."""
        return pool, identity

    def _key(self, scope: DatasetScope) -> DatasetScope:
        """Where the dataset ``scope`` names is kept (see ``owner_key``)."""
        return DatasetScope(*self.owner_key(scope.pool, scope.identity), scope.name)

    # -- tokens --------------------------------------------------------------------------
    def write_needs_token(self) -> bool:
        """TOK-2: must every UpdateRecords carry a SyncSessionToken (else: checked when sent)?"""
        return True

    def token_fits(self, token: TokenState, key: DatasetScope) -> bool:
        """TOK-3, ISO-1: was ``token`` issued for this very dataset (pool, identity and name)?"""
        return token.scope == key

    def spend_token(self, tx: Transaction, token: str | None) -> None:
        """TOK-4: a token that carried a write cannot carry another (None: none was sent)."""
        if token is not None:
            tx.drop_token(token)

    def _usable_token(self, tx: Transaction, token: str, key: DatasetScope) -> TokenState | None:
        state = tx.token(token)
        if state is None or not self.token_fits(state, key):
            return None
        if self.token_ttl is not None and self.clock() - state.issued_at > self.token_ttl:
            return None
        return state

    def _issue_token(self, tx: Transaction, key: DatasetScope) -> str:
        token = cursors.session_token()
        tx.add_token(TokenState(token, key, self.clock()), keep=self.max_tokens_per_dataset)
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
        request: inputs.UpdateInput = self.read("UpdateRecords", {
            "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
            "DatasetName": DatasetName, "SyncSessionToken": SyncSessionToken,
            "DeviceId": DeviceId, "RecordPatches": RecordPatches, "ClientContext": ClientContext,
        })
        plan = self.check_and_commit(request)
        if plan.refusal is not None:
            raise plan.refusal
        return self.write_body(plan)

    def check_and_commit(self, request: inputs.UpdateInput) -> WritePlan:
        """CONF-6: one transaction from the count check to the commit, so no rival slips in."""
        with self.storage.write() as tx:
            plan = self.check_write(tx, request)
            self.commit_write(tx, plan)
        return plan

    def check_write(self, tx: Transaction, request: inputs.UpdateInput) -> WritePlan:
        """The write's token (400 otherwise), then its plan, or the refusal of the rules."""
        if request.token is not None:  # None only where write_needs_token() allows it
            if self._usable_token(tx, request.token, self._key(request.scope)) is None:
                raise InvalidParameterException("SyncSessionToken not valid for these inputs")
        try:
            return self.plan_write(tx, request)
        except RULE_REFUSALS as refusal:
            return WritePlan(request, self._key(request.scope), refusal=refusal)

    def plan_write(self, tx: Transaction, request: inputs.UpdateInput) -> WritePlan:
        """What the write stores; raises when its counts or the limits refuse it."""
        key = self._key(request.scope)
        if not request.patches and not self.choices.empty_write_bumps:  # SYNC-6: nothing to do
            return WritePlan(request, key)
        dataset = tx.dataset(key)
        existing = dataset if dataset is not None and dataset.exists else None
        current = tx.records(key, [p.key for p in request.patches]) if existing else {}
        for patch in request.patches:  # CONF-1..3, CONF-7: every patch presents the key's count
            server_count = self.held_count(current.get(patch.key), existing)
            if self.is_stale(patch, server_count):
                raise self.conflict(patch, server_count)
        if existing is None and self.dataset_limit_reached(
            tx.count_datasets(key.pool, key.identity)
        ):
            raise LimitExceededException(
                f"Identity {key.identity} already has the maximum of"
                f" {self.limits.max_datasets_per_identity} datasets"
            )
        now = self.clock()
        author = request.device_id if request.device_id is not None else request.scope.identity
        before = self.count_before(dataset)
        # A key patched twice (VAL-4, when allowed) is written once: its last patch wins.
        last_patch = {p.key: p for p in request.patches}
        counts = self.record_counts(before, len(last_patch))
        written = tuple(
            RecordState(p.key, p.value, count, now, author, p.device_last_modified_date)
            for p, count in zip(last_patch.values(), counts, strict=True)
        )
        stored = tuple(r for r in written if self.leaves_record(r, current.get(r.key)))
        usage = self._usage_after(existing, current, stored)
        plan = WritePlan(request, key, written, stored, StoredDataset(
            scope=key,
            sync_count=max(counts, default=before + 1),  # no patches: SYNC-6 bumps by one
            exists=True,
            creation_date=existing.creation_date if existing is not None else now,
            last_modified_date=now,
            last_modified_by=author,
            num_records=usage.records,
            data_storage=usage.bytes,
            deleted_at_count=dataset.deleted_at_count if dataset is not None else None,
            tombstones=usage.tombstones,
            tombstone_bytes=usage.tombstone_bytes,
        ))
        self._check_size_limits(tx, plan)
        return plan

    def commit_write(self, tx: Transaction, plan: WritePlan) -> None:
        """Store a checked write and spend its token; a refused one stores what the rules say."""
        if plan.refusal is not None:
            self.store_refused(tx, plan)
            return
        self.store_write(tx, plan)
        self.spend_token(tx, plan.request.token)

    def store_write(self, tx: Transaction, plan: WritePlan) -> None:
        """Put a planned write's records and dataset row."""
        if plan.dataset is not None:
            tx.put_records(plan.key, plan.stored)
            tx.put_dataset(plan.dataset)

    def held_count(self, held: RecordState | None, dataset: StoredDataset | None) -> int:
        """The count a patch must present for a key: its record's (tombstones too), else 0."""
        return held.sync_count if held is not None else 0

    def is_stale(self, patch: inputs.Patch, server_count: int) -> bool:
        """CONF-1..3, CONF-7: is the patch refused (409) against the key's current count?"""
        if self.choices.ahead_count_conflicts:
            return patch.sync_count != server_count
        return patch.sync_count < server_count

    def conflict(self, patch: inputs.Patch, server_count: int) -> ResourceConflictException:
        """CONF-5: the 409 a stale patch gets, in AWS's observed words."""
        return ResourceConflictException(
            f"Current SyncCount for: {patch.key} is: {server_count} not: {patch.sync_count}"
        )

    def dataset_limit_reached(self, datasets: int) -> bool:
        """LIM-1: may an identity that has this many datasets not create another?"""
        return datasets >= self.limits.max_datasets_per_identity

    def count_before(self, dataset: StoredDataset | None) -> int:
        """DS-3: the count a write adds one to (a deleted dataset's, or 0 when it restarts)."""
        if dataset is None:
            return 0
        if not dataset.exists and self.choices.recreated_dataset_restarts_count:
            return 0
        return dataset.sync_count

    def record_counts(self, before: int, records: int) -> list[int]:
        """SYNC-1, SYNC-2: the count each written record gets; the dataset takes the highest."""
        return [before + 1] * records

    def leaves_record(self, record: RecordState, old: RecordState | None) -> bool:
        """DEL-3: is the written record stored (a removal of a key that held nothing may not be)?"""
        return (record.is_live or old is not None
                or self.choices.removal_of_unknown_key_leaves_tombstone)

    def stored_size(self, record: RecordState) -> int:
        """DS-5, LIM-3: what a record adds to DataStorage: UTF-8 bytes of key and value."""
        return record.stored_bytes

    def records_added(self, record: RecordState, old: RecordState | None) -> int:
        """DS-5: what writing ``record`` over ``old`` adds to NumRecords (live records only)."""
        return int(record.is_live) - int(old is not None and old.is_live)

    def _usage_after(
        self, dataset: StoredDataset | None, current: Mapping[str, RecordState],
        stored: tuple[RecordState, ...],
    ) -> Usage:
        """The dataset's totals once ``stored`` replaces what ``current`` held."""
        usage = Usage.of(dataset)
        for record in stored:
            old = current.get(record.key)
            usage = usage.plus(
                self.records_added(record, old),
                self.stored_size(record) - (self.stored_size(old) if old is not None else 0),
                int(not record.is_live) - int(old is not None and not old.is_live),
                record.tombstone_bytes - (old.tombstone_bytes if old is not None else 0),
            )
        return usage

    def _check_size_limits(self, tx: Transaction, plan: WritePlan) -> None:
        records, size = self.limited_totals(tx, plan)
        name = plan.key.name
        if self.over_record_limit(records):
            raise LimitExceededException(
                f"Dataset {name} would hold {records} records; the limit is"
                f" {self.limits.max_records_per_dataset}"
            )
        if self.over_byte_limit(size):
            raise LimitExceededException(
                f"Dataset {name} would hold {size} bytes; the limit is"
                f" {self.limits.max_dataset_bytes}"
            )

    def limited_totals(self, tx: Transaction, plan: WritePlan) -> tuple[int, int]:
        """LIM-2..4: the records and bytes the limits weigh: this dataset after the write, alone."""
        row = plan.dataset
        if row is None:
            return 0, 0
        if self.choices.tombstones_in_limits:
            return row.num_records + row.tombstones, row.data_storage + row.tombstone_bytes
        return row.num_records, row.data_storage

    def over_record_limit(self, records: int) -> bool:
        """LIM-2: is a dataset holding this many records over the limit?"""
        return records > self.limits.max_records_per_dataset

    def over_byte_limit(self, size: int) -> bool:
        """LIM-3: is a dataset holding this many bytes over the limit?"""
        return size > self.limits.max_dataset_bytes

    def store_refused(self, tx: Transaction, plan: WritePlan) -> None:
        """CONF-4: a refused write stores nothing of its patches; TOK-5: its token may go."""
        if self.choices.refused_write_spends_token:
            self.spend_token(tx, plan.request.token)

    def write_body(self, plan: WritePlan) -> dict[str, Any]:
        """SYNC-2, SYNC-4: UpdateRecords' answer: every written record at its new count."""
        return {"Records": [record_body(r, self.choices) for r in plan.written]}

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
        request: inputs.ListRecordsInput = self.read("ListRecords", {
            "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
            "DatasetName": DatasetName, "LastSyncCount": LastSyncCount,
            "NextToken": NextToken, "MaxResults": MaxResults,
            "SyncSessionToken": SyncSessionToken,
        })
        key = self._key(request.scope)
        listed = key  # the dataset whose records the page holds (see ``resume_listing``)
        since = request.last_sync_count
        page_size = self.choices.page_size(request.max_results)  # LIST-7
        with self.storage.write() as tx:  # a write: it may issue a token
            dataset = self.listed_dataset(tx, key)
            alive = dataset is not None and dataset.exists
            deleted_since = self.deleted_after(dataset, since)
            if request.next_token is not None:  # a later page: the first page's snapshot
                listed, snapshot, after_key = self.resume_listing(key, since, request.next_token)
            else:
                snapshot, after_key = (dataset.sync_count if dataset is not None and alive else 0), None
            above = self.delta_floor(since, snapshot, alive, deleted_since)
            page: list[RecordState] = []
            total = 0
            if alive:
                page = tx.changed_records(
                    listed, above=above, up_to=snapshot, after_key=after_key, limit=page_size + 1
                )
                total = tx.count_changed_records(listed, above=above, up_to=snapshot)
            held = None
            if request.token is not None:
                held = self._usable_token(tx, request.token, key)
            token = held.token if held is not None else self._issue_token(tx, key)
        more = len(page) > page_size
        page = page[:page_size]
        next_token = self._records_cursor(key, since, snapshot, page[-1].key) if more else None
        return self.listing_body(
            Listing(dataset, alive, tuple(page), total, snapshot, deleted_since, token, next_token)
        )

    def listed_dataset(self, tx: Transaction, key: DatasetScope) -> StoredDataset | None:
        """LIST-2: the row a listing reads; a missing dataset is listed as empty, not refused."""
        return tx.dataset(key)

    def deleted_after(self, dataset: StoredDataset | None, since: int) -> bool:
        """DS-4: does the client's lastSyncCount predate a deletion of the dataset?"""
        return (dataset is not None and dataset.deleted_at_count is not None
                and 0 < since <= dataset.deleted_at_count)

    def delta_floor(self, since: int, snapshot: int, alive: bool, deleted_since: bool) -> int:
        """LIST-1, LIST-3, DS-4: the listing holds the records whose count is above this."""
        if deleted_since:  # every current record (needed when counts restart, DS-3)
            return 0
        if alive and since > snapshot:
            raise InvalidParameterException(f"No such SyncCount: {since} exists for this Dataset")
        return since

    def listing_body(self, listing: Listing) -> dict[str, Any]:
        """LIST-1..6, TOK-1: ListRecords' answer for what the listing found."""
        body: dict[str, Any] = {
            "Records": [record_body(r, self.choices) for r in listing.records],
            "Count": listing.total,
            "DatasetSyncCount": listing.snapshot,
            "DatasetExists": listing.exists,
            "DatasetDeletedAfterRequestedSyncCount": listing.deleted_since,
            "SyncSessionToken": listing.token,
        }
        if listing.exists and listing.dataset is not None and self.choices.sends_last_modified_by:
            body["LastModifiedBy"] = listing.dataset.last_modified_by  # SYNC-7
        if listing.next_token is not None:
            body["NextToken"] = listing.next_token
        return body

    def _records_cursor(self, key: DatasetScope, since: int, snapshot: int, after: str) -> str:
        return cursors.mint(self.storage.secret(), {
            "kind": "records", "scope": _scope_list(key), "since": since, "upto": snapshot,
            "after": after,
        })

    def resume_listing(
        self, key: DatasetScope, since: int, cursor: str
    ) -> tuple[DatasetScope, int, str]:
        """LIST-4: where a later page resumes (dataset, snapshot, last key): this dataset's only."""
        # Only a cursor minted for this very dataset and lastSyncCount is read (400 for any
        # other), and the dataset listed is always the one the request names: a cursor
        # carried to another dataset, identity or pool must not continue its own listing.
        payload = cursors.read(self.storage.secret(), cursor,
                               expect={"kind": "records", "scope": _scope_list(key), "since": since})
        return key, int(payload["upto"]), str(payload["after"])

    # -- datasets ------------------------------------------------------------------------
    def describe_dataset(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        scope: DatasetScope = self.read("DescribeDataset", {
            "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName,
        })
        key = self._key(scope)
        with self.storage.read() as tx:
            dataset = self.existing_dataset(tx.dataset(key), key)
        return {"Dataset": dataset_body(dataset, self.choices, identity=scope.identity)}

    def delete_dataset(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        DatasetName: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        scope: DatasetScope = self.read("DeleteDataset", {
            "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId, "DatasetName": DatasetName,
        })
        dataset = self.delete_and_commit(self._key(scope))
        return {"Dataset": dataset_body(dataset, self.choices, identity=scope.identity)}

    def delete_and_commit(self, key: DatasetScope) -> StoredDataset:
        """DS-3, CONF-6: one transaction from lookup to deletion; returns the row as it was."""
        # So a concurrent write lands wholly before the delete (and goes with it) or wholly
        # after (and re-creates the dataset): never half of each.
        with self.storage.write() as tx:
            dataset = self.existing_dataset(tx.dataset(key), key)
            tx.drop_records(key)
            tx.put_dataset(self.deleted_row(dataset))
        return dataset

    def existing_dataset(self, dataset: StoredDataset | None, key: DatasetScope) -> StoredDataset:
        """DS-2: the dataset a call names; 404 when it was never written or is deleted."""
        if dataset is None or not dataset.exists:
            raise ResourceNotFoundException(f"Dataset not found: {key.name}")
        return dataset

    def deleted_row(self, dataset: StoredDataset) -> StoredDataset:
        """DS-3, DS-4: the row DeleteDataset leaves: gone, but its count (and last totals) kept."""
        # The totals of its last life stay on the row, as a store that flags rows deleted
        # keeps them. Nothing reads them (a write into a deleted dataset starts from
        # nothing, Usage.of); a server whose limits do (a mutant) is caught by the
        # boundary phase's size limits on a deleted dataset.
        return dataclasses.replace(
            dataset,
            exists=False,
            last_modified_date=self.clock(),
            # The highest count before any deletion: counts that restart (DS-3) may
            # delete a dataset below an earlier incarnation's count.
            deleted_at_count=max(dataset.deleted_at_count or 0, dataset.sync_count),
        )

    def list_datasets(
        self,
        *,
        IdentityPoolId: Any = None,
        IdentityId: Any = None,
        NextToken: Any = None,
        MaxResults: Any = None,
        **_ignored: Any,
    ) -> dict[str, Any]:
        request: inputs.ListDatasetsInput = self.read("ListDatasets", {
            "IdentityPoolId": IdentityPoolId, "IdentityId": IdentityId,
            "NextToken": NextToken, "MaxResults": MaxResults,
        })
        owner = list(self.owner_key(request.pool, request.identity))
        after_name: str | None = None
        if request.next_token is not None:
            cursor = cursors.read(self.storage.secret(), request.next_token,
                                  expect={"kind": "datasets", "owner": owner})
            after_name = str(cursor["after"])
        page_size = self.choices.page_size(request.max_results)  # LIST-7
        with self.storage.read() as tx:
            found = tx.datasets(owner[0], owner[1], after_name=after_name, limit=page_size + 1)
        page = found[:page_size]
        next_token = None
        if len(found) > page_size:
            next_token = cursors.mint(self.storage.secret(), {
                "kind": "datasets", "owner": owner, "after": page[-1].scope.name,
            })
        return self.datasets_body(page, request.identity, next_token)

    def datasets_body(
        self, page: list[StoredDataset], identity: str, next_token: str | None
    ) -> dict[str, Any]:
        """DS-1: ListDatasets' answer: a page of datasets as ``identity`` sees them."""
        body: dict[str, Any] = {
            "Datasets": [dataset_body(d, self.choices, identity=identity) for d in page],
            "Count": len(page),
        }
        if next_token is not None:
            body["NextToken"] = next_token
        return body


def _scope_list(key: DatasetScope) -> list[str]:
    return [key.pool, key.identity, key.name]
