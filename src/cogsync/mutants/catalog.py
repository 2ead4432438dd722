"""The catalog: every mutant, the bug it carries, and the properties it breaks.

A mutant is the reference emulator with one realistic bug, the kind an implementer
of Cognito Sync's records API could write, planted by replacing one named seam of
the real emulator (``CognitoSyncBackend.SEAMS`` and the others: see ``_parts``).
The conformance engine must report every one of a mutant's ``breaks`` ids as failed
(SHOULD ids under the default profile), and must pass the reference emulator:
together the mutants break every MUST and SHOULD property, so each property's check
is proven by a server that breaks it.

``minimal_steps`` is the fewest calls that show the bug, counted by hand (tokens
come from listings, so a write costs a ListRecords first); the benchmark compares
the engine's shrunk reproductions with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cogsync.errors import UsageError
from cogsync.mutants import (
    boundary_bugs,
    conflicts,
    datasets,
    durability,
    isolation,
    limits,
    listing,
    neighbours,
    retries,
    signatures,
    sync_counts,
    tokens,
    tombstones,
    validation,
    wire_bugs,
)


@dataclass(frozen=True)
class Mutant:
    name: str  # kebab-case; its factory is cogsync.mutants:<name with _ for ->
    description: str  # the bug in one sentence, as its implementer would have written it
    breaks: frozenset[str]  # property ids the engine must report failed, each of them
    build: Callable[..., Any]  # a fresh WSGI app: the mutant emulator, memory storage
    concurrency_only: bool = False  # only a concurrent history shows it
    #: Only a restart shows it: ``build(path)`` keeps its data in that SQLite file (default: a
    #: file of this process), and the kit must restart it (``restart_in_process``) to catch it.
    restarts: bool = False
    minimal_steps: int = 0  # the fewest calls that show the bug
    signed: bool = False  # the app checks SigV4 (signatures.signing_keys); sign with RUN_KEY
    faults: str | None = None  # only a run through these faults (a --faults SPEC) shows the bug

    @property
    def factory(self) -> str:
        """The ``module:factory`` spec of its app, for ``cogsync verify --in-process``."""
        return f"cogsync.mutants:{self.name.replace('-', '_')}"


def _m(name: str, breaks: str, minimal_steps: int, build: Callable[[], Any], description: str,
       **options: Any) -> Mutant:
    return Mutant(name, " ".join(description.split()), frozenset(breaks.split()), build,
                  minimal_steps=minimal_steps, **options)


CATALOG: tuple[Mutant, ...] = (
    # -- sync counts -----------------------------------------------------------------------
    _m("count-per-patch", "SYNC-1 SYNC-2", 2, sync_counts.count_per_patch,
       "Each patch of a write is its own increment: the records get N+1, N+2, ... and the "
       "dataset ends at N plus the number of patches."),
    # A wrong count in a write's answer is SYNC-2's (the most specific id), not SYNC-4's.
    _m("response-carries-sent-count", "SYNC-2", 2, sync_counts.response_carries_sent_count,
       "The write's answer echoes each patch's SyncCount instead of the new count."),
    _m("response-omits-removed-keys", "SYNC-4", 2, sync_counts.response_omits_removed_keys,
       "The write's answer lists only records that still have a value, so removals are missing."),
    _m("new-key-needs-dataset-count", "SYNC-5", 4, sync_counts.new_key_needs_dataset_count,
       "A key with no record is checked against the dataset's sync count, so a new key in an "
       "existing dataset needs that count instead of 0."),
    _m("dataset-count-from-records", "SYNC-3", 3, sync_counts.dataset_count_from_records,
       "ListRecords reports DatasetSyncCount as the highest count among the records it returns, "
       "0 when the delta is empty."),
    _m("timestamps-in-milliseconds", "SYNC-7", 2, sync_counts.timestamps_in_milliseconds,
       "LastModifiedDate is stamped with a millisecond clock (Date.now()) instead of seconds."),
    _m("device-date-dropped", "SYNC-7", 2, sync_counts.device_date_dropped,
       "The patch parser never reads DeviceLastModifiedDate, so it is not stored or returned."),
    # -- conflicts -------------------------------------------------------------------------
    _m("stale-replace-accepted", "CONF-1 CONF-2", 4, conflicts.stale_replace_accepted,
       "A patch is stale only when sent < server - 1 (off by one), so a count one behind "
       "overwrites the newer record."),
    _m("zero-count-always-accepted", "CONF-2", 4, conflicts.zero_count_always_accepted,
       "SyncCount 0 is read as 'create or overwrite' and skips the conflict check."),
    _m("remove-skips-conflict-check", "CONF-3", 4, conflicts.remove_skips_conflict_check,
       "Only replace patches are checked for a stale SyncCount; a remove always wins."),
    _m("partial-batch-on-conflict", "CONF-4", 3, conflicts.partial_batch_on_conflict,
       "Patches are applied one by one and the first stale one stops the batch, keeping the "
       "patches before it."),
    _m("conflict-bumps-count", "CONF-4", 5, conflicts.conflict_bumps_count,
       "The dataset counter is incremented in its own statement before the patches are "
       "checked, so a refused write still moves the count."),
    _m("conflict-message-reworded", "CONF-5", 2, conflicts.conflict_message_reworded,
       "The 409 message is written in the implementer's own words instead of AWS's "
       "'Current SyncCount for: <key> is: <server> not: <sent>'."),
    _m("lost-update-race", "CONF-6", 4, conflicts.lost_update_race,
       "The write checks the counts in one transaction, computes outside the lock, and commits "
       "in a second transaction, so two writers presenting the same count both succeed.",
       concurrency_only=True),
    # -- tombstones ------------------------------------------------------------------------
    # It breaks DEL-2 as well, but the listing that misses the tombstone (DEL-1) comes
    # first, and from then on the model follows the server: the revive looks like a new key.
    _m("remove-deletes-row", "DEL-1", 5, tombstones.remove_deletes_row,
       "A remove deletes the record's row instead of leaving a tombstone."),
    _m("tombstone-revive-needs-zero", "DEL-2", 6, tombstones.tombstone_revive_needs_zero,
       "A tombstone is looked up as a missing key, so reviving it needs SyncCount 0 instead of "
       "the tombstone's count."),
    # -- listing ---------------------------------------------------------------------------
    _m("delta-listing-inclusive", "LIST-1", 3, listing.delta_listing_inclusive,
       "The delta query is sync_count >= lastSyncCount where > was meant."),
    _m("missing-dataset-listed-as-404", "LIST-2", 1, listing.missing_dataset_listed_as_404,
       "ListRecords looks the dataset up like DescribeDataset and answers 404 when it is missing."),
    _m("list-past-count-clamped", "LIST-3", 3, listing.list_past_count_clamped,
       "A lastSyncCount above the dataset's count is clamped to it instead of refused."),
    _m("pagination-skips-record", "LIST-4", 4, listing.pagination_skips_record,
       "A next page resumes one record late, so the first record after each page break is lost."),
    _m("count-is-page-size", "LIST-5", 4, listing.count_is_page_size,
       "Count is the number of records on the page, not in the whole listing."),
    _m("count-is-dataset-size", "LIST-5", 3, listing.count_is_dataset_size,
       "Count is filled from the dataset's NumRecords, not from the records the listing holds."),
    _m("listing-value-cache-stale", "LIST-6", 5, listing.listing_value_cache_stale,
       "ListRecords reads values through a cache that UpdateRecords never invalidates."),
    _m("listing-dates-from-dataset", "LIST-6", 5, listing.listing_dates_from_dataset,
       "Listed records take their LastModifiedDate from the dataset row instead of their own."),
    _m("next-token-carries-its-dataset", "LIST-4", 5, listing.next_token_carries_its_dataset,
       "The nextToken holds the dataset it lists (stateless paging), so a listing of one "
       "dataset given another's nextToken continues the other's listing."),
    _m("last-sync-count-as-int32", "LIST-3", 4, listing.last_sync_count_as_int32,
       "The delta query binds lastSyncCount to a 32-bit integer, so a count past 2^31-1 wraps "
       "(2^32+1 reads as 1) instead of being refused as above the dataset's count."),
    # -- neighbours: names a storage layer or a proxy conflates -----------------------------
    _m("keys-case-insensitive", "SYNC-5", 4, neighbours.keys_case_insensitive,
       "Keys are looked up through a case-insensitive index (a MySQL _ci collation), so a new "
       "key that differs from another only by letter case is refused as stale."),
    _m("keys-whitespace-stripped", "LIST-1", 3, neighbours.keys_whitespace_stripped,
       "The ORM strips surrounding whitespace from keys when it saves them, so ' k' is stored "
       "(and listed) as 'k', over any record 'k' held."),
    _m("keys-nfc-normalized", "LIST-1", 3, neighbours.keys_nfc_normalized,
       "Keys are NFC-normalized when saved, so a key written in NFD is listed in NFC and "
       "overwrites its NFC twin."),
    _m("dataset-names-nfc-normalized", "VAL-1", 1, neighbours.dataset_names_nfc_normalized,
       "Dataset names are NFC-normalized before they are checked, so a name holding the Kelvin "
       "sign (U+212A) is read as the valid name with the letter K and reaches its data."),
    _m("dataset-label-decoded-twice", "VAL-1", 1, neighbours.dataset_label_decoded_twice,
       "A proxy decodes the path and the app decodes the dataset label again, so the invalid "
       "name 'a%41' (sent as a%2541) reaches dataset 'aA'."),
    _m("dataset-label-not-decoded", "VAL-2", 1, neighbours.dataset_label_not_decoded,
       "The app takes the dataset label as sent, assuming a proxy decoded it, so 'a:b' "
       "(sent as a%3Ab) is refused as an invalid name."),
    # -- tokens ----------------------------------------------------------------------------
    _m("token-missing-for-new-dataset", "TOK-1", 1, tokens.token_missing_for_new_dataset,
       "ListRecords issues a SyncSessionToken only for datasets that already exist."),
    _m("missing-token-accepted", "TOK-2", 1, tokens.missing_token_accepted,
       "The SyncSessionToken is checked only when one is sent."),
    _m("token-not-bound-to-dataset", "TOK-3", 2, tokens.token_not_bound_to_dataset,
       "A token is checked against the caller's identity but not the dataset it was issued for."),
    _m("token-reusable", "TOK-4", 3, tokens.token_reusable,
       "A successful write forgets to delete its token, so the token can be used again."),
    # The same identity's token for another dataset (TOK-3) has another name: refused.
    _m("token-bound-to-dataset-name-only", "ISO-1", 2,
       tokens.token_bound_to_dataset_name_only,
       "Tokens are looked up by dataset name alone, so another identity's token for the same "
       "name is accepted."),
    # -- datasets --------------------------------------------------------------------------
    _m("list-datasets-omits-num-records", "DS-1", 3, datasets.list_datasets_omits_num_records,
       "ListDatasets serializes datasets without NumRecords."),
    _m("describe-missing-answers-200", "DS-2", 1, datasets.describe_missing_answers_200,
       "A dataset that does not exist is looked up as an empty one, so DescribeDataset (and "
       "DeleteDataset) of an unknown name answer 200 instead of 404."),
    # The old records show after the re-creation: records never written there (LIST-1).
    _m("delete-keeps-records", "LIST-1", 6, datasets.delete_keeps_records,
       "DeleteDataset marks the dataset deleted but leaves its records, which come back when "
       "it is recreated."),
    _m("delete-only-empties-dataset", "DS-3", 4, datasets.delete_only_empties_dataset,
       "DeleteDataset drops the records and zeroes the counters, but the dataset stays."),
    _m("no-deleted-after-flag", "DS-4", 6, datasets.no_deleted_after_flag,
       "DatasetDeletedAfterRequestedSyncCount is never set after a delete and recreate."),
    _m("data-storage-counts-characters", "DS-5 LIM-3", 3, datasets.data_storage_counts_characters,
       "DataStorage (and the 1 MB limit) counts characters of keys and values, not UTF-8 bytes."),
    _m("num-records-counts-every-replace", "DS-5", 3, datasets.num_records_counts_every_replace,
       "NumRecords goes up by one for every replace and down by one for every remove, whether "
       "or not the key held a live record."),
    _m("delete-not-atomic", "CONF-6", 4, datasets.delete_not_atomic,
       "DeleteDataset marks the dataset deleted in one statement and drops its records in "
       "another, so a write acknowledged in between re-creates the dataset and then loses its "
       "records.", concurrency_only=True),
    # -- limits ----------------------------------------------------------------------------
    _m("no-dataset-limit", "LIM-1", 42, limits.no_dataset_limit,
       "The 20-datasets-per-identity limit was never implemented."),
    _m("record-limit-off-by-one", "LIM-2", 2, limits.record_limit_off_by_one,
       "The record limit compares with >= where > was meant, refusing the 1024th record."),
    _m("byte-limit-per-identity", "LIM-3", 4, limits.byte_limit_per_identity,
       "The 1 MB limit weighs all of an identity's datasets together (a per-user quota), so "
       "data spread over two datasets, each within the limit, is refused."),
    _m("byte-limit-per-request", "LIM-3", 4, limits.byte_limit_per_request,
       "The 1 MB limit is checked against the request's patches, not the dataset's total."),
    _m("limits-weigh-a-deleted-life", "LIM-3", 5, limits.limits_weigh_a_deleted_life,
       "The record and byte limits add a write to the dataset's row as stored, deleted or not: "
       "the first write into a deleted dataset is weighed with its previous life's records and "
       "bytes, so a write up to the limits is refused."),
    # -- isolation and auth ----------------------------------------------------------------
    _m("datasets-keyed-by-name-only", "ISO-1", 3, isolation.datasets_keyed_by_name_only,
       "Datasets are keyed by name alone (a single-tenant prototype): every identity sees the "
       "same dataset."),
    _m("datasets-shared-within-pool", "ISO-1", 3, isolation.datasets_shared_within_pool,
       "Datasets are keyed by identity pool and name: identities of one pool share them."),
    _m("datasets-keyed-by-identity-only", "ISO-1", 3, isolation.datasets_keyed_by_identity_only,
       "Datasets are keyed by identity id and name: the same identity id under another pool "
       "sees them."),
    _m("bound-credentials-not-enforced", "ISO-2", 2, signatures.bound_credentials_not_enforced,
       "The credentials loader keeps each key's secret but drops its identity binding, so a "
       "key bound to one identity may act for any.", signed=True),
    # A 403 whose write landed is ISO-2's breach (the model's attribution), not CONF-4's.
    _m("signature-checked-after-write", "ISO-2", 3,
       signatures.signature_checked_after_write,
       "The signature is verified when the answer is sent, after the operation already ran.",
       signed=True),
    # -- wire ------------------------------------------------------------------------------
    _m("timestamps-as-iso-strings", "WIRE-1", 2, wire_bugs.timestamps_as_iso_strings,
       "Dates are serialized with datetime.isoformat() instead of epoch-second numbers."),
    _m("error-type-header-missing", "WIRE-2", 1, wire_bugs.error_type_header_missing,
       "Errors carry their type only in the body's __type, not in x-amzn-ErrorType."),
    _m("validation-exception-type", "WIRE-3 VAL-1", 1, wire_bugs.validation_exception_type,
       "Invalid input is answered as ValidationException, like other AWS JSON services, instead "
       "of InvalidParameterException."),
    _m("bad-sync-count-type-500", "WIRE-4", 1, wire_bugs.bad_sync_count_type_500,
       "Negative counts are refused before the request is validated, so a SyncCount that is not "
       "a number crashes the comparison (500)."),
    _m("astral-characters-mangled", "WIRE-5", 3, wire_bugs.astral_characters_mangled,
       "Keys and values are stored in 3-byte UTF-8 columns, turning characters outside the BMP "
       "into U+FFFD."),
    # A valid write refused for its size: VAL-2 (valid input refused), where WIRE-4's
    # cap clause says why it matters.
    _m("body-cap-too-small", "VAL-2", 2, wire_bugs.body_cap_too_small,
       "Request bodies are capped at 2 MiB, twice the dataset limit, forgetting that boto3 "
       "escapes non-ASCII text as \\uXXXX."),
    _m("large-body-crashes", "WIRE-4", 2, wire_bugs.large_body_crashes,
       "The body is copied into a fixed 2 MiB buffer, and a longer one crashes the handler "
       "(500) instead of being read."),
    # -- faults only: a retried request (a duplicate delivery) applied twice ----------------
    # Writers of a dataset take turns by a lease, so racing devices never show these;
    # only two deliveries of one request, racing each other, do. The catalog runs them with
    # every request delivered twice (the benchmark, with the default schedule). A write
    # answered with its count bumped twice is SYNC-2's; one whose answer hides it, the
    # next listing's (SYNC-1).
    _m("retry-applied-twice", "SYNC-2", 3, retries.retry_applied_twice,
       "Writers of a dataset take turns by a lease held per device, re-entrant for it since a "
       "device never has two requests in flight; inside it the token and count check and the "
       "commit are two transactions, so a request delivered twice applies twice.",
       faults="duplicate=1"),
    _m("retry-answered-from-cache", "SYNC-1", 4, retries.retry_answered_from_cache,
       "The dataset lease is held per sync session (re-entrant for its token) with the check and "
       "the commit in two transactions, and a retried request is answered from a cache keyed by "
       "the token: a request delivered twice applies twice, while every answer shows one write.",
       faults="duplicate=1"),
    _m("session-retry-applied-twice", "SYNC-2", 3, retries.session_retry_applied_twice,
       "The dataset lease is held per sync session, re-entrant for its token, with the check and "
       "the commit in two transactions, so a retried request (same token) applies again.",
       faults="duplicate=1"),
    # -- validation ------------------------------------------------------------------------
    _m("unknown-op-treated-as-replace", "VAL-1", 2, validation.unknown_op_treated_as_replace,
       "Any Op other than 'remove' is handled as a replace."),
    _m("overlong-key-truncated", "VAL-1", 2, validation.overlong_key_truncated,
       "Keys go to a 1024-character column that silently truncates longer ones."),
    _m("colon-refused-in-dataset-names", "VAL-2", 1, validation.colon_refused_in_dataset_names,
       "The dataset name pattern was written without ':'."),
    _m("negative-sync-count-accepted", "VAL-3", 2, validation.negative_sync_count_accepted,
       "A negative SyncCount is read as 0, like a negative lastSyncCount."),
    # -- durability (a restart shows them; steps: the calls, not counting the restart) --------
    _m("writes-acknowledged-before-disk", "DUR-1", 3, durability.writes_acknowledged_before_disk,
       "State is served from memory and written to SQLite every 10 write transactions, like Redis "
       "snapshots, so a write is acknowledged before it is on disk and a restart loses it.",
       restarts=True),
    _m("counters-restart-from-zero", "DUR-1", 4, durability.counters_restart_from_zero,
       "Sync counters live in a cache of the process while the records are in SQLite, so after a "
       "restart a dataset counts from 0 again below its records' counts.", restarts=True),
    _m("tombstones-not-persisted", "DUR-1", 3, durability.tombstones_not_persisted,
       "Snapshots to SQLite leave tombstones out because they hold no value, so after a restart a "
       "removed key is as if it had never been written.", restarts=True),
    # -- what a generic wire fuzzer finds (the boundary phase catches each at every budget) --
    _m("dataset-name-129-accepted", "VAL-1", 1, boundary_bugs.dataset_name_129_accepted,
       "The DatasetName length check is off by one: a name of 129 characters is accepted."),
    _m("key-one-past-max-accepted", "VAL-1", 2, boundary_bugs.key_one_past_max_accepted,
       "The record key length check is off by one: a key of 1025 characters is stored."),
    _m("lengths-counted-in-utf8-bytes", "VAL-2", 2, boundary_bugs.lengths_counted_in_utf8_bytes,
       "DeviceId, Key and Value are measured in UTF-8 bytes, not characters, so a DeviceId of "
       "256 'é' (or 128 astral characters) is refused."),
    _m("max-results-read-as-long", "VAL-1", 1, boundary_bugs.max_results_read_as_long,
       "maxResults is parsed as a long, so 2147483648 (past the model's 32-bit Integer) is "
       "served instead of refused."),
    _m("sync-count-overflow-500", "WIRE-4", 2, boundary_bugs.sync_count_overflow_500,
       "Each SyncCount is packed into a signed 64-bit field before validation, so 2**63 "
       "crashes the packer (500)."),
    _m("malformed-json-body-500", "WIRE-4", 1, boundary_bugs.malformed_json_body_500,
       "The UpdateRecords body is parsed outside the error handler: a body that is not JSON "
       "is a 500."),
    _m("empty-body-500", "WIRE-4", 1, boundary_bugs.empty_body_500,
       "An empty UpdateRecords body reads as JSON null, whose members are then looked up: a "
       "crash (500)."),
    _m("json-array-body-500", "WIRE-4", 1, boundary_bugs.json_array_body_500,
       "Any JSON document is taken as the request, so a JSON array crashes the member lookups "
       "(500)."),
    _m("amz-json-content-type-refused", "VAL-2", 2, boundary_bugs.amz_json_content_type_refused,
       "Only bodies sent as application/json are read; the mobile SDKs' "
       "application/x-amz-json-1.1 is refused with 400."),
)

BY_NAME: dict[str, Mutant] = {m.name: m for m in CATALOG}


def get(name: str) -> Mutant:
    """The mutant called ``name``; UsageError naming the argument for an unknown one."""
    try:
        return BY_NAME[name]
    except (KeyError, TypeError):
        raise UsageError.bad_argument(
            "name", name, "the name of a mutant in cogsync.mutants.CATALOG, e.g. "
            "'stale-replace-accepted'"
        ) from None
