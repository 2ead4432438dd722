"""Neighbours: pairs of distinct valid names that a storage layer or a proxy may conflate.

Two keys that differ only by letter case (a case-insensitive collation), by Unicode
normalization form (NFC against NFD of the same text), or by surrounding whitespace
(a trimming column) are two keys to the contract; so are two dataset names that
differ only by case. Random text almost never draws such a pair, so the strategies
make them on purpose: :func:`neighbour_keys` and :func:`neighbour_dataset_names`
draw pairs, and :func:`~cogsync.strategies.call_sequences` puts one in its key pool
and dataset names now and then.
"""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.strategies import _fields

#: How a key's neighbour is made from it.
KEY_KINDS = ("case", "normalization", "leading space", "trailing space", "tab and newline")

#: Text with a composed character, for a normalization neighbour of a key that has none.
_COMPOSED = "\u00e9"


def key_neighbour(key: str, kind: str) -> tuple[str, str] | None:
    """``(key', neighbour)``: two distinct valid keys differing only as ``kind`` says.

    ``key'`` is ``key`` when it can take such a neighbour, else ``key`` with a letter
    (case) or a composed character (normalization) added; None if no valid pair fits.
    """
    if kind == "case":
        base = key if key.swapcase() != key else "K" + key
        pair = (base, base.swapcase())
    elif kind == "normalization":
        base = key if unicodedata.normalize("NFD", key) != key else key + _COMPOSED
        base = unicodedata.normalize("NFC", base)
        pair = (base, unicodedata.normalize("NFD", base))
    elif kind == "leading space":
        pair = (key, " " + key)
    elif kind == "trailing space":
        pair = (key, key + " ")
    elif kind == "tab and newline":
        pair = (key, "\t" + key + "\n")
    else:
        raise ValueError(f"kind must be one of {KEY_KINDS}, not {kind!r}")
    if pair[0] == pair[1] or any(C.RECORD_KEY.violations(k) for k in pair):
        return None
    if max(_utf16(k) for k in pair) > _fields.RECORD_KEY_MAX:
        return None
    return pair


def dataset_name_neighbour(name: str) -> tuple[str, str] | None:
    """``(name', other)``: two valid dataset names differing only by letter case."""
    base = name if name.swapcase() != name else ("K" + name)[: _fields.DATASET_NAME_MAX]
    pair = (base, base.swapcase())
    if pair[0] == pair[1] or any(C.DATASET_NAME.violations(n) for n in pair):
        return None
    return pair


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@st.composite
def _key_pairs(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(_fields.record_keys(max_size=64))
    kind = draw(st.sampled_from(KEY_KINDS))
    pair = key_neighbour(key, kind)
    return pair if pair is not None else (key, " " + key)


def neighbour_keys() -> st.SearchStrategy[tuple[str, str]]:
    """Pairs of distinct valid record keys that differ only by letter case, Unicode
    normalization form or surrounding whitespace: ``('K0', 'k0')``, ``('é', 'é')``
    (NFC, NFD), ``('0', ' 0')``. Examples shrink to ``('0', ' 0')``."""
    return _key_pairs()


def neighbour_dataset_names() -> st.SearchStrategy[tuple[str, str]]:
    """Pairs of distinct valid dataset names that differ only by letter case:
    ``('K0', 'k0')``. Examples shrink to ``('K0', 'k0')``."""
    return _fields.dataset_names(max_size=64).map(
        lambda name: dataset_name_neighbour(name) or ("K" + name, "k" + name)
    )
