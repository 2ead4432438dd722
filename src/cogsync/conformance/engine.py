"""The conformance engine: run every selected check against one target.

``run(target, config)`` is the whole of what the CLI and the pytest plugin call. It
runs, in order, only the phases that can test a selected property:

1. probes: short fixed sequences for each property (``probes.py``);
   boundaries: the same deterministic boundary cases at every budget, read off the
   request schemas (``boundaries.py``);
2. programs: random multi-device programs from the strategies, shrunk on failure
   (``programs.py``);
3. negative: one broken member per request (``negative.py``);
4. concurrency: racing devices, histories checked for linearizability (CONF-6);
5. restarts: writes, restarts of the target, read-backs (DUR-1; only on a run given a
   way to restart the target: ``restart_command`` or ``restart_in_process``);
6. auth: bad and foreign signatures (ISO-2);
7. wire fuzz: schemathesis over the OpenAPI document, signed (WIRE-2..4).

Before them a preflight (``preflight.py``) decides whether the target is a Cognito
Sync server that accepts our credentials: if not, ``TargetUnusable`` (exit 3); if it
throttles or cannot complete the exchange, the run ends there, inconclusive or
failing. Throttled answers are backed off (``backoff.py``) and never count as
evidence; ``deadline_seconds`` bounds the whole run, each request's timeout included.
Under ``config.faults`` (``--faults SPEC``) every phase after the preflight sends its
requests through the faults (``fault_runs.py``); an answer a fault hid is ``Unknown``.

Every answer is judged by the model and the wire checks; a failure keeps the
sequence that led to it (and Hypothesis's blob, from a search), and the result
describes the target (``target_description``), from which the report layer writes
reproduction scripts. Against real AWS the run deletes every dataset it created, in
a ``finally``, even after Ctrl-C.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from cogsync.conformance import boundaries, concurrency, durability, programs
from cogsync.conformance.auth import BOUND_IDENTITY, BOUND_KEY, RUN_KEY, probe_signatures
from cogsync.conformance.backoff import Backoff, TargetKeptThrottling
from cogsync.conformance.checks import WITNESSES, not_applicable_on
from cogsync.conformance.config import Progress, ProgressCallback, RunConfig
from cogsync.conformance.fault_runs import Faults, fault_layer
from cogsync.conformance.hypothesis_runs import search
from cogsync.conformance.negative import negative_strategy, run_negative
from cogsync.conformance.preflight import TargetUnusable, Verdict, run_preflight
from cogsync.conformance.probe_catalog import PROBES
from cogsync.conformance.probes import Driver, Probe, replace
from cogsync.conformance.results import RunResult, Status
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session, Tally
from cogsync.conformance.stops import RunStopped
from cogsync.conformance.wire_checks import error_shape
from cogsync.contracts import properties as P
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.model import Model
from cogsync.targets.base import Response, Target
from cogsync.targets.deadline import cap_requests
from cogsync.targets.description import describe_target
from cogsync.targets.restart import COMMAND_TIMEOUT, InProcessRestart, RestartCommand, RestartFailed

__all__ = ["TargetKeptThrottling", "TargetUnresponsive", "TargetUnusable", "embedded_target", "run"]

#: Under ``--faults``, how often a probe tries a listing or a write again after its answer was lost.
FAULT_RETRIES = 3

#: Stop a run when this many answers in a row were unknown (throttled, timed out).
UNRESPONSIVE_AFTER = 8

_MODEL_IDS = frozenset(p.id for p in P.PROPERTIES) - {"CONF-6", "ISO-2", "DUR-1"}

#: The phases aimed at named properties, besides the probes: a phase runs only when
#: one of its ids is selected. (The programs phase aims at every model-judged id.)
DIRECTED_PHASES: dict[str, frozenset[str]] = {
    "boundaries": boundaries.PHASE_IDS,
    "negative": frozenset({"VAL-1", "VAL-3", "CONF-4", "WIRE-4", "WIRE-2"}),
    "concurrency": frozenset({"CONF-6"}),
    "restarts": frozenset({"DUR-1"}),
    "auth": frozenset({"ISO-2"}),
    "wire-fuzz": frozenset({"WIRE-2", "WIRE-3", "WIRE-4"}),
}

#: Properties a run on a named identity (real AWS) leaves out, and why.
EXCLUDED_ON_NAMED_IDENTITY: dict[str, str] = {
    "ISO-1": "needs identities cogsync can invent, which only emulators accept",
    "LIM-1": "the named identity's own datasets count against the limit, and cogsync cannot know them",
}

#: How long a restarted target may take to answer again before the run stops.
RESTART_READY_SECONDS = 30.0

UNSIGNED_TARGET = ("the target accepted a request with a bad signature, so it checks no signatures: "
                   "anyone can read and write any identity's data")


class TargetUnresponsive(RunStopped):
    """Too many answers in a row were unknown: throttling, timeouts or a dead server."""


class _Watch:
    """Counts unknown answers in a row across the whole run, and the run's deadline."""

    def __init__(self, deadline: float | None):
        self.in_a_row = 0
        self.unknown_total = 0
        self.deadline = deadline
        self.kept_throttling: str | None = None

    def sent(self, unknown: bool, *, injected: bool = False) -> None:
        """Count one answer. An answer a fault of ours hid is counted as unknown but leaves
        the streak alone: it says nothing of the target's health (under ``--faults`` a
        correct target would otherwise be called unresponsive after a run of bad luck)."""
        self.unknown_total += unknown
        if injected:
            return
        self.in_a_row = self.in_a_row + 1 if unknown else 0
        if self.in_a_row >= UNRESPONSIVE_AFTER:
            raise TargetUnresponsive(f"{self.in_a_row} answers in a row were unknown (throttled, timed out "
                                     "or no answer)")

    def time_left(self) -> bool:
        return self.deadline is None or time.monotonic() < self.deadline

    def going(self) -> None:
        """Raise if the run must stop: its deadline passed, or the target kept throttling."""
        if self.kept_throttling is not None:
            raise TargetKeptThrottling(self.kept_throttling)
        if not self.time_left():
            raise TargetUnresponsive("the run's deadline passed")


class _Watched:
    """A target wrapper that reports each answer to the watch, and sends nothing once the
    run must stop (deadline passed, or the backoff gave up on a throttling target)."""

    def __init__(self, target: Target, watch: _Watch):
        self._target = target
        self._watch = watch
        self.name = target.name
        self.supports_raw = target.supports_raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def send(self, call: Call) -> Any:
        self._watch.going()
        try:
            response = self._target.send(call)
        except TargetKeptThrottling as exc:
            self._watch.kept_throttling = str(exc)
            raise
        self._watch.sent(response.outcome.kind == "unknown", injected=response.injected_fault is not None)
        return response

    def send_raw(self, method: str, path: str, **options: Any) -> Any:
        self._watch.going()
        try:
            return self._target.send_raw(method, path, **options)
        except TargetKeptThrottling as exc:
            self._watch.kept_throttling = str(exc)
            raise


class _ThrottledAnswers:
    """What the backoff hands over: each throttled answer, judged for its wire shape only.

    Whether a 429 carries TooManyRequestsException, the header and a JSON message is
    WIRE-2's business like any error answer's: judged, it can fail WIRE-2. It witnesses
    nothing, WIRE-2 included: a target that only throttles must not pass anything.
    Answers go to ``tally``, which the engine swaps (the preflight's is thrown away).
    """

    def __init__(self, selected: frozenset[str]):
        self.selected = selected
        self.tally = Tally()
        self._lock = threading.Lock()

    def __call__(self, response: Response) -> None:
        if "WIRE-2" not in self.selected:
            return
        problems = error_shape(response)
        with self._lock:
            for p in problems:
                self.tally.failed(p.after((SentCall(response.call, response.outcome),)))


def embedded_target() -> Target:
    """The reference emulator in-process, checking signatures (so ISO-2 is tested)."""
    from cogsync.emulator.auth import Credential
    from cogsync.targets.in_process import InProcessTarget

    auth = {RUN_KEY[0]: RUN_KEY[1], BOUND_KEY[0]: Credential(BOUND_KEY[1], BOUND_IDENTITY.identity_id)}
    return InProcessTarget.emulator(auth=auth, credentials=RUN_KEY, knows_bound_key=True)


def run(target: Target, config: RunConfig, *, progress: ProgressCallback | None = None,
        on_failure: Callable[[Failure], None] | None = None) -> RunResult:
    """Check ``target`` against every property ``config`` selects; see the module docstring.

    ``on_failure`` is called with each failure the moment it is seen, before Hypothesis
    shrinks it (so a property can be reported more than once); the verdicts still come
    from the returned result.

    Raises :class:`TargetUnusable` (an ``InfrastructureError``) when the preflight finds
    the target cannot be tested: not reachable, credentials or writes refused, not a
    Cognito Sync endpoint.
    """
    began = time.monotonic()
    run_seed = config.seed if config.seed is not None else random.randrange(2**32)
    selected = config.selected
    excluded = EXCLUDED_ON_NAMED_IDENTITY if config.identity_id is not None else {}
    result = RunResult.empty(target=target.name, profile=config.profile, seed=run_seed,
                             budget=config.budget, selected=selected)
    result.target_description, result.limits = describe_target(target), config.limits
    deadline = began + config.deadline_seconds if config.deadline_seconds else None
    watch = _Watch(deadline)
    throttled = _ThrottledAnswers(frozenset(selected))
    spec = config.fault_spec
    faulty = fault_layer(target, spec) if spec is not None else None
    backoff = Backoff(faulty or target, seed=run_seed, deadline=deadline, on_throttled=throttled)
    watched = _Watched(backoff, watch)
    context = _Context(watched, target, config, frozenset(selected) - excluded.keys(), run_seed,
                       progress or (lambda _p: None), watch, on_failure)
    context.restarter = _restarter(target, config)
    context.faults = Faults(faulty, spec) if faulty is not None and spec is not None else None
    context.excluded.update((pid, why) for pid, why in excluded.items() if pid in selected)
    phases: list[tuple[str, Callable[[_Context], None]]] = [
        ("probes", _run_probes), ("boundaries", _run_boundaries), ("programs", _run_programs),
        ("negative", _run_negative), ("concurrency", _run_concurrency), ("restarts", _run_restarts),
        ("auth", _run_auth), ("wire-fuzz", _run_wire_fuzz),
    ]
    cap_requests(faulty or target, deadline)
    try:
        going_on = _preflight(context, throttled, result)
        for name, phase in phases if going_on else []:
            if not watch.time_left():
                result.notes.append(f"the run's deadline passed before the {name} phase")
                context.cut_short = True
                break
            try:
                if context.faults is not None:
                    context.faults.enter(name)
                phase(context)
            except BaseException as exc:
                stop = _stopped_by(exc)
                if stop is None:
                    raise
                result.notes.append(f"stopped in the {name} phase: {stop}")
                context.tally.failures += stop.failures  # found before the stop: still failures
                context.cut_short = True
                break
    finally:
        if context.faults is not None:
            context.faults.enter(None)  # cleanup meets no faults
            context.faults.faulty.stop()
        cap_requests(faulty or target, None)  # cleanup must still be able to delete what the run made
        _cleanup(target, context)
    _fill(result, context)
    if context.faults is not None:
        result.faults = context.faults.report(watch.unknown_total)
        result.notes.append(result.faults.summary())
    result.duration = time.monotonic() - began
    return result


def _restarter(target: Target, config: RunConfig) -> Any:
    """How this run restarts its target (None: it cannot); UsageError when it was asked
    to restart an in-process target that has no factory to rebuild from."""
    if config.restart_command is not None:
        return RestartCommand(config.restart_command)
    if config.restart_in_process:
        return InProcessRestart(target)
    return None


def _stopped_by(exc: BaseException) -> RunStopped | None:
    """The reason the run must stop, if ``exc`` is (or, from Hypothesis, groups) one."""
    if isinstance(exc, RunStopped):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _stopped_by(inner)
            if found is not None:
                return found
    return None


def _preflight(ctx: _Context, throttled: _ThrottledAnswers, result: RunResult) -> bool:
    """Decide what the target is before any phase; False when the run ends here.

    UNUSABLE raises; INCONCLUSIVE and BROKEN keep the contract failures the
    preflight's answers showed and set every other property's note to the reason.
    The preflight's answers are never evidence for a pass (a throwaway tally).
    """
    if ctx.config.skip_preflight:
        throttled.tally = ctx.tally
        return True
    ctx.progress(Progress("preflight", 0, 1, "is this a Cognito Sync server we can test?"))
    report = run_preflight(ctx.target, model=Model(limits=ctx.config.limits), scope=ctx.scope,
                           selected=ctx.selected, stopping=(TargetUnresponsive,))
    for failure in [*report.failures, *throttled.tally.failures]:
        ctx.tally.failed(failure)
    throttled.tally = ctx.tally
    ctx.progress(Progress("preflight", 1, 1, report.verdict.value))
    if report.verdict is Verdict.UNUSABLE:
        raise TargetUnusable(report.reason)
    if report.verdict is Verdict.USABLE:
        return True
    result.notes.append(report.reason)
    failed = {f.property_id for f in ctx.tally.failures} & ctx.selected
    if report.verdict is Verdict.BROKEN:
        note = f"not run: {report.reason}"  # never green: an untested MUST/SHOULD exits 2
    else:
        ctx.cut_short = True  # throttled or timed out
        note = f"inconclusive: {report.reason}"
    for pid in ctx.selected - failed:
        ctx.notes[pid] = note
    return False


class _Context:
    def __init__(self, target: Any, raw_target: Target, config: RunConfig, selected: frozenset[str],
                 run_seed: int, progress: ProgressCallback, watch: _Watch,
                 on_failure: Callable[[Failure], None] | None = None):
        self.target = target
        self.raw_target = raw_target  # unwrapped: to build siblings with other credentials
        self.config = config
        self.selected = selected
        self.seed = run_seed
        self.progress = progress
        self.watch = watch
        self.scope = Scope(config)
        self.tally = Tally(on_failure=on_failure)
        self.model = Model(limits=config.limits)
        self.cut_short = False
        self.notes: dict[str, str] = {}
        self.excluded: dict[str, str] = {}  # id -> why this run's mode leaves it out
        self.not_applicable: dict[str, str] = {}  # id -> why its condition does not hold
        self.timed_out: set[str] = set()  # ids a check could not decide in its time cap
        self.run_notes: list[str] = []
        self.restarter: Any = None  # how the target is restarted (DUR-1), if it can be
        self.faults: Faults | None = None  # --faults: what the phases go through

    def session(self, *, raising: bool = False) -> Session:
        return Session(self.target, self.model, tally=self.tally, selected=self.selected,
                       raise_on_failure=raising)

    def wants(self, ids: frozenset[str]) -> bool:
        return bool(ids & self.selected)

    def database(self) -> Any:
        if self.config.database is None:
            return None
        from cogsync.conformance.databases import example_database

        return example_database(self.config.database)


def _applicable(probe: Probe, ctx: _Context) -> bool:
    return ctx.wants(probe.targets) and not (probe.invents_ids and ctx.scope.real)


def _run_probes(ctx: _Context) -> None:
    chosen = [p for p in PROBES if _applicable(p, ctx)]
    for index, probe in enumerate(chosen):
        ctx.progress(Progress("probes", index, len(chosen), probe.name))
        try:
            probe.run(Driver(ctx.session(), ctx.scope, retries=FAULT_RETRIES if ctx.faults else 0))
        finally:
            ctx.scope.sweep(ctx.target)
    ctx.progress(Progress("probes", len(chosen), len(chosen), "done"))


def _run_boundaries(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["boundaries"]):
        return
    raw = bool(getattr(ctx.target, "supports_raw", False))
    chosen = [s for s in boundaries.steps(limits_datasets=ctx.config.limits.max_datasets_per_identity)
              if ctx.wants(s.targets) and (raw or not s.raw) and not (s.invents_ids and ctx.scope.real)]
    for index, step in enumerate(chosen):
        ctx.watch.going()
        ctx.progress(Progress("boundaries", index, len(chosen), step.name))
        try:
            step.run(ctx.session(), ctx.scope)
        finally:
            ctx.scope.sweep(ctx.target)
    ctx.progress(Progress("boundaries", len(chosen), len(chosen), "done"))


def _counter(ctx: _Context, phase: str, total: int) -> Callable[[], None]:
    done = [0]

    def tick() -> None:
        done[0] += 1
        ctx.progress(Progress(phase, min(done[0], total), total, f"example {done[0]}"))
        if not ctx.watch.time_left():
            raise TargetUnresponsive("the run's deadline passed")

    return tick


def _run_programs(ctx: _Context) -> None:
    if not ctx.wants(_MODEL_IDS):
        return
    budget = ctx.config.effective_budget
    tick = _counter(ctx, "programs", ctx.config.examples)
    strategy = programs.program_strategy(ctx.scope, max_steps=budget.max_steps, limits=ctx.config.limits)

    def example(scenario: Any) -> None:
        tick()
        try:
            programs.run_program(scenario, ctx.target, ctx.session(raising=True), ctx.scope)
        finally:
            ctx.scope.sweep(ctx.target)

    strategy, judged = _with_faults(ctx, strategy, example)
    ctx.tally.failures += search(strategy, judged, max_examples=ctx.config.examples, run_seed=ctx.seed,
                                 database=ctx.database(), database_key=b"cogsync-programs",
                                 shrink_seconds=budget.shrink_seconds)


def _with_faults(ctx: _Context, strategy: Any, example: Callable[[Any], None]) -> tuple[Any, Callable[[Any], None]]:
    """Under ``--faults``, each example draws its fault schedule's rng from its own data,
    so shrinking and replay meet the same faults as the example they came from.

    The draw is a seed (faults at the SPEC's rates: Hypothesis's own ``randoms()``
    lean towards 0.0, which would fault nearly every request); seed 0, where
    shrinking goes first, means no faults, so a failure the faults did not cause
    shrinks to an example without any.
    """
    faults = ctx.faults
    if faults is None:
        return strategy, example

    def faulted(drawn: tuple[Any, int]) -> None:
        value, fault_seed = drawn
        faults.faulty.use(faults.spec.schedule(random.Random(fault_seed)) if fault_seed else None)
        try:
            example(value)
        finally:
            faults.faulty.use(faults.phase_schedule)

    return st.tuples(strategy, st.integers(min_value=0, max_value=2**32 - 1)), faulted


def _run_negative(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["negative"]):
        return
    tick = _counter(ctx, "negative", ctx.config.examples)

    def example(invalid: Any) -> None:
        tick()
        try:
            run_negative(invalid, ctx.session(raising=True), ctx.scope)
        finally:
            ctx.scope.sweep(ctx.target)

    strategy, judged = _with_faults(ctx, negative_strategy(), example)
    ctx.tally.failures += search(strategy, judged, max_examples=ctx.config.examples,
                                 run_seed=ctx.seed, database=ctx.database(), database_key=b"cogsync-negative",
                                 shrink_seconds=ctx.config.effective_budget.shrink_seconds)


def _run_concurrency(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["concurrency"]):
        return
    rounds = ctx.config.effective_budget.concurrent_rounds
    rng = random.Random(ctx.seed)
    for index in range(rounds):
        ctx.watch.going()  # the racing clients turn a stop into Unknown answers: check here
        ctx.progress(Progress("concurrency", index, rounds, f"{ctx.config.concurrency} clients"))
        opening = concurrency.OPENINGS[index % len(concurrency.OPENINGS)]
        history = concurrency.race(ctx.target, ctx.scope, clients=ctx.config.concurrency, rng=rng,
                                   opening=opening)
        ctx.scope.sweep(ctx.target)
        ctx.watch.going()
        verdict = concurrency.judge_history(history, ctx.config.limits, timeout=_seconds_left(ctx, 30.0))
        if verdict.ok is None:  # never counted: reported in the run's notes and CONF-6's
            undecided = (f"concurrency round {index + 1} ({'/'.join(opening)}, {len(history)} calls) "
                         f"could not be decided in time: {verdict.explanation}")
            ctx.notes["CONF-6"] = undecided
            ctx.run_notes.append(undecided)
            ctx.timed_out.add("CONF-6")
            continue
        if verdict.ok and concurrency.is_a_race(history):
            ctx.tally.witnessed("CONF-6")
        elif verdict.ok:
            ctx.notes.setdefault("CONF-6", "no round raced writes of several clients with every outcome known")
        if verdict.ok is False and not concurrency.accepted_writes(history):
            # Nothing took effect, so nothing could be lost or torn: the answers are wrong
            # one by one, which the sequential phases report under their own ids.
            ctx.notes.setdefault("CONF-6", "no write of a race was accepted")
        elif verdict.ok is False:
            ctx.tally.failed(concurrency.failure_from(verdict))
            break
    ctx.progress(Progress("concurrency", rounds, rounds, "done"))


def _run_restarts(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["restarts"]) or ctx.restarter is None:
        return
    writes, restarts = durability.PLANS[ctx.config.budget]
    rng = random.Random(ctx.seed ^ 0xD0_0001)
    points = durability.restart_points(rng, writes, restarts, ctx.config.restart_every)
    identity = ctx.scope.identity()
    names = [ctx.scope.dataset(f"durable-{i}") for i in range(durability.DATASETS)]
    for name in names:
        ctx.scope.remember(identity, name)

    def restart() -> None:
        ctx.watch.going()
        ctx.progress(Progress("restarts", phase.restarts, len(points) + 1, ctx.restarter.description))
        try:
            ctx.restarter.restart(timeout=_seconds_left(ctx, COMMAND_TIMEOUT))
        except RestartFailed:
            if ctx.watch.time_left():
                raise  # the command failed: an infrastructure error (exit 3)
            raise TargetUnresponsive("the run's deadline passed while the target restarted") from None
        _wait_until_answering(ctx, identity)

    def tick(n: int) -> None:
        ctx.watch.going()
        ctx.progress(Progress("restarts", n, writes, f"{phase.restarts} restarts so far"))

    phase = durability.RestartsPhase(ctx.target.send, restart, identity, names, rng, ctx.tally)
    try:
        phase.run(writes, points, tick)
    finally:
        ctx.scope.sweep(ctx.target)
        ctx.run_notes.append(f"DUR-1: the target was restarted {phase.restarts} time(s) by "
                             f"{ctx.restarter.description}")
    ctx.progress(Progress("restarts", writes, writes, f"done: {phase.restarts} restarts"))


def _wait_until_answering(ctx: _Context, identity: Any) -> None:
    """Poll a harmless call until the restarted target answers (any answer that is not
    unknown), for at most RESTART_READY_SECONDS and never past the run's deadline."""
    probe = Call("ListDatasets", {"IdentityPoolId": identity.pool_id, "IdentityId": identity.identity_id})
    until = time.monotonic() + _seconds_left(ctx, RESTART_READY_SECONDS)
    pause = 0.005
    while True:
        outcome = ctx.raw_target.send(probe).outcome
        if outcome.kind != "unknown":
            return
        left = until - time.monotonic()
        if left <= 0:
            raise TargetUnresponsive(f"the target did not answer within {RESTART_READY_SECONDS:g} s of its "
                                     f"restart (or before the run's deadline): {getattr(outcome, 'reason', '')}")
        time.sleep(min(pause, left))  # between polls of the readiness condition, not a wait for it
        pause = min(pause * 2, 0.2)


def _seconds_left(ctx: _Context, at_most: float) -> float:
    """``at_most`` seconds, or less if the run's deadline is nearer."""
    if ctx.watch.deadline is None:
        return at_most
    return max(0.0, min(at_most, ctx.watch.deadline - time.monotonic()))


def _run_auth(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["auth"]):
        return
    ctx.progress(Progress("auth", 0, 1, "signatures"))
    session = Session(ctx.target, ctx.model, tally=ctx.tally, selected=ctx.selected)
    verdict = probe_signatures(ctx.raw_target, session, ctx.scope, retries=FAULT_RETRIES if ctx.faults else 0)
    if verdict.signatures_checked is False:
        if ctx.config.require_signatures:
            session.fail(Failure("ISO-2", "a request with a bad signature was accepted",
                                 "403 (--require-signatures: the server must check SigV4 signatures)",
                                 "200 OK", tuple(session.steps)))
        else:
            ctx.not_applicable["ISO-2"] = verdict.note
            ctx.run_notes.append(f"ISO-2 not applicable: {UNSIGNED_TARGET}. --require-signatures makes "
                                 "this a failure, for servers meant for production.")
    elif verdict.excluded:
        ctx.excluded["ISO-2"] = verdict.note
    elif verdict.signatures_checked is None:
        ctx.notes["ISO-2"] = verdict.note
    ctx.progress(Progress("auth", 1, 1, "done"))


def _run_wire_fuzz(ctx: _Context) -> None:
    if not ctx.wants(DIRECTED_PHASES["wire-fuzz"]) or not ctx.target.supports_raw:
        return
    if ctx.scope.real:
        ctx.notes.setdefault("WIRE-4", "the schemathesis wire fuzzer does not run against real AWS")
        return
    from cogsync.conformance import wirefuzz

    examples = ctx.config.effective_budget.schemathesis_examples * 5
    tick = _counter(ctx, "wire-fuzz", examples)
    serving = _accepts_a_write(ctx)

    def example(item: Any) -> None:
        tick()
        wirefuzz.fuzz_case(ctx.target, item, ctx.tally, ctx.selected, serving=serving)

    strategy, judged = _with_faults(ctx, wirefuzz.strategy(), example)
    ctx.tally.failures += search(strategy, judged, max_examples=examples, run_seed=ctx.seed,
                                 database=ctx.database(), database_key=b"cogsync-wirefuzz",
                                 shrink_seconds=ctx.config.effective_budget.shrink_seconds)


def _accepts_a_write(ctx: _Context) -> bool:
    """The control of the wire fuzzer's witnesses: does the target accept a plain write?"""
    control = Session(ctx.target, ctx.model, tally=Tally())  # judged, but counts for nothing
    Driver(control, ctx.scope).put(ctx.scope.dataset("control"), [replace("k", "v", 0)])
    return any(step.call.operation == "UpdateRecords" and isinstance(step.outcome, Ok)
               for step in control.steps)


def _cleanup(target: Target, ctx: _Context) -> None:
    """Delete what the run created on a named identity (only that)."""
    if ctx.scope.real:
        ctx.progress(Progress("cleanup", 0, 1, f"datasets named {ctx.config.run_prefix}*"))
        ctx.scope.sweep(target)
        ctx.progress(Progress("cleanup", 1, 1, "done"))


def _fill(result: RunResult, ctx: _Context) -> None:
    profile = P.profile(ctx.config.profile)
    tally = ctx.tally
    for pid, count in tally.witnesses.items():
        if pid in result.results:
            result.results[pid].record_witnesses(count)
    for pid, observations in tally.findings.items():
        if pid in result.results:
            for observation in observations:
                result.results[pid].record_finding(observation)
    for failure in sorted(tally.failures, key=lambda f: len(f.steps)):
        if failure.property_id in result.results:
            result.results[failure.property_id].record_failure(failure, profile)
    for pid, note in ctx.notes.items():
        if pid in result.results and not result.results[pid].note:
            result.results[pid].note = note
    cannot = not_applicable_on(restarts=ctx.restarter is not None)
    for pid, reason in {**cannot, **ctx.not_applicable}.items():
        if pid in result.results and result.results[pid].status is Status.NOT_RUN:
            result.results[pid].status = Status.NOT_APPLICABLE
            result.results[pid].note = reason
    for pid, reason in ctx.excluded.items():
        if pid in result.results:
            result.results[pid].excluded = reason
            result.results[pid].note = f"excluded: {reason}"
    result.notes.extend(ctx.run_notes)
    unknowns = ctx.watch.unknown_total
    for entry in result.results.values():
        entry.settle()
        if entry.status is not Status.NOT_RUN or entry.excluded:
            continue
        if ctx.cut_short or (unknowns and not entry.note) or entry.property_id in ctx.timed_out:
            entry.status = Status.INCONCLUSIVE
            entry.note = entry.note or "answers were throttled, timed out or the run was cut short"
        elif not entry.note:
            entry.note = f"no answer of this run put it to the test (its witness: {WITNESSES[entry.property_id]})"
