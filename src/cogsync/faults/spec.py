"""The fault SPEC: which faults to inject into a stream of requests, and when.

Grammar (the text of ``--faults SPEC``)::

    SPEC  := 'none' | 'default' | ITEM (',' ITEM)*
    ITEM  := KIND '=' RATE        # probability per request, 0 <= RATE <= 1
           | KIND '@' N           # exactly at the N-th request (1-based); may repeat
           | 'seed=' INT          # default 0
           | 'delay-seconds=' F   # how long a `delay` holds a request, default 0.2
    KIND  := 'drop-request' | 'drop-answer' | 'duplicate' | 'reset' | 'delay'

A request meets at most one fault. Rates therefore add up to at most 1, and one
request number takes at most one ``KIND@N``. A ``KIND@N`` overrides the rates at
request N. The schedule draws one random number per request whether or not a
``KIND@N`` is there, so adding one never moves the random faults of other requests.
"""

from __future__ import annotations

import enum
import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from cogsync.errors import UsageError

ARGUMENT = "--faults"
DEFAULT_DELAY_SECONDS = 0.2


class FaultKind(enum.Enum):
    """What can go wrong with one HTTP request (the values are the SPEC words)."""

    DROP_REQUEST = "drop-request"  # the server never sees it; the client gets no answer
    DROP_ANSWER = "drop-answer"  # the server applies it; the answer is withheld
    DUPLICATE = "duplicate"  # delivered twice; the client gets one of the answers
    RESET = "reset"  # delivered; the connection is reset part-way through the answer
    DELAY = "delay"  # held delay-seconds before delivery; the answer is normal


KIND_ORDER: tuple[FaultKind, ...] = tuple(FaultKind)
KIND_WORDS = ", ".join(kind.value for kind in FaultKind)


@dataclass(frozen=True)
class InjectedFault:
    """One fault the schedule handed out: at which request (1-based) and what it hit."""

    index: int
    kind: FaultKind
    what: str  # "POST /identitypools/.../datasets/x" or the operation name


def _bad(text: str, why: str) -> UsageError:
    return UsageError(
        f"{ARGUMENT}={text!r} is not allowed: {why}. Write 'none', 'default', or comma-separated items "
        f"KIND=RATE, KIND@N, seed=INT, delay-seconds=F with KIND one of {KIND_WORDS}."
    )


def _number_text(value: float) -> str:
    """The shortest text that reads back as ``value`` (``1`` rather than ``1.0``)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class FaultSpec:
    """Which faults to inject: rates per request, faults at fixed request numbers, a seed.

    Build one with :meth:`parse` (or directly); ``str(spec)`` is its canonical SPEC text
    and ``FaultSpec.parse(str(spec)) == spec``. Rates of zero are dropped, so
    ``drop-request=0`` equals ``none``.
    """

    rates: Mapping[FaultKind, float] = field(default_factory=dict)
    at: Mapping[int, tuple[FaultKind, ...]] = field(default_factory=dict)
    seed: int = 0
    delay_seconds: float = DEFAULT_DELAY_SECONDS

    def __post_init__(self) -> None:
        text = "<FaultSpec>"
        rates: dict[FaultKind, float] = {}
        for kind in KIND_ORDER:
            rate = self.rates.get(kind, 0.0)
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
                raise _bad(text, f"the rate of {kind.value} is {rate!r}; a rate is a number from 0 to 1")
            if rate > 0:
                rates[kind] = float(rate)
        unknown = set(self.rates) - set(KIND_ORDER)
        if unknown:
            raise _bad(text, f"{sorted(map(str, unknown))} are not fault kinds")
        if sum(rates.values()) > 1.0 + 1e-9:
            raise _bad(text, f"the rates add up to {sum(rates.values()):g}; a request meets at most one fault, "
                             "so they must add up to at most 1")
        at: dict[int, tuple[FaultKind, ...]] = {}
        for index in sorted(self.at):
            kinds = tuple(dict.fromkeys(self.at[index]))  # the same KIND@N twice is one fault
            if isinstance(index, bool) or not isinstance(index, int) or index < 1:
                raise _bad(text, f"request number {index!r} is not a whole number from 1 on")
            if not all(isinstance(kind, FaultKind) for kind in kinds):
                raise _bad(text, f"{kinds!r} at request {index} are not fault kinds")
            if len(kinds) > 1:
                raise _bad(text, f"request {index} has {len(kinds)} faults "
                                 f"({', '.join(kind.value for kind in kinds)}); a request meets at most one")
            if kinds:
                at[index] = kinds
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise _bad(text, f"seed {self.seed!r} is not a whole number")
        delay = self.delay_seconds
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not (math.isfinite(delay) and delay >= 0):
            raise _bad(text, f"delay-seconds {delay!r} is not a number of seconds from 0 on")
        object.__setattr__(self, "rates", rates)
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "delay_seconds", float(delay))

    def __hash__(self) -> int:
        return hash((tuple(self.rates.items()), tuple(self.at.items()), self.seed, self.delay_seconds))

    @classmethod
    def none(cls) -> FaultSpec:
        """No faults at all (the SPEC ``none``)."""
        return cls()

    @classmethod
    def default(cls) -> FaultSpec:
        """The SPEC ``default``: a few percent of every kind."""
        return cls(rates={FaultKind.DROP_REQUEST: 0.03, FaultKind.DROP_ANSWER: 0.03, FaultKind.DUPLICATE: 0.05,
                          FaultKind.RESET: 0.03, FaultKind.DELAY: 0.05})

    @property
    def injects_anything(self) -> bool:
        """False for ``none`` (and for specs whose rates are all zero)."""
        return bool(self.rates or self.at)

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Read a SPEC; bad text raises :class:`UsageError` naming ``--faults`` and the fix."""
        if not isinstance(text, str):
            raise _bad(repr(text), "a SPEC is text")
        stripped = text.strip()
        if stripped == "none":
            return cls.none()
        if stripped == "default":
            return cls.default()
        if not stripped:
            raise _bad(text, "it is empty (write 'none' for no faults)")
        rates: dict[FaultKind, float] = {}
        at: dict[int, tuple[FaultKind, ...]] = {}
        seed: int | None = None
        delay: float | None = None
        for raw in stripped.split(","):
            item = raw.strip()
            if item in ("none", "default"):
                raise _bad(text, f"{item!r} stands alone; it cannot be combined with other items")
            if "@" in item:
                word, _, number = item.partition("@")
                kind = _kind(text, word.strip())
                index = _whole_number(text, number.strip(), f"{item!r}: N")
                if index < 1:
                    raise _bad(text, f"{item!r}: requests are counted from 1")
                if index in at and at[index] != (kind,):
                    raise _bad(text, f"request {index} has two faults ({at[index][0].value}, {kind.value}); "
                                     "a request meets at most one")
                at[index] = (kind,)
                continue
            word, equals, value = item.partition("=")
            word, value = word.strip(), value.strip()
            if not equals:
                raise _bad(text, f"{item!r} is neither KIND=RATE, KIND@N, seed=INT nor delay-seconds=F")
            if word == "seed":
                if seed is not None:
                    raise _bad(text, "seed is given twice")
                seed = _whole_number(text, value, "seed")
            elif word == "delay-seconds":
                if delay is not None:
                    raise _bad(text, "delay-seconds is given twice")
                delay = _float(text, value, "delay-seconds")
                if delay < 0:
                    raise _bad(text, f"delay-seconds={value} is negative")
            else:
                kind = _kind(text, word)
                if kind in rates:
                    raise _bad(text, f"the rate of {kind.value} is given twice")
                rate = _float(text, value, f"the rate of {kind.value}")
                if not 0.0 <= rate <= 1.0:
                    raise _bad(text, f"the rate of {kind.value} is {value}; a rate is a probability from 0 to 1")
                rates[kind] = rate
        try:
            return cls(rates=rates, at=at, seed=0 if seed is None else seed,
                       delay_seconds=DEFAULT_DELAY_SECONDS if delay is None else delay)
        except UsageError as error:  # the rates add up to more than 1: name the text given
            raise UsageError(str(error).replace(repr("<FaultSpec>"), repr(text))) from None

    def __str__(self) -> str:
        items = [f"{kind.value}={_number_text(rate)}" for kind, rate in self.rates.items()]
        items += [f"{kinds[0].value}@{index}" for index, kinds in self.at.items()]
        if self.seed != 0:
            items.append(f"seed={self.seed}")
        if self.delay_seconds != DEFAULT_DELAY_SECONDS:
            items.append(f"delay-seconds={_number_text(self.delay_seconds)}")
        return ",".join(items) or "none"

    def schedule(self, rng: random.Random | None = None) -> FaultSchedule:
        """A fresh schedule for one stream of requests; ``rng`` defaults to ``Random(seed)``.

        Inside Hypothesis searches pass an ``rng`` drawn from the example's data so that
        shrinking and replay meet the same faults.
        """
        return FaultSchedule(self, random.Random(self.seed) if rng is None else rng)


class FaultSchedule:
    """Hands out the fault (or none) for each request of one stream, in order; thread-safe."""

    def __init__(self, spec: FaultSpec, rng: random.Random):
        self.spec = spec
        self._rng = rng
        self._lock = threading.Lock()
        self._count = 0
        self._log: list[InjectedFault] = []

    def next(self, what: str = "") -> FaultKind | None:
        """The fault for the next request (counting it), or None; ``what`` names the request for the log."""
        fault = self.next_fault(what)
        return None if fault is None else fault.kind

    def next_fault(self, what: str = "") -> InjectedFault | None:
        """As :meth:`next`, with the request's number: for callers that serve requests concurrently."""
        with self._lock:
            self._count += 1
            draw = self._rng.random()  # drawn every time, so KIND@N never shifts the random faults
            fixed = self.spec.at.get(self._count)
            kind = fixed[0] if fixed else self._by_rate(draw)
            if kind is None:
                return None
            fault = InjectedFault(self._count, kind, what)
            self._log.append(fault)
            return fault

    def _by_rate(self, draw: float) -> FaultKind | None:
        threshold = 0.0
        for kind, rate in self.spec.rates.items():
            threshold += rate
            if draw < threshold:
                return kind
        return None

    @property
    def requests(self) -> int:
        """How many requests the schedule has seen."""
        with self._lock:
            return self._count

    @property
    def log(self) -> list[InjectedFault]:
        """Every fault injected so far, oldest first (a copy)."""
        with self._lock:
            return list(self._log)


def _kind(text: str, word: str) -> FaultKind:
    try:
        return FaultKind(word)
    except ValueError:
        raise _bad(text, f"{word!r} is not a fault kind") from None


def _whole_number(text: str, value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _bad(text, f"{name} must be a whole number, not {value!r}") from None


def _float(text: str, value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise _bad(text, f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise _bad(text, f"{name} must be a finite number, not {value!r}")
    return number
