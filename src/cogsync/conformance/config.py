"""How a conformance run is set up: budgets, selection, identities, progress events.

The CLI (``cogsync verify``) and the pytest plugin both build a :class:`RunConfig`
and hand it to :func:`cogsync.conformance.engine.run`; neither knows more of the
engine than this.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from cogsync.contracts import properties as P
from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.errors import UsageError
from cogsync.faults.spec import FaultSpec


@dataclass(frozen=True)
class Budget:
    """How much effort a run spends. Times are targets on the embedded emulator."""

    name: str
    max_examples: int  # examples per Hypothesis state machine / fuzz strategy
    max_steps: int  # steps per state-machine example
    concurrent_rounds: int  # concurrency histories checked for CONF-6
    schemathesis_examples: int  # cases per operation for the wire fuzzer
    shrink_seconds: int  # at most this long shrinking each search's failures
    note: str


BUDGETS: dict[str, Budget] = {
    "quick": Budget("quick", 25, 20, 3, 10, 8, "within about 30 s on the embedded emulator"),
    "ci": Budget("ci", 150, 40, 12, 40, 30, "within about 3 min on the embedded emulator"),
    "deep": Budget("deep", 1500, 80, 60, 200, 300, "as long as it takes; for nightly runs"),
}


def budget(name: str) -> Budget:
    try:
        return BUDGETS[name]
    except KeyError:
        raise UsageError.bad_argument("budget", name, "one of " + ", ".join(BUDGETS)) from None


@dataclass(frozen=True)
class Progress:
    """One progress event: the CLI draws a bar on a terminal, plain lines in CI logs."""

    phase: str  # e.g. "probes", "stateful", "negative", "concurrency", "wire-fuzz", "cleanup"
    done: int
    total: int
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def new_run_prefix() -> str:
    """Dataset names of one run start with this, so cleanup touches only our data."""
    return "cogsync-" + secrets.token_hex(4)


@dataclass(frozen=True)
class RunConfig:
    profile: str = "default"
    budget: str = "quick"
    max_examples: int | None = None  # overrides the budget's
    seed: int | None = None
    properties: tuple[str, ...] | None = None  # ids or globs; None = all
    skip: tuple[str, ...] = ()
    concurrency: int = 4  # client threads for CONF-6
    identity_pool_id: str | None = None  # real AWS: ids cannot be invented
    identity_id: str | None = None
    limits: Limits = DEFAULT_LIMITS
    run_prefix: str = field(default_factory=new_run_prefix)
    database: str | None = None  # Hypothesis example database: a directory or redis://...
    deadline_seconds: float | None = None  # stop and report inconclusive past this
    require_signatures: bool = False  # ISO-2 fails (instead of not-applicable) on a server checking none
    skip_preflight: bool = False  # no preflight: for those who know the target is a usable server
    restart_command: str | None = None  # shell command that kills and restarts the target (DUR-1)
    restart_in_process: bool = False  # an in-process target is restarted by rebuilding its app (DUR-1)
    restart_every: int | None = None  # restart after every N writes of the restarts phase (default: seeded points)
    faults: str | None = None  # a fault SPEC (cogsync.faults.spec): every phase but the preflight meets it

    @property
    def fault_spec(self) -> FaultSpec | None:
        """The parsed ``faults``; None when it injects nothing ('none', or no rate and no @)."""
        if self.faults is None:
            return None
        spec = FaultSpec.parse(self.faults)
        return spec if spec.injects_anything else None

    def __post_init__(self) -> None:
        P.profile(self.profile)
        budget(self.budget)
        if self.max_examples is not None and self.max_examples < 1:
            raise UsageError.bad_argument("max_examples", self.max_examples, "a whole number of at least 1")
        if not isinstance(self.skip_preflight, bool):
            raise UsageError.bad_argument("skip_preflight", self.skip_preflight, "True or False")
        if not 1 <= self.concurrency <= 64:
            raise UsageError.bad_argument("concurrency", self.concurrency, "between 1 and 64")
        if (self.identity_pool_id is None) != (self.identity_id is None):
            raise UsageError(
                "identity_pool_id and identity_id go together: give both (real AWS) or neither "
                "(cogsync invents ids, which only emulators accept)."
            )
        P.select(list(self.properties) if self.properties else None, list(self.skip))
        if self.faults is not None and not isinstance(self.faults, str):
            raise UsageError.bad_argument("faults", self.faults, "a fault SPEC such as 'default' or "
                                          "'drop-answer=0.1,duplicate=0.05'")
        _ = self.fault_spec  # bad SPEC text: UsageError naming --faults and the fix
        self._check_restarts()

    def _check_restarts(self) -> None:
        if self.restart_command is not None and (not isinstance(self.restart_command, str)
                                                 or not self.restart_command.strip()):
            raise UsageError.bad_argument("restart_command", self.restart_command,
                                          "a shell command that kills and restarts the target")
        if not isinstance(self.restart_in_process, bool):
            raise UsageError.bad_argument("restart_in_process", self.restart_in_process, "True or False")
        if self.restart_command is not None and self.restart_in_process:
            raise UsageError("restart_command and restart_in_process are two ways to restart the target: "
                             "give one (a command for a server in another process, in-process for an app "
                             "in this one).")
        if self.restart_every is not None:
            if isinstance(self.restart_every, bool) or not isinstance(self.restart_every, int) \
                    or self.restart_every < 1:
                raise UsageError.bad_argument("restart_every", self.restart_every, "a whole number of at least 1")
            if not self.restarts:
                raise UsageError("restart_every says how often to restart, and nothing restarts the target: "
                                 "give restart_command (--restart-command CMD) or restart_in_process "
                                 "(--restart) too.")

    @property
    def restarts(self) -> bool:
        """True when the run has a way to restart the target (DUR-1 is then put to the test)."""
        return self.restart_command is not None or self.restart_in_process

    @property
    def selected(self) -> list[str]:
        chosen = P.select(list(self.properties) if self.properties else None, list(self.skip))
        return [p.id for p in chosen]

    @property
    def effective_budget(self) -> Budget:
        return budget(self.budget)

    @property
    def examples(self) -> int:
        return self.max_examples or self.effective_budget.max_examples
