"""The property catalog: every property of the contract, once, with its level.

Ids and levels are those of the shared contract (SYNC-1, CONF-4, ...); the
statements are ours. Checks, mutants, reports and test names use the ids.

Levels: MUST (documented or observed), SHOULD (every AWS client SDK relies on it),
MAY (sources silent or disagree: observed and reported as a finding, never failed).
A :class:`Profile` says what a breach of each level means for a run.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from enum import StrEnum

from cogsync.errors import UsageError


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


class Severity(StrEnum):
    """What a breach counts as under a profile."""

    FAIL = "fail"
    WARN = "warn"
    FINDING = "finding"


@dataclass(frozen=True)
class Property:
    """One property of the contract.

    ``condition`` is set for a conditional property: the contract asks it only of
    some targets (ISO-2 of servers that check signatures, DUR-1 where the kit can
    restart the server). Where the condition does not hold the property is
    ``not-applicable``, which is neither a pass nor a gap in the run.
    """

    id: str
    level: Level
    statement: str
    source: str
    condition: str = ""

    @property
    def section(self) -> str:
        return self.id.split("-")[0]

    @property
    def conditional(self) -> bool:
        return bool(self.condition)


def _p(pid: str, level: str, statement: str, source: str, condition: str = "") -> Property:
    return Property(pid, Level(level), " ".join(statement.split()), source, " ".join(condition.split()))


PROPERTIES: tuple[Property, ...] = (
    # 1. Wire protocol
    _p("WIRE-1", "MUST", "Every successful answer's body fits the JSON Schema of the call's output "
       "shape: members have their model types and timestamps are JSON numbers.", "MODEL"),
    _p("WIRE-2", "MUST", "An error answer carries the status the model gives its type, an "
       "x-amzn-ErrorType header naming the type, and a JSON body whose 'message' is a string.",
       "MODEL"),
    _p("WIRE-3", "MUST", "The only error types an operation answers with are those the model lists "
       "for it, plus access-denied and signature errors (403).", "MODEL"),
    _p("WIRE-4", "MUST", "No request a client can send, however malformed or large, is answered "
       "with a 5xx; malformed input gets a 4xx. A body cap, if any, admits the largest valid "
       "request as boto3 encodes it.", "MODEL, observed"),
    _p("WIRE-5", "MUST", "Keys and values come back exactly as written, for any Unicode text "
       "within the limits, astral-plane characters included.", "MODEL"),
    # 2. Input validation
    _p("VAL-1", "MUST", "A request that breaks a length, pattern, enum, required-member or type "
       "constraint is refused with 400 InvalidParameterException and changes nothing.", "MODEL"),
    _p("VAL-2", "MUST", "A request within every constraint, boundary values included, is never "
       "refused as InvalidParameterException because of its shape.", "MODEL"),
    _p("VAL-3", "SHOULD", "A negative SyncCount in a patch is refused with 400 "
       "InvalidParameterException.", "SDK-AND, SDK-IOS, SDK-JS, SDK-NET"),
    _p("VAL-4", "MAY", "Keys over 128 UTF-8 bytes, uppercase hex in ids, and the same key twice in "
       "one request: the server may accept or refuse them.", "SDK-AND, DG"),
    # 3. UpdateRecords and sync counts
    _p("SYNC-1", "MUST", "A successful write that changes any record takes the dataset sync count "
       "from N to N+1, never further.", "SDK-AND, SDK-NET, SDK-IOS"),
    _p("SYNC-2", "MUST", "Every record a successful write returns carries sync count N+1, and the "
       "next listing shows the dataset at N+1 with those records at N+1.", "SDK-AND, SDK-IOS"),
    _p("SYNC-3", "MUST", "No client ever sees a dataset's or a record's sync count go down "
       "(except across a dataset deletion).", "SDK-AND, SDK-IOS, SDK-NET"),
    _p("SYNC-4", "MUST", "A write's answer holds one record per patched key, with the key, the "
       "written value (none for a removal) and the new sync count; order is free.", "MODEL"),
    _p("SYNC-5", "MUST", "Replacing a key that does not exist, presenting sync count 0, creates it.",
       "DG, SDK-AND"),
    _p("SYNC-6", "MAY", "A write with no patches answers 200 with no records and changes no record; "
       "whether it bumps the dataset sync count is the server's choice.", "observed"),
    _p("SYNC-7", "SHOULD", "A written record keeps the patch's DeviceLastModifiedDate, and gets a "
       "server LastModifiedDate inside the call's time window (give or take the stated clock "
       "skew).", "MODEL, SDK-AND"),
    # 4. Conflicts
    _p("CONF-1", "MUST", "Replacing a record while presenting a sync count below its current one "
       "is refused with 409 ResourceConflictException.", "MODEL example"),
    _p("CONF-2", "MUST", "Presenting sync count 0 for a key that exists (and is not a tombstone at 0) "
       "is stale and refused with 409.", "observed"),
    _p("CONF-3", "SHOULD", "A removal presenting a stale sync count is refused with 409 like a "
       "replacement.", "SDK-AND, SDK-IOS"),
    _p("CONF-4", "MUST", "A refused request (any 4xx) applies none of its patches and leaves the "
       "dataset sync count where it was.", "DG, SDK-AND"),
    _p("CONF-5", "SHOULD", "The 409 message names the key and both counts as 'Current SyncCount "
       "for: <key> is: <server> not: <sent>'.", "observed, SDK-NET"),
    _p("CONF-6", "MUST", "Concurrent writes behave as compare-and-set: of several writes presenting "
       "the same count for a key at most one wins, and every concurrent history is linearizable "
       "against the sequential model.", "DG, SDK-AND"),
    _p("CONF-7", "MAY", "A sync count above the server's, or non-zero for a key that never existed, "
       "may be refused or accepted.", "observed"),
    # 5. Removal and tombstones
    _p("DEL-1", "SHOULD", "A removal leaves a tombstone: the key stays in listings with no value and "
       "the new sync count, so other devices learn of it.", "SDK-AND, SDK-IOS, SDK-JS"),
    _p("DEL-2", "SHOULD", "Replacing a tombstoned key while presenting the tombstone's sync count "
       "brings it back.", "SDK-NET"),
    _p("DEL-3", "MAY", "Removing a key that never existed, and whether tombstones count in "
       "NumRecords and DataStorage.", "sources silent"),
    # 6. ListRecords
    _p("LIST-1", "MUST", "Listing with lastSyncCount=k returns exactly the records (tombstones too) "
       "whose sync count is above k; k absent or 0 returns them all.", "MODEL, SDK-AND"),
    _p("LIST-2", "MUST", "Listing a dataset that does not exist answers 200 with DatasetExists "
       "false, sync count 0, no records and a session token; an existing one says true.",
       "MODEL, SDK-AND"),
    _p("LIST-3", "SHOULD", "Listing an existing dataset with lastSyncCount above its sync count is "
       "refused with 400 InvalidParameterException.", "observed"),
    _p("LIST-4", "MUST", "With maxResults=m no page exceeds m records; following NextToken to the "
       "end yields each matching record once; every page reports the same DatasetSyncCount; a "
       "bad nextToken is a 400.", "MODEL, SDK-AND"),
    _p("LIST-5", "SHOULD", "Count equals the number of records the whole listing returns.", "MODEL"),
    _p("LIST-6", "MUST", "Listed records carry the last written value and sync count and the "
       "timestamps the write returned.", "MODEL"),
    _p("LIST-7", "MAY", "The default and largest maxResults.", "SDK-AND (sends 1024)"),
    # 7. SyncSessionToken
    _p("TOK-1", "MUST", "Every successful listing returns a SyncSessionToken.", "MODEL"),
    _p("TOK-2", "MUST", "A write with a missing, malformed or invented token is refused with 400 "
       "InvalidParameterException and changes nothing.", "observed"),
    _p("TOK-3", "SHOULD", "A token works only for the pool, identity and dataset it was issued "
       "for; elsewhere it is refused with 400.", "SDK-IOS"),
    _p("TOK-4", "SHOULD", "A token that carried a successful write is spent; using it again is "
       "refused. A new listing gives a new token.", "SDK-IOS testSyncSessionToken"),
    _p("TOK-5", "MAY", "How long a token lives, the error for an expired one, and whether a token "
       "survives a refused write.", "sources silent"),
    # 8. Datasets
    _p("DS-1", "MUST", "A write creates its dataset if needed; DescribeDataset and ListDatasets "
       "then show it with NumRecords, DataStorage, CreationDate, LastModifiedDate and "
       "LastModifiedBy.", "MODEL, DG"),
    _p("DS-2", "MUST", "Describing or deleting a dataset that does not exist answers 404 "
       "ResourceNotFoundException.", "MODEL"),
    _p("DS-3", "MUST", "After deletion a listing says DatasetExists false with no records, and a "
       "new write (fresh token, sync count 0) creates the dataset again; whether its sync count "
       "restarts is the server's choice.", "MODEL, SDK-AND"),
    _p("DS-4", "SHOULD", "After delete and re-create, listing with a sync count held from before "
       "the delete answers DatasetDeletedAfterRequestedSyncCount true with the new records.",
       "SDK-IOS testDatasetDeletedHandlerOnResurrect"),
    _p("DS-5", "SHOULD", "DataStorage (UTF-8 bytes of keys and values) and NumRecords follow every "
       "write.", "MODEL, DG"),
    # 9. Limits
    _p("LIM-1", "SHOULD", "A write that would give an identity more than 20 datasets is refused "
       "with 400 LimitExceededException and changes nothing.", "DG limits"),
    _p("LIM-2", "SHOULD", "A write that would give a dataset more than 1024 live records is refused "
       "with 400 LimitExceededException.", "DG limits"),
    _p("LIM-3", "SHOULD", "A write that would take a dataset over 1 MB (UTF-8 keys plus values of "
       "live records) is refused with 400 LimitExceededException.", "DG limits"),
    _p("LIM-4", "MAY", "Whether tombstones count against the limits, and the limit values "
       "themselves (AWS raises them on request).", "DG limits"),
    # 10. Isolation and auth
    _p("ISO-1", "MUST", "Nothing of one (pool, identity) shows through another: records, datasets, "
       "sync counts and tokens are separate, even under the same dataset name.", "DG"),
    _p("ISO-2", "SHOULD", "Where signatures are checked, a bad SigV4 signature is refused with 403 "
       "and changes nothing, and credentials of one identity cannot reach another's datasets.",
       "DG", condition="the target checks SigV4 signatures"),
    # 10b. Durability
    _p("DUR-1", "SHOULD", "A write the server acknowledged is still there after the server restarts: "
       "the same records, values, record and dataset sync counts, and no count goes back. Tokens "
       "handed out before the restart may be refused after it (TOK-5).", "SDK-AND, SDK-IOS",
       condition="the kit can restart the target between calls"),
)

BY_ID: dict[str, Property] = {p.id: p for p in PROPERTIES}

#: The contract's sections, in order: an id's prefix -> the section's title.
SECTIONS: dict[str, str] = {
    "WIRE": "1. Wire protocol",
    "VAL": "2. Input validation",
    "SYNC": "3. UpdateRecords and sync counts",
    "CONF": "4. Conflicts (optimistic concurrency)",
    "DEL": "5. Removal and tombstones",
    "LIST": "6. ListRecords",
    "TOK": "7. SyncSessionToken",
    "DS": "8. Datasets",
    "LIM": "9. Limits",
    "ISO": "10. Isolation and auth",
    "DUR": "10b. Durability",
}

#: What each level asks of a server, and what a breach of it is.
LEVELS: dict[Level, str] = {
    Level.MUST: "documented by AWS (API reference, developer guide, service model) or observed from the "
                "real service; a breach fails the gate.",
    Level.SHOULD: "not documented, but every AWS client SDK relies on it; the default profile fails a "
                  "breach, the documented profile warns.",
    Level.MAY: "the sources are silent or disagree; the kit reports what the server chose as a finding "
               "and never fails it.",
}

#: The short names ``Property.source`` uses.
SOURCES: dict[str, str] = {
    "MODEL": "botocore's service model for cognito-sync (data/cognito-sync/2014-06-30/service-2.json, "
             "shipped with boto3)",
    "DG": "the Amazon Cognito developer guide (awsdocs/amazon-cognito-developer-guide: limits, "
          "synchronizing data, callbacks, push sync)",
    "SDK-AND": "the Android Mobile SDK's sync client (aws-amplify/aws-sdk-android, aws-android-sdk-cognito)",
    "SDK-IOS": "the iOS Mobile SDK's sync client (aws-amplify/aws-sdk-ios, AWSCognito)",
    "SDK-JS": "the JavaScript sync client (the npm package amazon-cognito-js)",
    "SDK-NET": "the .NET SDK's SyncManager (aws/aws-sdk-net, Services/CognitoSync/Custom/SyncManager)",
    "observed": "answers of the real service, recorded in public SDK tests and error reports",
}


def get(property_id: str) -> Property:
    try:
        return BY_ID[property_id]
    except KeyError:
        raise UsageError.bad_argument(
            "property_id", property_id, "a contract id such as SYNC-1 (see cogsync.contracts.properties)"
        ) from None


def select(patterns: list[str] | None = None, skip: list[str] | None = None) -> list[Property]:
    """The properties matching any of ``patterns`` (ids or globs like ``CONF-*``), minus ``skip``."""
    chosen = list(PROPERTIES)
    if patterns:
        for pat in patterns:
            if not any(fnmatch.fnmatchcase(p.id, pat.upper()) for p in PROPERTIES):
                raise UsageError.bad_argument("properties", pat, "a property id or glob matching at least one id")
        chosen = [p for p in chosen if any(fnmatch.fnmatchcase(p.id, pat.upper()) for pat in patterns)]
    if skip:
        for pat in skip:
            if not any(fnmatch.fnmatchcase(p.id, pat.upper()) for p in PROPERTIES):
                raise UsageError.bad_argument("skip", pat, "a property id or glob matching at least one id")
        chosen = [p for p in chosen if not any(fnmatch.fnmatchcase(p.id, pat.upper()) for pat in skip)]
    return chosen


@dataclass(frozen=True)
class Profile:
    """What a breach of each level counts as in a run."""

    name: str
    severities: dict[Level, Severity]

    def severity(self, prop: Property | str) -> Severity:
        if isinstance(prop, str):
            prop = get(prop)
        return self.severities[prop.level]


PROFILES: dict[str, Profile] = {
    "default": Profile(
        "default", {Level.MUST: Severity.FAIL, Level.SHOULD: Severity.FAIL, Level.MAY: Severity.FINDING}
    ),
    "documented": Profile(
        "documented", {Level.MUST: Severity.FAIL, Level.SHOULD: Severity.WARN, Level.MAY: Severity.FINDING}
    ),
}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError.bad_argument("profile", name, "one of " + ", ".join(PROFILES)) from None
