"""Strings of any length up to a limit, cheaply, with the boundaries hit on purpose.

Hypothesis draws text one character at a time, which is fine for short strings and
hopeless for a 1,048,575-character record value. So a draw first picks a *mode*:
ordinary (short text drawn as usual), any length in range, exactly the shortest,
exactly the longest, or one of a few hand-picked special values. Long strings are a
drawn fragment repeated to the chosen length, so a megabyte costs one fragment.
Modes shrink towards "ordinary", so minimal examples stay readable.

Valid draws fit their limit however the server counts length: the contract makes it
a MAY whether an astral-plane character counts as one character or two (UTF-16), so
near a limit astral characters are swapped for ASCII until both counts fit.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

#: Longest string drawn character by character; longer ones repeat a fragment.
DIRECT_LIMIT = 256
#: Longest fragment repeated to build a long string.
FRAGMENT_LIMIT = 64

#: Any Unicode text the contract promises to round-trip (WIRE-5): every code point
#: except U+0000 and the lone surrogates (which no UTF-8 encoder accepts).
UNICODE_CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00")

_ORDINARY_MODES = 4
_ANY_LENGTH, _LONGEST, _SPECIAL = 4, 6, 7  # mode 5: exactly the shortest


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (astral-plane characters count two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def fit_utf16(text: str, max_units: int) -> str:
    """``text`` with astral characters from the end replaced by ``x`` until it fits."""
    excess = utf16_length(text) - max_units
    if excess <= 0:
        return text
    chars = list(text)
    for index in range(len(chars) - 1, -1, -1):
        if excess <= 0:
            break
        if ord(chars[index]) > 0xFFFF:
            chars[index] = "x"
            excess -= 1
    return "".join(chars)


def repeat_to(fragment: str, length: int) -> str:
    """``fragment`` repeated and cut to exactly ``length`` characters."""
    if length == 0:
        return ""
    times = -(-length // len(fragment))
    return (fragment * times)[:length]


def sized_strings(
    characters: st.SearchStrategy[str],
    min_size: int,
    max_size: int,
    specials: Sequence[str] = (),
    utf16_limit: int | None = None,
) -> st.SearchStrategy[str]:
    """A string of ``min_size..max_size`` characters, boundaries reached on purpose.

    ``utf16_limit`` (when given) also bounds the length in UTF-16 code units.
    ``specials`` are whole values worth trying now and then (callers pass values that
    are already within the size range). Every sub-strategy is built here, once:
    building strategies inside a draw costs Hypothesis a validation each time.
    """
    ordinary = (
        st.text(characters, min_size=min_size, max_size=min(max_size, DIRECT_LIMIT))
        if min_size <= DIRECT_LIMIT else None
    )
    modes = st.integers(0, _SPECIAL)
    special = st.sampled_from(tuple(specials)) if specials else None
    any_length = st.integers(min_size, max_size)
    fragments = st.text(characters, min_size=1, max_size=FRAGMENT_LIMIT)
    exact = {n: st.text(characters, min_size=n, max_size=n)
             for n in {min_size, max_size} if n <= DIRECT_LIMIT}

    def of_length(draw: st.DrawFn, length: int) -> str:
        if length <= DIRECT_LIMIT:
            strategy = exact.get(length)
            if strategy is None:
                strategy = st.text(characters, min_size=length, max_size=length)
            return draw(strategy)
        return repeat_to(draw(fragments), length)

    @st.composite
    def draw_sized(draw: st.DrawFn) -> str:
        # The ordinary text comes first and is always drawn, even when a later mode
        # replaces it: with the branch after the common part, Hypothesis's shrinker
        # reliably simplifies whatever was drawn before this string too.
        text = draw(ordinary) if ordinary is not None else None
        mode = draw(modes)
        if mode < _ORDINARY_MODES and text is not None:
            pass
        elif mode == _SPECIAL and special is not None:
            text = draw(special)
        elif mode == _LONGEST:
            text = of_length(draw, max_size)
        elif mode == _ANY_LENGTH:
            text = of_length(draw, draw(any_length))
        else:  # the shortest, also standing in for modes that do not apply here
            text = of_length(draw, min_size)
        assert text is not None
        return fit_utf16(text, utf16_limit) if utf16_limit is not None else text

    return draw_sized()
