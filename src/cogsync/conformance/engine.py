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
5. auth: bad and foreign signatures (ISO-2);
6. wire fuzz: schemathesis over the OpenAPI document, signed (WIRE-2..4).

Before them a preflight (``preflight.py``) decides whether the target is a Cognito
Sync server that accepts our credentials: if not, ``TargetUnusable`` (exit 3); if it
throttles or cannot complete the exchange, the run ends there, inconclusive or
failing. Throttled answers are backed off (``backoff.py``) and never count as
evidence; ``deadline_seconds`` bounds the whole run, each request's timeout included.

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

from cogsync.conformance import boundaries, concurrency, programs
from cogsync.conformance.auth import BOUND_IDENTITY, BOUND_KEY, RUN_KEY, probe_signatures
from cogsync.conformance.backoff import Backoff, TargetKeptThrottling
from cogsync.conformance.checks import CANNOT_CHECK, WITNESSES
from cogsync.conformance.config import Progress, ProgressCallback, RunConfig
from cogsync.conformance.hypothesis_runs import search
from cogsync.conformance.negative import negative_strategy, run_negative
from cogsync.conformance.preflight import TargetUnusable, Verdict, run_preflight
from cogsync.conformance.probes import PROBES, Driver, Probe, replace
from cogsync.conformance.results import Failure, RunResult, Status, Step
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session, Tally
from cogsync.conformance.stops import RunStopped
from cogsync.conformance.wire_checks import error_shape
from cogsync.contracts import properties as P
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.model import Model
from cogsync.targets.base import Response, Target
from cogsync.targets.deadline import cap_requests
from cogsync.targets.description import describe_target

__all__ = ["TargetKeptThrottling", "TargetUnresponsive", "TargetUnusable", "embedded_target", "run"]

#: Stop a run when this many answers in a row were unknown (throttled, timed out).
UNRESPONSIVE_AFTER = 8

_MODEL_IDS = frozenset(p.id for p in P.PROPERTIES) - {"CONF-6", "ISO-2", "DUR-1"}

#: The phases aimed at named properties, besides the probes: a phase runs only when
#: one of its ids is selected. (The programs phase aims at every model-judged id.)
DIRECTED_PHASES: dict[str, frozenset[str]] = {
    "boundaries": boundaries.PHASE_IDS,
    "negative": frozenset({"VAL-1", "VAL-3", "CONF-4", "WIRE-4", "WIRE-2"}),
    "concurrency": frozenset({"CONF-6"}),
    "auth": frozenset({"ISO-2"}),
    "wire-fuzz": frozenset({"WIRE-2", "WIRE-3", "WIRE-4"}),
}

#: Properties a run on a named identity (real AWS) leaves out, and why.
EXCLUDED_ON_NAMED_IDENTITY: dict[str, str] = {
    "ISO-1": "needs identities cogsync can invent, which only emulators accept",
    "LIM-1": "the named identity's own datasets count against the limit, and cogsync cannot know them",
}

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

    def sent(self, unknown: bool) -> None:
        self.unknown_total += unknown
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
        self._watch.sent(response.outcome.kind == "unknown")
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
                self.tally.failures.append(Failure(p.property_id, p.title, p.expected, p.received,
                                                   (Step(response.call, response.outcome),)))


def embedded_target() -> Target:
    """The reference emulator in-process, checking signatures (so ISO-2 is tested)."""
    from cogsync.emulator.auth import Credential
    from cogsync.targets.in_process import InProcessTarget

    auth = {RUN_KEY[0]: RUN_KEY[1], BOUND_KEY[0]: Credential(BOUND_KEY[1], BOUND_IDENTITY.identity_id)}
    target = InProcessTarget.emulator(auth=auth, credentials=RUN_KEY)
    target.knows_bound_key = True  # type: ignore[attr-defined]
    return target


def run(target: Target, config: RunConfig, *, progress: ProgressCallback | None = None) -> RunResult:
    """Check ``target`` against every property ``config`` selects; see the module docstring.

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
    backoff = Backoff(target, seed=run_seed, deadline=deadline, on_throttled=throttled)
    watched = _Watched(backoff, watch)
    context = _Context(watched, target, config, frozenset(selected) - excluded.keys(), run_seed,
                       progress or (lambda _p: None), watch)
    context.excluded.update((pid, why) for pid, why in excluded.items() if pid in selected)
    phases: list[tuple[str, Callable[[_Context], None]]] = [
        ("probes", _run_probes), ("boundaries", _run_boundaries), ("programs", _run_programs),
        ("negative", _run_negative),
        ("concurrency", _run_concurrency), ("auth", _run_auth), ("wire-fuzz", _run_wire_fuzz),
    ]
    cap_requests(target, deadline)
    try:
        going_on = _preflight(context, throttled, result)
        for name, phase in phases if going_on else []:
            if not watch.time_left():
                result.notes.append(f"the run's deadline passed before the {name} phase")
                context.cut_short = True
                break
            try:
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
        cap_requests(target, None)  # cleanup must still be able to delete what the run made
        _cleanup(target, context)
    _fill(result, context)
    result.duration = time.monotonic() - began
    return result


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
    ctx.tally.failures += list(report.failures) + throttled.tally.failures
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
                 run_seed: int, progress: ProgressCallback, watch: _Watch):
        self.target = target
        self.raw_target = raw_target  # unwrapped: to build siblings with other credentials
        self.config = config
        self.selected = selected
        self.seed = run_seed
        self.progress = progress
        self.watch = watch
        self.scope = Scope(config)
        self.tally = Tally()
        self.model = Model(limits=config.limits)
        self.cut_short = False
        self.notes: dict[str, str] = {}
        self.excluded: dict[str, str] = {}  # id -> why this run's mode leaves it out
        self.not_applicable: dict[str, str] = {}  # id -> why its condition does not hold
        self.timed_out: set[str] = set()  # ids a check could not decide in its time cap
        self.run_notes: list[str] = []

    def session(self, *, raising: bool = False) -> Session:
        return Session(self.target, self.model, tally=self.tally, selected=self.selected,
                       raise_on_failure=raising)

    def wants(self, ids: frozenset[str]) -> bool:
        return bool(ids & self.selected)

    def database(self) -> Any:
        if self.config.database is None:
            return None
        from cogsync.settings import example_database

        return example_database(self.config.database)


def _applicable(probe: Probe, ctx: _Context) -> bool:
    return ctx.wants(probe.targets) and not (probe.invents_ids and ctx.scope.real)


def _run_probes(ctx: _Context) -> None:
    chosen = [p for p in PROBES if _applicable(p, ctx)]
    for index, probe in enumerate(chosen):
        ctx.progress(Progress("probes", index, len(chosen), probe.name))
        try:
            probe.run(Driver(ctx.session(), ctx.scope))
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

    ctx.tally.failures += search(strategy, example, max_examples=ctx.config.examples, run_seed=ctx.seed,
                                 database=ctx.database(), database_key=b"cogsync-programs",
                                 shrink_seconds=budget.shrink_seconds)


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

    ctx.tally.failures += search(negative_strategy(), example, max_examples=ctx.config.examples,
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
            ctx.tally.failures.append(concurrency.failure_from(verdict))
            break
    ctx.progress(Progress("concurrency", rounds, rounds, "done"))


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
    verdict = probe_signatures(ctx.raw_target, session, ctx.scope,
                               knows_bound_key=getattr(ctx.raw_target, "knows_bound_key", False))
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

    ctx.tally.failures += search(wirefuzz.strategy(), example, max_examples=examples, run_seed=ctx.seed,
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
    for pid, reason in {**CANNOT_CHECK, **ctx.not_applicable}.items():
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
