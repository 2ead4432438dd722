"""The fault SPEC shared by ``cogsync proxy`` and ``cogsync verify --faults``.

(Stand-in written on branch ``nemesis`` against the API fixed in the faults brief;
the ``faultproxy`` branch owns this module and its version replaces this one.)

Grammar::

    SPEC  := 'none' | 'default' | ITEM (',' ITEM)*
    ITEM  := KIND '=' RATE | KIND '@' N | 'seed=' INT | 'delay-seconds=' F
    KIND  := 'drop-request' | 'drop-answer' | 'duplicate' | 'reset' | 'delay'
"""

from __future__ import annotations

import enum
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from cogsync.errors import UsageError


class FaultKind(enum.Enum):
    DROP_REQUEST = "drop-request"
    DROP_ANSWER = "drop-answer"
    DUPLICATE = "duplicate"
    RESET = "reset"
    DELAY = "delay"


DEFAULT_TEXT = "drop-request=0.03,drop-answer=0.03,duplicate=0.05,reset=0.03,delay=0.05"
_FIX = ("'none', 'default', or items like drop-answer=0.1,duplicate@3,seed=7 (kinds: "
        + ", ".join(k.value for k in FaultKind) + ")")


def _bad(text: str) -> UsageError:
    return UsageError.bad_argument("--faults", text, _FIX)


@dataclass(frozen=True)
class InjectedFault:
    index: int
    kind: FaultKind
    what: str


@dataclass(frozen=True)
class FaultSpec:
    rates: Mapping[FaultKind, float] = field(default_factory=dict)
    at: Mapping[int, tuple[FaultKind, ...]] = field(default_factory=dict)
    seed: int = 0
    delay_seconds: float = 0.2

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        if not isinstance(text, str) or not text.strip():
            raise _bad(repr(text))
        text = text.strip()
        if text == "none":
            return cls()
        if text == "default":
            text = DEFAULT_TEXT
        rates: dict[FaultKind, float] = {}
        at: dict[int, tuple[FaultKind, ...]] = {}
        seed, delay = 0, 0.2
        for item in text.split(","):
            item = item.strip()
            try:
                if item.startswith("seed="):
                    seed = int(item[5:])
                elif item.startswith("delay-seconds="):
                    delay = float(item[14:])
                    if not 0 <= delay < float("inf"):
                        raise ValueError(item)
                elif "=" in item:
                    name, rate_text = item.split("=", 1)
                    rate = float(rate_text)
                    if not 0 <= rate <= 1:
                        raise ValueError(item)
                    rates[FaultKind(name)] = rate
                elif "@" in item:
                    name, n_text = item.split("@", 1)
                    n = int(n_text)
                    if n < 1:
                        raise ValueError(item)
                    at[n] = (*at.get(n, ()), FaultKind(name))
                else:
                    raise ValueError(item)
            except ValueError:
                raise _bad(item) from None
        return cls(rates, at, seed, delay)

    def __bool__(self) -> bool:
        return any(self.rates.values()) or bool(self.at)

    def __str__(self) -> str:
        parts = [f"{k.value}={r:g}" for k, r in self.rates.items()]
        parts += [f"{k.value}@{n}" for n, kinds in sorted(self.at.items()) for k in kinds]
        if self.seed:
            parts.append(f"seed={self.seed}")
        if self.delay_seconds != 0.2:
            parts.append(f"delay-seconds={self.delay_seconds:g}")
        return ",".join(parts) or "none"

    def schedule(self, rng: random.Random | None = None) -> FaultSchedule:
        return FaultSchedule(self, rng if rng is not None else random.Random(self.seed))


class FaultSchedule:
    """The faults of one stream of requests, in order; thread-safe."""

    def __init__(self, spec: FaultSpec, rng: random.Random):
        self.spec = spec
        self._rng = rng
        self._lock = threading.Lock()
        self._count = 0
        self._log: list[InjectedFault] = []

    def next(self, what: str = "") -> FaultKind | None:
        with self._lock:
            self._count += 1
            kinds = self.spec.at.get(self._count)
            kind = kinds[0] if kinds else None
            if kind is None:
                for candidate, rate in self.spec.rates.items():
                    if rate and self._rng.random() < rate:
                        kind = candidate
                        break
            if kind is not None:
                self._log.append(InjectedFault(self._count, kind, what))
            return kind

    @property
    def log(self) -> list[InjectedFault]:
        with self._lock:
            return list(self._log)
