"""One replay's judgement, step by step, and the verdict a reproduction script exits with.

Every answer goes through a conformance :class:`~cogsync.conformance.session.Session`
(the model, the wire checks, paginations judged whole), as in the run that found the
failure. The verdict:

- 1 (reproduced): the failure's own property is broken again; or the target breaks
  another property on this sequence (it does not keep the contract either way);
- 2 (cannot tell): an answer was lost (no connection, timeout, throttled, 5xx the
  model cannot blame), our credentials were refused, a step could not be sent, or
  the property is one a replay of calls one after another cannot put to the test;
- 0 (kept): every answer keeps the contract.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO, cast

from cogsync.conformance.session import Session, Tally
from cogsync.contracts.calls import AUTH_ERROR_TYPES, Err, Ok, Outcome, Unknown
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.contracts.failures import Failure
from cogsync.contracts.model import Model
from cogsync.targets.base import Response, Target

EXIT_KEPT, EXIT_REPRODUCED, EXIT_CANNOT_TELL = 0, 1, 2

#: Properties a replay of one call after another, signed with the script's keys, cannot test.
NOT_REPLAYABLE: dict[str, str] = {
    "CONF-6": "a lost update shows only with clients calling at the same time; a script sends one call "
              "after another (run 'cogsync verify --properties CONF-6' again)",
    "ISO-2": "the failure was seen with signatures the script does not make (run 'cogsync verify "
             "--properties ISO-2' again)",
    "DUR-1": "it needs the server restarted between the calls",
}


@dataclass(frozen=True)
class Wanted:
    """The failure a script reproduces, as the run reported it."""

    property_id: str
    title: str
    expected: str = ""
    received: str = ""


def _shown(outcome: Outcome, limit: int = 200) -> str:
    if isinstance(outcome, Ok):
        import json

        text = f"{outcome.status} " + json.dumps(outcome.body, ensure_ascii=False, default=str)
    elif isinstance(outcome, Err):
        text = f"{outcome.status} {outcome.error_type}: {outcome.message}"
    else:
        text = f"no answer ({outcome.reason})"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Judged:
    """The answers of one replay so far, judged; :meth:`verdict` prints and returns the exit status.

    ``where`` names the target in messages (what to do next names it too).
    """

    def __init__(self, wanted: Wanted, *, where: str, limits: Limits = DEFAULT_LIMITS,
                 out: TextIO | None = None) -> None:
        self.wanted = wanted
        self.where = where
        self.out = out or sys.stdout
        self.session = Session(cast(Target, None), Model(limits=limits), tally=Tally())
        self.breaches: list[tuple[int, str, Failure]] = []
        self.doubts: list[str] = []
        self.answers = 0
        self._last_lost = False

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def answer(self, index: int, label: str, response: Response, *, client: int = 0) -> None:
        """Judge the answer to step ``index`` (``label``: its boto3 method name)."""
        before = len(self.session.failures)
        self.session.observe(response, client=client)
        self._took(index, label, response.outcome, self.session.failures[before:])

    def raw_answer(self, index: int, label: str, response: Response, operation: str | None) -> None:
        """Judge a raw request's answer on the wire alone, as the wire fuzzer did."""
        from cogsync.conformance import wirefuzz
        from cogsync.conformance.wire_checks import run_wire_checks

        problems = wirefuzz.judge(operation, response) if operation else run_wire_checks(response)
        self._took(index, label, response.outcome, problems)

    def skipped(self, index: int, why: str) -> None:
        """Step ``index`` could not be sent at all."""
        self._print(f"step {index}: not sent: {why}")
        self.doubts.append(f"step {index} was not sent: {why}")

    def _took(self, index: int, label: str, outcome: Outcome, found: list[Failure]) -> None:
        self.answers += 1
        self._last_lost = False
        self._print(f"step {index} {label}: {_shown(outcome)}")
        for failure in found:
            self._print(f"  breaks [{failure.property_id}] {failure.title}")
            self.breaches.append((index, label, failure))
        if found:
            return
        self._last_lost = isinstance(outcome, Unknown) and outcome.reason.startswith(("connection error",
                                                                                         "timeout"))
        if isinstance(outcome, Unknown):
            self.doubts.append(f"step {index} ({label}) got no answer from {self.where}: {outcome.reason}"
                               f"{_next_step(outcome.reason)}")
        elif isinstance(outcome, Err) and outcome.error_type in AUTH_ERROR_TYPES:
            self.doubts.append(f"{self.where} refused our credentials at step {index} ({label}): "
                               f"{outcome.status} {outcome.error_type}. Set AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY to keys it accepts, then run this again.")

    def verdict(self) -> int:
        """Print the verdict, with expected against received when it reproduces; the exit status."""
        wanted = self.wanted
        own = [b for b in self.breaches if b[2].property_id == wanted.property_id]
        if own:
            index, label, failure = own[0]
            self._print(f"\nreproduced: [{failure.property_id}] {failure.title} (step {index}, {label})")
            self._print(f"  expected: {failure.expected}")
            self._print(f"  received: {failure.received}")
            return EXIT_REPRODUCED
        if self.breaches:
            self._print(f"\n[{wanted.property_id}] {wanted.title}: not seen again, but {self.where} breaks "
                        "the contract on this sequence:")
            for index, label, failure in self.breaches:
                self._print(f"  [{failure.property_id}] {failure.title} (step {index}, {label})")
                self._print(f"    expected: {failure.expected}")
                self._print(f"    received: {failure.received}")
            return EXIT_REPRODUCED
        if self.doubts:
            self._print(f"\ncannot tell whether [{wanted.property_id}] still fails: {self.doubts[0]}")
            return EXIT_CANNOT_TELL
        if wanted.property_id in NOT_REPLAYABLE:
            self._print(f"\ncannot tell whether [{wanted.property_id}] still fails: "
                        f"{NOT_REPLAYABLE[wanted.property_id]}.")
            return EXIT_CANNOT_TELL
        tested = wanted.property_id in self.session.tally.witnesses
        note = "" if tested else f" (though no answer put {wanted.property_id} itself to the test this time)"
        self._print(f"\nkept: [{wanted.property_id}] does not fail again: {self.where} keeps the contract "
                    f"on these {self.answers} calls{note}.")
        return EXIT_KEPT

    @property
    def unreachable(self) -> bool:
        """The last answer never came (no connection, timeout): sending more would only wait."""
        return bool(self.doubts) and self._last_lost


def _next_step(reason: str) -> str:
    """What to do about a lost answer, by its kind."""
    if reason.startswith("connection error"):
        return ". Is it running? Start it, or point the script at another target."
    if reason.startswith("throttled"):
        return ". It throttled us: run this again later."
    if reason.startswith("timeout"):
        return ". It did not answer in time: check that it is not overloaded, then run this again."
    return ""
