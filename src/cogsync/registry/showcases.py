"""The sequence that shows each property (see :mod:`cogsync.registry.showcase`).

Each is as short as the property allows and names the mutant it is tested
against: ``tests/conformance/test_showcases.py`` runs it on the reference emulator
(the model finds nothing wrong and the property is put to the test, or, for a MAY
property, the server's choice is reported) and on that mutant (the model reports
the property broken).
"""

from __future__ import annotations

from cogsync.registry.showcase import Showcase


def _show(property_id: str, mutant: str, code: str) -> Showcase:
    return Showcase(property_id, code.strip("\n") + "\n", mutant)


def _see(property_id: str, how: str) -> Showcase:
    return Showcase(property_id, see=" ".join(how.split()))


SHOWCASES: tuple[Showcase, ...] = (
    # --- 1. wire -----------------------------------------------------------------------------
    _show("WIRE-1", "timestamps-as-iso-strings", '''
write("wire-1", [replace("k", "v", 0)])  # LastModifiedDate: epoch seconds, a JSON number
call("list_records", **ME, DatasetName="wire-1")
'''),
    _show("WIRE-2", "error-type-header-missing", '''
write("wire-2", [replace("k", "v", 0)])
call("describe_dataset", **ME, DatasetName="no-such-dataset")  # 404, x-amzn-ErrorType, {"message": ...}
'''),
    _show("WIRE-3", "validation-exception-type", '''
write("wire-3", [replace("k", "v", 0)])
write("wire-3", [{"Op": "upsert", "Key": "k", "Value": "v", "SyncCount": 1}])  # a type UpdateRecords lists
'''),
    _show("WIRE-4", "bad-sync-count-type-500", '''
write("wire-4", [replace("k", "v", 0)])
write("wire-4", [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": "1"}])  # a 4xx, never a 5xx
'''),
    _show("WIRE-5", "astral-characters-mangled", '''
write("wire-5", [replace("k", "\\U0001f600 h\\u00e9llo \\u4e2d", 0)])  # comes back byte for byte
call("list_records", **ME, DatasetName="wire-5")
'''),
    # --- 2. input validation -------------------------------------------------------------------
    _show("VAL-1", "unknown-op-treated-as-replace", '''
write("val-1", [replace("k", "v", 0)])
write("val-1", [{"Op": "upsert", "Key": "k", "Value": "w", "SyncCount": 1}])  # 400 InvalidParameterException
call("list_records", **ME, DatasetName="val-1")  # k is still "v"
'''),
    _show("VAL-2", "colon-refused-in-dataset-names", '''
write("val:2", [replace("k", "v", 0)])  # ':' is allowed in a dataset name: 200
'''),
    _show("VAL-3", "negative-sync-count-accepted", '''
write("val-3", [replace("k", "v", 0)])
write("val-3", [replace("k", "w", -1)])  # 400 InvalidParameterException
call("list_records", **ME, DatasetName="val-3")  # k is still "v" at 1
'''),
    _show("VAL-4", "", '''
write("val-4", [replace("k" * 200, "v", 0)])  # a key over 128 UTF-8 bytes: accepted or 400, your choice
'''),
    # --- 3. sync counts --------------------------------------------------------------------------
    _show("SYNC-1", "count-per-patch", '''
write("sync-1", [replace("a", "1", 0), replace("b", "2", 0)])  # both records at 1
call("list_records", **ME, DatasetName="sync-1")  # DatasetSyncCount 1, not 2
'''),
    _show("SYNC-2", "response-carries-sent-count", '''
write("sync-2", [replace("k", "v1", 0)])
write("sync-2", [replace("k", "v2", 1)])  # the answer's record is at 2, not the 1 sent
'''),
    _show("SYNC-3", "dataset-count-from-records", '''
write("sync-3", [replace("a", "1", 0)])
write("sync-3", [replace("b", "2", 0)])
call("list_records", **ME, DatasetName="sync-3")  # DatasetSyncCount 2
call("list_records", **ME, DatasetName="sync-3", LastSyncCount=2)  # no records, and still 2
'''),
    _show("SYNC-4", "response-omits-removed-keys", '''
write("sync-4", [replace("k", "v", 0), replace("gone", "x", 0)])
write("sync-4", [replace("k", "w", 1), remove("gone", 1)])  # both keys answered, "gone" without a Value
'''),
    _show("SYNC-5", "new-key-needs-dataset-count", '''
write("sync-5", [replace("a", "1", 0)])
write("sync-5", [replace("a", "2", 1)])  # the dataset is at 2
write("sync-5", [replace("new", "n", 0)])  # a new key presents 0: created
'''),
    _show("SYNC-6", "", '''
write("sync-6", [replace("k", "v", 0)])
write("sync-6", [])  # no patches: 200 and no records; the count moves or not, your choice
call("list_records", **ME, DatasetName="sync-6")
'''),
    _show("SYNC-7", "device-date-dropped", '''
write("sync-7", [replace("k", "v", 0, DeviceLastModifiedDate=1700000000.5)])  # echoed back
'''),
    # --- 4. conflicts ----------------------------------------------------------------------------
    _show("CONF-1", "stale-replace-accepted", '''
write("conf-1", [replace("k", "v1", 0)])
write("conf-1", [replace("k", "v2", 1)])  # k is at 2
write("conf-1", [replace("k", "stale", 1)])  # 409 ResourceConflictException
'''),
    _show("CONF-2", "zero-count-always-accepted", '''
write("conf-2", [replace("k", "v", 0)])
write("conf-2", [replace("k", "again", 0)])  # k exists: 409 ResourceConflictException
'''),
    _show("CONF-3", "remove-skips-conflict-check", '''
write("conf-3", [replace("k", "v1", 0)])
write("conf-3", [replace("k", "v2", 1)])  # k is at 2
write("conf-3", [remove("k", 1)])  # 409 ResourceConflictException
'''),
    _show("CONF-4", "partial-batch-on-conflict", '''
write("conf-4", [replace("k", "v", 0)])
write("conf-4", [replace("other", "x", 0), replace("k", "stale", 0)])  # 409, and "other" not written
call("list_records", **ME, DatasetName="conf-4")  # only k, still at 1
'''),
    _show("CONF-5", "conflict-message-reworded", '''
write("conf-5", [replace("k", "v", 0)])
write("conf-5", [replace("k", "again", 0)])  # 409 "Current SyncCount for: k is: 1 not: 0"
'''),
    _see("CONF-6", '''a race of several clients, which no sequence is: `cogsync verify --properties CONF-6 --concurrency
4` races several clients on the embedded emulator and checks every history for linearizability;
`cogsync verify --in-process cogsync.mutants:lost_update_race --properties CONF-6` finds the lost
update (exit 1).'''),
    _show("CONF-7", "", '''
write("conf-7", [replace("k", "v", 0)])
write("conf-7", [replace("k", "ahead", 7)])  # k is at 1: refused with 409 or accepted, your choice
'''),
    # --- 5. tombstones ---------------------------------------------------------------------------
    _show("DEL-1", "remove-deletes-row", '''
write("del-1", [replace("k", "v", 0)])
write("del-1", [remove("k", 1)])
call("list_records", **ME, DatasetName="del-1")  # k listed at 2, without a Value
'''),
    _show("DEL-2", "tombstone-revive-needs-zero", '''
write("del-2", [replace("k", "v", 0)])
write("del-2", [remove("k", 1)])  # a tombstone at 2
write("del-2", [replace("k", "back", 2)])  # presenting the tombstone's count: revived
'''),
    _show("DEL-3", "", '''
write("del-3", [replace("k", "v", 0)])
write("del-3", [remove("never-was", 0)])  # accepted (a tombstone, or nothing) or refused, your choice
call("list_records", **ME, DatasetName="del-3")
'''),
    # --- 6. ListRecords --------------------------------------------------------------------------
    _show("LIST-1", "delta-listing-inclusive", '''
write("list-1", [replace("a", "1", 0)])  # a at 1
write("list-1", [replace("b", "2", 0)])  # b at 2
call("list_records", **ME, DatasetName="list-1", LastSyncCount=1)  # only b
'''),
    _show("LIST-2", "missing-dataset-listed-as-404", '''
write("list-2", [replace("k", "v", 0)])
call("list_records", **ME, DatasetName="never-written")  # 200: DatasetExists false, count 0, a token
'''),
    _show("LIST-3", "list-past-count-clamped", '''
write("list-3", [replace("k", "v", 0)])
call("list_records", **ME, DatasetName="list-3", LastSyncCount=5)  # 400 InvalidParameterException
'''),
    _show("LIST-4", "pagination-skips-record", '''
write("list-4", [replace(f"key{i}", f"v{i}", 0) for i in range(5)])
page = call("list_records", **ME, DatasetName="list-4", MaxResults=2)
while page.get("NextToken"):  # every record once over the pages, none over 2 a page
    page = call("list_records", **ME, DatasetName="list-4", MaxResults=2, NextToken=page["NextToken"])
'''),
    _show("LIST-5", "count-is-dataset-size", '''
write("list-5", [replace("a", "1", 0)])
write("list-5", [replace("b", "2", 0)])
call("list_records", **ME, DatasetName="list-5", LastSyncCount=1)  # Count 1: the records returned
'''),
    _show("LIST-6", "listing-value-cache-stale", '''
write("list-6", [replace("k", "v1", 0)])
write("list-6", [replace("k", "v2", 1)])
call("list_records", **ME, DatasetName="list-6")  # k is "v2" at 2, with the second write's dates
'''),
    _show("LIST-7", "", '''
write("list-7", [replace(f"key{i}", "v", 0) for i in range(3)])
call("list_records", **ME, DatasetName="list-7", MaxResults=0)  # refused, or served at a page size of its own
'''),
    # --- 7. tokens -------------------------------------------------------------------------------
    _show("TOK-1", "token-missing-for-new-dataset", '''
call("list_records", **ME, DatasetName="tok-1")  # a SyncSessionToken, even for a dataset never written
'''),
    _show("TOK-2", "missing-token-accepted", '''
write("tok-2", [replace("k", "v", 0)])
call("update_records", **ME, DatasetName="tok-2", RecordPatches=[replace("k", "w", 1)])  # no token: 400
call("list_records", **ME, DatasetName="tok-2")  # k is still "v"
'''),
    _show("TOK-3", "token-not-bound-to-dataset", '''
write("tok-3", [replace("k", "v", 0)])
elsewhere = token("tok-3-other")
call("update_records", **ME, DatasetName="tok-3", SyncSessionToken=elsewhere,
     RecordPatches=[replace("k", "w", 1)])  # another dataset's token: 400
call("list_records", **ME, DatasetName="tok-3")  # k is still "v"
'''),
    _show("TOK-4", "token-reusable", '''
once = token("tok-4")
call("update_records", **ME, DatasetName="tok-4", SyncSessionToken=once, RecordPatches=[replace("k", "v", 0)])
call("update_records", **ME, DatasetName="tok-4", SyncSessionToken=once,
     RecordPatches=[replace("k", "again", 1)])  # the token is spent: 400
call("list_records", **ME, DatasetName="tok-4")  # k is still "v"
'''),
    _show("TOK-5", "", '''
write("tok-5", [replace("k", "v", 0)])
kept = token("tok-5")
call("update_records", **ME, DatasetName="tok-5", SyncSessionToken=kept,
     RecordPatches=[replace("k", "stale", 0)])  # 409
call("update_records", **ME, DatasetName="tok-5", SyncSessionToken=kept,
     RecordPatches=[replace("k", "w", 1)])  # the token after a refusal: accepted or 400, your choice
'''),
    # --- 8. datasets -----------------------------------------------------------------------------
    _show("DS-1", "list-datasets-omits-num-records", '''
write("ds-1", [replace("k", "v", 0)])  # creates the dataset
call("describe_dataset", **ME, DatasetName="ds-1")  # NumRecords, DataStorage, dates, LastModifiedBy
call("list_datasets", **ME)  # the same dataset, the same members
'''),
    _show("DS-2", "describe-missing-answers-200", '''
call("describe_dataset", **ME, DatasetName="ds-2")  # 404 ResourceNotFoundException
call("delete_dataset", **ME, DatasetName="ds-2")  # 404 ResourceNotFoundException
'''),
    _show("DS-3", "delete-only-empties-dataset", '''
write("ds-3", [replace("k", "v", 0)])
call("delete_dataset", **ME, DatasetName="ds-3")
call("list_records", **ME, DatasetName="ds-3")  # DatasetExists false, no records
write("ds-3", [replace("k", "again", 0)])  # created anew
'''),
    _show("DS-4", "no-deleted-after-flag", '''
write("ds-4", [replace("a", "1", 0)])
write("ds-4", [replace("b", "2", 0)])  # a device synced at 2
call("delete_dataset", **ME, DatasetName="ds-4")
write("ds-4", [replace("c", "3", 0)])  # re-created
call("list_records", **ME, DatasetName="ds-4", LastSyncCount=2)  # DatasetDeletedAfterRequestedSyncCount true
'''),
    _show("DS-5", "data-storage-counts-characters", '''
write("ds-5", [replace("k", "h\\u00e9llo", 0)])  # 1 + 6 UTF-8 bytes
call("describe_dataset", **ME, DatasetName="ds-5")  # NumRecords 1, DataStorage 7
'''),
    # --- 9. limits -------------------------------------------------------------------------------
    _show("LIM-1", "no-dataset-limit", '''
for i in range(20):
    write(f"lim-1-{i}", [replace("k", "v", 0)])
write("lim-1-20", [replace("k", "v", 0)])  # the 21st dataset: 400 LimitExceededException
'''),
    _show("LIM-2", "record-limit-off-by-one", '''
write("lim-2", [replace(f"r{i:04d}", "v", 0) for i in range(1024)])  # 1024 records: accepted
write("lim-2", [replace("one-more", "v", 0)])  # the 1025th: 400 LimitExceededException
'''),
    _show("LIM-3", "byte-limit-per-request", '''
write("lim-3", [replace("a", "x" * 600000, 0)])
write("lim-3", [replace("b", "x" * 600000, 0)])  # past 1 MB in the dataset: 400 LimitExceededException
'''),
    _show("LIM-4", "", '''
write("lim-4", [replace(f"r{i:04d}", "v", 0) for i in range(1024)])
write("lim-4", [remove("r0000", 1)])  # 1023 live records and a tombstone
write("lim-4", [replace("one-more", "v", 0)])  # accepted, or refused if tombstones count: your choice
'''),
    # --- 10. isolation and auth -------------------------------------------------------------------
    _show("ISO-1", "datasets-shared-within-pool", '''
OTHER = {**ME, "IdentityId": "us-east-1:00000000-0000-4000-8000-0000000000b2"}  # my pool, not me
write("iso-1", [replace("k", "mine", 0)])
call("list_records", **OTHER, DatasetName="iso-1")  # DatasetExists false: nothing of mine shows
'''),
    _see("ISO-2", '''requests signed wrongly, which boto3 does not send: `cogsync verify --properties ISO-2
--require-signatures` signs with a wrong secret and with another identity's key on the embedded
emulator, which checks SigV4 (`cogsync serve --credential KEY:SECRET[:IDENTITY_ID]` serves one that
does); `cogsync verify --in-process cogsync.mutants:signature_checked_after_write --properties
ISO-2` fails it (exit 1).'''),
    # --- 10b. durability -------------------------------------------------------------------------
    _see("DUR-1", '''a restart, which only the kit's restarts phase does: `cogsync verify --properties DUR-1
--endpoint-url URL --restart-command CMD` writes, runs CMD (which kills and restarts your server), waits
until the server answers and reads every dataset back (README: "Restarts"). In-process, `--restart`
rebuilds the app from its factory over the same storage: `cogsync verify --in-process
cogsync.mutants:counters_restart_from_zero --restart --properties DUR-1` fails it (exit 1).'''),
)

BY_ID: dict[str, Showcase] = {s.property_id: s for s in SHOWCASES}
