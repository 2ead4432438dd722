"""A run's deadline caps every request's timeout, so a silent server cannot outlast it.

A target's ``timeout`` bounds one request; a run's ``--deadline`` bounds all of them.
Against a socket that accepts and never answers, a request sent one second before the
deadline with a 10 s timeout would end the run nine seconds late. A target that mixes
in :class:`RequestDeadline` takes ``set_deadline(instant)`` and from then on waits at
most ``min(timeout, time left)`` for each answer, and sends nothing once no time is left.
"""

from __future__ import annotations

import time
from typing import Any

#: The ``Unknown.reason`` of a call not sent because the run's deadline had passed.
DEADLINE_PASSED = "timeout: the run's deadline passed before the request was sent"


class RequestDeadline:
    """Mixin for targets with a ``timeout`` attribute (seconds per request)."""

    timeout: float
    _deadline: float | None = None

    def set_deadline(self, deadline: float | None) -> None:
        """Cap each later request's timeout by the time left until ``deadline``.

        ``deadline`` is a :func:`time.monotonic` instant; None lifts the cap (a run's
        cleanup on a named identity must still be able to delete what it made).
        """
        if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, (int, float))):
            raise TypeError(f"deadline must be a time.monotonic() instant or None, not {deadline!r}")
        self._deadline = None if deadline is None else float(deadline)

    def request_timeout(self) -> float | None:
        """Seconds the next request may wait for its answer; None when no time is left."""
        if self._deadline is None:
            return self.timeout
        left = self._deadline - time.monotonic()
        if left <= 0:
            return None
        return min(self.timeout, left)


def cap_requests(target: Any, deadline: float | None) -> bool:
    """``target.set_deadline(deadline)`` if the target (or what it wraps) has one.

    Returns False for a target that cannot bound its requests (a user's own target
    class): the run then checks its deadline only between calls.
    """
    setter = getattr(target, "set_deadline", None)
    if not callable(setter):
        return False
    setter(deadline)
    return True
