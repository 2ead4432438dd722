"""Up-front checks of strategy arguments.

Every public strategy checks its arguments before it builds anything, so a mistake
fails at the call site with a :class:`~cogsync.errors.UsageError` that names the
argument, shows the value and says what is allowed, instead of deep inside a draw.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hypothesis.strategies import SearchStrategy

from cogsync.errors import UsageError


def check_integer(name: str, value: Any, *, low: int, high: int | None = None) -> int:
    """``value`` must be an int (not a bool) in ``[low, high]``."""
    allowed = f"a whole number from {low} to {high}" if high is not None else (
        f"a whole number of at least {low}"
    )
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError.bad_argument(name, value, allowed)
    if value < low or (high is not None and value > high):
        raise UsageError.bad_argument(name, value, allowed)
    return value


def check_size_range(
    min_name: str, min_size: Any, max_name: str, max_size: Any, *, low: int, high: int
) -> None:
    """Both sizes within ``[low, high]`` and ``min_size <= max_size``."""
    check_integer(min_name, min_size, low=low, high=high)
    check_integer(max_name, max_size, low=low, high=high)
    if min_size > max_size:
        raise UsageError.bad_argument(
            max_name, max_size, f"at least {min_name}={min_size!r}"
        )


def check_strategy(name: str, value: Any) -> None:
    """``value`` must be a Hypothesis strategy or None (None means the default)."""
    if value is not None and not isinstance(value, SearchStrategy):
        raise UsageError.bad_argument(
            name, value, "a Hypothesis strategy (e.g. st.just(...)) or None for the default"
        )


def check_subset(name: str, value: Any, allowed: Collection[str]) -> tuple[str, ...]:
    """A non-empty collection of strings, each one of ``allowed``; returned as a tuple."""
    what = "a non-empty collection of " + ", ".join(repr(a) for a in allowed)
    if isinstance(value, str) or not isinstance(value, Collection) or not value:
        raise UsageError.bad_argument(name, value, what)
    items = tuple(value)
    for item in items:
        if item not in allowed:
            raise UsageError.bad_argument(name, value, what)
    return items


def check_choice(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise UsageError.bad_argument(name, value, "one of " + ", ".join(map(repr, allowed)))


def check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise UsageError.bad_argument(name, value, "True or False")
