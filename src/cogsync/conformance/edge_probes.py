"""Directed probes for the bugs that hide from ordinary data (issue 9).

- neighbours: keys and dataset names that differ only by letter case, Unicode
  normalization form or surrounding whitespace, and labels that change meaning when
  percent-decoded twice (``a%41``) or not at all (``a:b``); the model holds each pair
  to be two keys (datasets), or the odd one to be invalid;
- carried values: a next-page token taken to another dataset, identity or pool;
- the top of every valid range: lastSyncCount past a 32-bit int, maxResults at the
  largest Integer, a SyncCount at the largest long, a key at its longest (a value at its
  longest, 1,048,575 characters, is left to the boundary values: it costs half a second);
- limits met with the data spread over several datasets;
- every listing taken before and after each change of a dataset's state.

Registered in :data:`cogsync.conformance.probes.PROBES` like the others.
"""

from __future__ import annotations

from cogsync.conformance.probes import Driver, probe, remove, replace
from cogsync.contracts.calls import Ok

INT32_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1

#: Keys a storage layer may take for one another: each pair is two keys.
KEY_NEIGHBOURS = (
    ("Level", "level"),  # letter case (a case-insensitive collation)
    ("caf\u00e9", "cafe\u0301"),  # NFC and NFD of the same text
    ("pad", " pad"),  # leading whitespace
    ("tail", "tail "),  # trailing whitespace (a PAD SPACE collation)
    ("tab", "\ttab\n"),  # whitespace a strip() removes
)

#: The Kelvin sign K (U+212A): its NFC form is the letter K, so the name is invalid
#: until a server normalizes it into a valid one.
KELVIN = "\u212a"


def _names(d: Driver, hint: str, *tails: str) -> list[str]:
    """Dataset names ``<base><tail>``: on real AWS the base carries the run prefix."""
    base = d.scope.dataset(hint)
    return [base + tail for tail in tails]


@probe("SYNC-5", "LIST-1", "DS-5", "WIRE-5")
def neighbour_keys_stay_apart(d: Driver) -> None:
    (ds,) = _names(d, "neighbours", "")
    for first, _ in KEY_NEIGHBOURS:
        d.put(ds, [replace(first, f"first {first!r}", 0)])
    for _, second in KEY_NEIGHBOURS:
        d.put(ds, [replace(second, f"second {second!r}", 0)])  # SYNC-5: a new key, at 0
    d.put(ds, [replace("Both", "upper", 0), replace("both", "lower", 0)])  # one batch
    d.list_records(ds)
    d.describe(ds)


@probe("VAL-1", "VAL-2", "ISO-1", "LIST-1")
def neighbour_dataset_names_stay_apart(d: Driver) -> None:
    upper, lower = _names(d, "nb", "-Case", "-case")
    d.put(upper, [replace("k", "upper", 0)])
    d.put(lower, [replace("k", "lower", 0)])  # a new dataset: the key is new there
    d.list_records(upper)
    d.list_records(lower)
    (colon,) = _names(d, "nb", ":colon")
    d.put(colon, [replace("k", "colon", 0)])  # VAL-2: ':' travels as %3A, decoded once
    (plain,) = _names(d, "Kelvin", "")
    d.put(plain, [replace("k", "kelvin", 0)])
    token = d.token(plain)
    # Invalid names that a normalizing or double-decoding server reads as valid ones.
    for invalid in (KELVIN + plain[1:], plain[:1] + "%" + plain[1:2].encode().hex().upper() + plain[2:],
                    colon.replace(":", "%3A")):
        d.list_records(invalid)  # VAL-1: 400, not a listing of the name it aliases
        d.write(invalid, token, [replace("k", "aliased", 1)])  # VAL-1
    d.list_records(plain)
    d.list_records(colon)
    d.list_datasets()


@probe("LIST-4", "ISO-1")
def next_tokens_stay_home(d: Driver) -> None:
    a, b = _names(d, "carried", "-a", "-b")
    d.put(a, [replace(f"a{i}", "from a", 0) for i in range(3)])
    d.put(b, [replace(f"b{i}", "from b", 0) for i in range(3)])
    first = d.list_records(a, MaxResults=1)
    if not isinstance(first.outcome, Ok) or not first.outcome.body.get("NextToken"):
        return
    carried = first.outcome.body["NextToken"]
    d.list_records(b, MaxResults=1, NextToken=carried)  # LIST-4: 400, never a's records
    if not d.scope.real:  # the same dataset name under another identity, pool
        for other in (d.scope.identity(pool_id=d.identity.pool_id),
                      d.scope.identity(identity_id=d.identity.identity_id)):
            d.put(a, [replace("theirs", "x", 0)], identity=other)
            d.list_records(a, identity=other, MaxResults=1, NextToken=carried)
    d.list_records(a, MaxResults=1, NextToken=carried)  # still good where it belongs


@probe("LIST-3", "LIST-7", "VAL-2", "CONF-7")
def top_of_every_range(d: Driver) -> None:
    (ds,) = _names(d, "extremes", "")
    d.put(ds, [replace("k", "1", 0)])
    d.put(ds, [replace("k", "2", 1)])
    d.put(ds, [replace("k", "3", 2), replace("x" * 1024, "longest key", 0)])  # count 3
    for since in (2**32 + 1, 2**32 + 3, 2**31, INT32_MAX, LONG_MAX):
        d.list_records(ds, LastSyncCount=since)  # LIST-3: above the count, 400 (never wrapped)
    d.list_records(ds, LastSyncCount=3)
    d.list_records(ds, MaxResults=INT32_MAX)  # the largest valid Integer (LIST-7: a page)
    d.put(ds, [replace("ahead", "v", LONG_MAX)])  # CONF-7 at the largest long


@probe("LIM-3", heavy=True)
def limits_spread_over_datasets(d: Driver) -> None:
    """Two datasets, each within its byte limit, together past it: both writes accepted."""
    limit = d.session.model.limits.max_dataset_bytes
    first, second = _names(d, "spread", "-1", "-2")
    half = "\U0001f600" * (limit // 8 + 4)  # just over half the limit in UTF-8 bytes, in few characters
    for name in (first, second):
        d.put(name, [replace("half", half, 0)])
    d.describe(first)
    d.describe(second)


def _look(d: Driver, ds: str, since: int) -> None:
    """Every listing of ``ds``: whole, as a delta, page by page; the dataset, the datasets."""
    d.list_records(ds)
    d.list_records(ds, LastSyncCount=since)
    response = d.list_records(ds, MaxResults=1)
    while isinstance(response.outcome, Ok) and response.outcome.body.get("NextToken"):
        response = d.list_records(ds, MaxResults=1, NextToken=response.outcome.body["NextToken"])
    d.describe(ds)
    d.list_datasets()


@probe("LIST-1", "LIST-2", "LIST-4", "DS-1", "DS-2", "DS-3", "DS-4", "DEL-1", "TOK-1")
def listings_through_a_lifecycle(d: Driver) -> None:
    (ds,) = _names(d, "lifecycle", "")
    _look(d, ds, 0)  # never created
    d.put(ds, [replace("a", "1", 0), replace("b", "2", 0)])  # created
    _look(d, ds, 0)
    d.put(ds, [replace("a", "1b", 1), replace("c", "3", 0)])  # written
    _look(d, ds, 1)
    d.put(ds, [remove("a", 2), remove("b", 1), remove("c", 2)])  # emptied: tombstones only
    _look(d, ds, 2)
    d.delete(ds)  # deleted
    _look(d, ds, 3)
    d.put(ds, [replace("d", "4", 0)])  # re-created
    _look(d, ds, 3)
    _look(d, ds, 0)
