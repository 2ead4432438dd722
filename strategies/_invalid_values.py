"""Values that break exactly one constraint of one field, tagged with it.

The tags use the vocabulary of :mod:`cogsync.contracts.validation` ("min_length",
"max_length", "pattern", "type", "enum", "negative"); "required" is about a member
being absent, so it exists only at the request level (:mod:`._invalid_calls`).
Each breaker builds its value so that nothing else is wrong with it: a too-long
dataset name still matches the pattern, a pattern-breaking one is within length.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.contracts.validation import only_uppercase
from cogsync.strategies import _fields, _ids
from cogsync.strategies._arguments import check_subset
from cogsync.strategies._fields import LONG_MAX
from cogsync.strategies._text import UNICODE_CHARACTERS, sized_strings


@dataclass(frozen=True)
class Invalid:
    """A value and the one constraint it breaks (validation's vocabulary)."""

    value: Any
    constraint: str


#: Characters and sequences that are wrong in a name and awkward in a URL path.
URL_HOSTILE = (
    "/", "%", " ", "?", "#", "&", "+", "=", ";", ",", "\\", "\"", "'", "<", ">", "|", "^", "`",
    "{", "}", "[", "]", "~", "!", "@", "$", "*", "(", ")", "\t", "\n", "\r", "\x00",
    "%2F", "%20", "%00", "/..", "../", "é", "\u00a0", "\u2028", "\U0001f600",
)

#: How far past a maximum length the too-long draws go (the first step is the boundary).
_OVERSHOOT = 64


# -- values of the wrong JSON type --------------------------------------------------------

_small_ints = st.integers(-3, 3)
_fractional = st.integers(-100, 100).map(lambda n: n + 0.5)
_lists = st.lists(st.integers(0, 9), max_size=2)
_objects = st.dictionaries(st.sampled_from("ab"), st.integers(0, 9), max_size=1)

#: Not a string (None is left out: validation reads None as "absent").
non_strings = st.one_of(_small_ints, _fractional, st.booleans(), _lists, _objects)
#: Not an integer: text (numeric-looking too), fractions, booleans, containers.
non_integers = st.one_of(st.text(max_size=4), _fractional, st.booleans(), _lists, _objects)
#: Not a number (DeviceLastModifiedDate).
non_numbers = st.one_of(st.text(max_size=4), st.booleans(), _lists, _objects)
#: Not an array (RecordPatches).
non_arrays = st.one_of(st.text(max_size=4), _small_ints, st.booleans(), _objects)
#: Not an object (one RecordPatch).
non_objects = st.one_of(st.text(max_size=4), _small_ints, st.booleans(), _lists)
#: Text a query string carries where an integer belongs: never a number, never empty.
non_numeric_text = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


# -- strings that break one string constraint ---------------------------------------------

def _longest(rule: C.StringConstraint) -> int:
    assert rule.max_length is not None
    return rule.max_length


def _too_long(characters: st.SearchStrategy[str], rule: C.StringConstraint) -> st.SearchStrategy:
    limit = _longest(rule)
    return sized_strings(characters, limit + 1, limit + _OVERSHOOT)


def _exactly(rule: C.StringConstraint, constraint: str) -> Callable[[Any], bool]:
    return lambda value: rule.violations(value) == [constraint]


@st.composite
def _spliced(draw: st.DrawFn, valid: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> str:
    """A valid value with something bad put in at any position."""
    base = draw(valid)
    position = draw(st.integers(0, len(base)))
    return base[:position] + draw(bad) + base[position:]


_hostile = st.one_of(st.sampled_from(URL_HOSTILE), st.characters(codec="utf-8"))


@st.composite
def _too_long_ids(draw: st.DrawFn, rule: C.StringConstraint) -> str:
    """``region:hex...`` that matches the pattern but is longer than allowed."""
    region = draw(st.sampled_from(_ids.REGIONS))
    room = _longest(rule) - len(region) - 1
    tail = draw(sized_strings(st.sampled_from(C.ID_SUFFIX_ALPHABET), room + 1, room + _OVERSHOOT))
    return f"{region}:{tail}"


def _id_breakers(rule: C.StringConstraint) -> dict[str, st.SearchStrategy[Any]]:
    valid = _ids.identity_ids()
    misshapen = st.one_of(
        _spliced(valid, _hostile),
        valid.map(lambda v: v.replace(":", "", 1)),
        valid.map(lambda v: v.split(":")[0] + ":"),
        valid.map(lambda v: ":" + v.split(":")[1]),
        valid.map(lambda v: v + "\n"),
    )
    return {
        "min_length": st.just(""),
        "max_length": _too_long_ids(rule),
        # upper-case hex alone is VAL-4's MAY, not a breach: not an invalid id
        "pattern": misshapen.filter(_exactly(rule, "pattern")).filter(lambda v: not only_uppercase(v, rule)),
        "type": non_strings,
    }


def _dataset_name_breakers() -> dict[str, st.SearchStrategy[Any]]:
    rule = C.DATASET_NAME
    return {
        "min_length": st.just(""),
        "max_length": _too_long(st.sampled_from(C.DATASET_NAME_ALPHABET), rule),
        "pattern": _spliced(_fields.dataset_names(max_size=16), _hostile).filter(
            _exactly(rule, "pattern")
        ),
        "type": non_strings,
    }


#: Printable ASCII: a too-long value of it is "only" a megabyte on the wire, where
#: JSON-escaped astral characters would make it twelve.
_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def _unpatterned_breakers(
    rule: C.StringConstraint, long_characters: st.SearchStrategy[str] = UNICODE_CHARACTERS
) -> dict[str, st.SearchStrategy[Any]]:
    """Fields with lengths but no pattern (Key, Value, DeviceId)."""
    breakers: dict[str, st.SearchStrategy[Any]] = {}
    if rule.min_length > 0:
        breakers["min_length"] = st.just("")
    breakers["max_length"] = _too_long(long_characters, rule)
    breakers["type"] = non_strings
    return breakers


_NOT_AN_OP = (
    "", "Replace", "REPLACE", "Remove", "REMOVE", "replace ", " remove", "remove\n",
    "add", "delete", "upsert", "put", "null",
)


def _op_breakers() -> dict[str, st.SearchStrategy[Any]]:
    others = st.one_of(st.sampled_from(_NOT_AN_OP), st.text(max_size=8))
    return {
        "enum": others.filter(lambda op: op not in C.OPERATIONS),
        "type": non_strings,
    }


def _past(rule: C.IntegerConstraint) -> st.SearchStrategy[int]:
    """Whole numbers just past either end of a model type's range (and a little further)."""
    span = 2 ** 70
    return st.integers(rule.maximum + 1, rule.maximum + span) | st.integers(rule.minimum - span, rule.minimum - 1)


def _sync_count_breakers() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "negative": st.integers(-LONG_MAX - 1, -1),
        "range": _past(C.SYNC_COUNT),
        "type": non_integers,
    }


@cache
def breakers(kind: str) -> dict[str, st.SearchStrategy[Any]]:
    """Field kind -> constraint -> strategy of values that break exactly that constraint."""
    table: dict[str, Callable[[], dict[str, st.SearchStrategy[Any]]]] = {
        "IdentityPoolId": lambda: _id_breakers(C.IDENTITY_POOL_ID),
        "IdentityId": lambda: _id_breakers(C.IDENTITY_ID),
        "DatasetName": _dataset_name_breakers,
        "DeviceId": lambda: _unpatterned_breakers(C.DEVICE_ID),
        "Key": lambda: _unpatterned_breakers(C.RECORD_KEY),
        "Value": lambda: _unpatterned_breakers(C.RECORD_VALUE, _ASCII),
        "Op": _op_breakers,
        "SyncCount": _sync_count_breakers,
        "DeviceLastModifiedDate": lambda: {"type": non_numbers},
        "String": lambda: {"type": non_strings},
        "Integer": lambda: {"type": non_integers, "range": _past(C.MAX_RESULTS)},
        "Long": lambda: {"type": non_integers, "range": _past(C.LAST_SYNC_COUNT)},
        "QueryInteger": lambda: {"type": non_numeric_text, "range": _past(C.MAX_RESULTS)},
        "QueryLong": lambda: {"type": non_numeric_text, "range": _past(C.LAST_SYNC_COUNT)},
        "RecordPatches": lambda: {"type": non_arrays},
        "RecordPatch": lambda: {"type": non_objects},
    }
    return table[kind]()


def tagged(kind: str, constraints: Collection[str] | None) -> st.SearchStrategy[Invalid]:
    """:class:`Invalid` draws for one field kind, over the chosen constraints."""
    table = breakers(kind)
    chosen = tuple(table) if constraints is None else check_subset(
        "constraints", constraints, tuple(table)
    )
    return st.one_of([_tag(table[name], name) for name in chosen])


def _tag(values: st.SearchStrategy[Any], constraint: str) -> st.SearchStrategy[Invalid]:
    return values.map(lambda value: Invalid(value, constraint))


def invalid_identity_pool_ids(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid identity pool ids: ``""`` (min_length), a matching id over 55 characters
    (max_length), no colon, ``/`` ``%`` spaces or non-ASCII spliced in
    (pattern), non-strings (type). ``constraints`` picks a subset of those."""
    return tagged("IdentityPoolId", constraints)


def invalid_identity_ids(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid identity ids, broken as :func:`invalid_identity_pool_ids`."""
    return tagged("IdentityId", constraints)


def invalid_dataset_names(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid dataset names: ``""``, 129+ allowed characters, a URL-hostile character or
    sequence (``/`` ``%`` ``%2F`` space ``?`` ``#`` newline, non-ASCII, U+0000) spliced
    into a valid name, non-strings. Example: ``Invalid(value='0/', constraint='pattern')``."""
    return tagged("DatasetName", constraints)


def invalid_device_ids(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid DeviceIds: ``""``, 257+ characters, non-strings."""
    return tagged("DeviceId", constraints)


def invalid_record_keys(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid record keys: ``""``, 1025+ characters, non-strings."""
    return tagged("Key", constraints)


def invalid_record_values(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid record values: 1,048,576+ characters (max_length; megabytes, so draw few),
    non-strings (type)."""
    return tagged("Value", constraints)


def invalid_sync_counts(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid SyncCounts: below zero (negative, VAL-3), past a 64-bit Long (range), or not
    a whole number (type: text, fractions, booleans, containers)."""
    return tagged("SyncCount", constraints)


def invalid_ops(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid patch ``Op`` values: other words and other cases (enum), non-strings (type)."""
    return tagged("Op", constraints)


def invalid_timestamps(
    *, constraints: Collection[str] | None = None
) -> st.SearchStrategy[Invalid]:
    """Invalid DeviceLastModifiedDate values: anything but a number (type)."""
    return tagged("DeviceLastModifiedDate", constraints)
