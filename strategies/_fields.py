"""Valid values of the single fields: names, keys, values, device ids, counts, dates.

Lengths and alphabets come from :mod:`cogsync.contracts.constraints`; only sizes the
contract does not fix (how big a value a test can afford) are choices made here.
"""

from __future__ import annotations

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.strategies._arguments import check_integer, check_size_range
from cogsync.strategies._text import UNICODE_CHARACTERS, sized_strings

#: SyncCount is a Java long on the service.
LONG_MAX = 2**63 - 1

#: Characters a value may spend per draw unless the caller raises ``size_budget``.
DEFAULT_SIZE_BUDGET = 1024

#: Latest DeviceLastModifiedDate drawn: 2100-01-01T00:00:00Z, in epoch seconds.
LATEST_TIMESTAMP = 4_102_444_800



def _longest(rule: C.StringConstraint) -> int:
    assert rule.max_length is not None, "every string field of the contract has a maximum"
    return rule.max_length


DATASET_NAME_MAX = _longest(C.DATASET_NAME)
RECORD_KEY_MAX = _longest(C.RECORD_KEY)
RECORD_VALUE_MAX = _longest(C.RECORD_VALUE)
DEVICE_ID_MAX = _longest(C.DEVICE_ID)

_DATASET_NAME_SPECIALS = (".", "..", "...", ":", "-", "_", "a.b", "a:b", "-.-")
_KEY_SPECIALS = (" ", "null", "__proto__", "constructor", "\u2028", "\U0001f600", "a/b", "%00")
_VALUE_SPECIALS = ("", " ", "null", "{}", "\r\n", "\u2028", "\U0001f600", '"\\')


def _within(specials: tuple[str, ...], min_size: int, max_size: int) -> tuple[str, ...]:
    return tuple(s for s in specials if min_size <= len(s) <= max_size)


def dataset_names(
    *, min_size: int = C.DATASET_NAME.min_length, max_size: int = DATASET_NAME_MAX
) -> st.SearchStrategy[str]:
    """Dataset names: every allowed character (``a-z A-Z 0-9 _ . : -``), lengths
    ``min_size..max_size`` (default the full 1..128).

    Names that are awkward in a URL path (``.``, ``..``, ``a:b``) come up on purpose.
    Examples shrink to ``'0'``.
    """
    check_size_range("min_size", min_size, "max_size", max_size, low=C.DATASET_NAME.min_length,
                     high=DATASET_NAME_MAX)
    return sized_strings(
        st.sampled_from(C.DATASET_NAME_ALPHABET),
        min_size,
        max_size,
        specials=_within(_DATASET_NAME_SPECIALS, min_size, max_size),
    )


def record_keys(
    *, min_size: int = C.RECORD_KEY.min_length, max_size: int = RECORD_KEY_MAX
) -> st.SearchStrategy[str]:
    """Record keys: any Unicode but U+0000 (astral-plane and control characters
    included), lengths ``min_size..max_size`` (default 1..1024).

    Keys over 128 UTF-8 bytes are valid but refused by the SDKs (VAL-4, MAY); they are
    drawn too. Examples shrink to ``'0'``.
    """
    check_size_range("min_size", min_size, "max_size", max_size, low=C.RECORD_KEY.min_length,
                     high=RECORD_KEY_MAX)
    return sized_strings(
        UNICODE_CHARACTERS,
        min_size,
        max_size,
        specials=_within(_KEY_SPECIALS, min_size, max_size),
        utf16_limit=max_size,
    )


def record_values(
    *,
    min_size: int = C.RECORD_VALUE.min_length,
    max_size: int = RECORD_VALUE_MAX,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> st.SearchStrategy[str]:
    """Record values: any Unicode but U+0000, the empty string included.

    Every length up to ``max_size`` (default the limit, 1,048,575) is valid, but big
    values cost time and memory on every example, so a draw spends at most
    ``size_budget`` characters (default 1024). Raise it (or pass None) to reach the
    limit: ``record_values(size_budget=None)`` draws megabyte values now and then.
    Examples shrink to ``''``.
    """
    check_size_range("min_size", min_size, "max_size", max_size, low=C.RECORD_VALUE.min_length,
                     high=RECORD_VALUE_MAX)
    if size_budget is not None:
        check_integer("size_budget", size_budget, low=max(min_size, 0))
    return values_within(min_size, max_size, size_budget)


def values_within(min_size: int, max_size: int, size_budget: int | None) -> st.SearchStrategy[str]:
    """:func:`record_values` without the argument checks (for callers that did them)."""
    longest = max_size if size_budget is None else min(max_size, size_budget)
    return sized_strings(
        UNICODE_CHARACTERS,
        min_size,
        longest,
        specials=_within(_VALUE_SPECIALS, min_size, longest),
        utf16_limit=max_size,
    )


def device_ids(
    *, min_size: int = C.DEVICE_ID.min_length, max_size: int = DEVICE_ID_MAX
) -> st.SearchStrategy[str]:
    """DeviceId values: any Unicode but U+0000, lengths ``min_size..max_size`` (1..256)."""
    check_size_range("min_size", min_size, "max_size", max_size, low=C.DEVICE_ID.min_length,
                     high=DEVICE_ID_MAX)
    return sized_strings(UNICODE_CHARACTERS, min_size, max_size, utf16_limit=max_size)


def sync_counts(*, min_value: int = 0, max_value: int = LONG_MAX) -> st.SearchStrategy[int]:
    """Sync counts: whole numbers from ``min_value`` (default 0) to ``max_value``
    (default the largest long). Examples shrink to ``0``."""
    check_integer("min_value", min_value, low=0, high=LONG_MAX)
    check_integer("max_value", max_value, low=min_value, high=LONG_MAX)
    return st.integers(min_value, max_value)


def timestamps() -> st.SearchStrategy[float | int]:
    """Epoch seconds as the wire carries them: whole seconds or with milliseconds,
    from 1970 to 2100 (DeviceLastModifiedDate). Examples shrink to ``0``."""
    whole = st.integers(0, LATEST_TIMESTAMP)
    with_millis = st.integers(0, LATEST_TIMESTAMP * 1000).map(lambda ms: ms / 1000)
    return st.one_of(whole, with_millis)
