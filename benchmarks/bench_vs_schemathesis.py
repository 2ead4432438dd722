"""cogsync against schemathesis, side by side, on the correct emulator and every mutant.

For the reference emulator and each mutant of :data:`cogsync.mutants.CATALOG`, in one run:

- **schemathesis**: the installed CLI, its default phases and checks, over
  ``contracts/openapi.json`` with a fixed ``--seed`` and ``--max-examples``, against
  the app served over HTTP on 127.0.0.1 (unsigned requests: the unsigned apps accept
  them). A mutant is killed by schemathesis when its run reports a failure kind, a
  check's code and the operation it failed on (``ST202 GET /.../records``), that
  the run on the correct emulator (same seed; the signed one for signed mutants) did
  not report. The reference's own kinds are schemathesis's false positives.
- **cogsync**: the engine of ``cogsync verify --budget quick --seed N``, every
  property, against the app in this process (``--cogsync-transport http``: served on
  127.0.0.1). A mutant is killed when a property fails; a failure on the reference
  is a false positive.

Then a sweep of cogsync over ``--seeds`` (the first one is the side-by-side run):
the set killed per seed, and per mutant the seeds that killed it (concurrency-only
mutants are expected to vary; their detection rate is shown).

Every run is a task in a pool of ``--jobs`` processes (2: both cores); progress goes
to stderr, the Markdown report to stdout (and ``--markdown FILE``), the raw results
to ``--json FILE``.

Run: ``python benchmarks/bench_vs_schemathesis.py`` (``--mutants 'count-*,token-*'``,
``--seeds 5`` or ``--seeds 1,2,3``, ``--jobs 2``, ``--max-examples 100``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fnmatch
import json
import logging
import multiprocessing
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "contracts" / "openapi.json"
DEFAULT_SEED = 20240601
REFERENCE = "reference"
SIGNED_REFERENCE = "reference-with-signatures"
TOOLS = ("schemathesis", "cogsync")
SCHEMATHESIS_TIMEOUT = 900  # seconds for one schemathesis run before it counts as an error


@dataclass(frozen=True)
class Task:
    tool: str
    app: str  # a mutant's name, or REFERENCE / SIGNED_REFERENCE
    seed: int


@dataclass
class Outcome:
    """What one tool reported on one app: failure kinds (schemathesis) or failed ids (cogsync)."""

    tool: str
    app: str
    seed: int
    kinds: list[str]
    seconds: float
    excerpts: dict[str, str] = field(default_factory=dict)  # kind -> schemathesis's text
    error: str | None = None
    budget: str = ""  # schemathesis's --max-examples, or cogsync's budget and transport
    commit: str = ""  # the code that produced it (a resumed run may mix several)

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.tool, self.app, self.seed, self.budget)


def budget_of(tool: str, max_examples: int, transport: str) -> str:
    return f"--max-examples {max_examples}" if tool == "schemathesis" else f"quick {transport}"


def revision() -> str:
    """The checked-out commit, ``+dirty`` when the code differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "src", "contracts", "strategies", "benchmarks")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if changed else "")


# -- schemathesis ---------------------------------------------------------------------------

_OPERATION = re.compile(r"^[_ ]*((?:GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) /\S*)[_ ]*$")
_CHECK = re.compile(r"^- (ST\d+) ")
_CASE = re.compile(r"^\d+\. Test Case ID: ")


def schemathesis_kinds(report: dict[str, Any]) -> set[str]:
    """Failure kinds of a schemathesis JSON report: ``"<code> <operation>"``, errors by title."""
    kinds = {f"{group['code']} {operation}"
             for group in report.get("failures", []) for operation in group.get("operations", [])}
    kinds |= {f"error: {group['title']}" for group in report.get("errors", [])}
    return kinds


def schemathesis_excerpts(output: str) -> dict[str, str]:
    """Kind -> the first test case schemathesis printed for it (check, answer, curl)."""
    excerpts: dict[str, str] = {}
    section = output.split(" FAILURES ===", 1)
    if len(section) < 2:
        return excerpts
    body = section[1].split("\n", 1)[-1]  # past the rest of the banner
    operation = ""
    case: list[str] = []

    def flush() -> None:
        text = "\n".join(case).strip()
        for line in case:
            check = _CHECK.match(line)
            if check and operation:
                excerpts.setdefault(f"{check.group(1)} {operation}", text)

    for line in body.splitlines():
        header = _OPERATION.match(line)
        if line.startswith("====") or header or _CASE.match(line):
            flush()
            case = [line] if _CASE.match(line) else []
            if header:
                operation = header.group(1)
            if line.startswith("===="):
                break
            continue
        case.append(line.rstrip())
    flush()
    return excerpts


def schemathesis_version() -> str:
    answer = subprocess.run([*_schemathesis(), "--version"], capture_output=True, text=True, check=True)
    return answer.stdout.strip().rsplit(" ", 1)[-1]


def _schemathesis() -> list[str]:
    return [str(Path(sys.executable).with_name("schemathesis"))]


def schemathesis_command(url: str, seed: int, max_examples: int, report: Path) -> list[str]:
    """Default phases and checks; only the seed, the budget and the report are fixed."""
    return [*_schemathesis(), "run", str(SCHEMA), "--url", url, "--seed", str(seed),
            "--max-examples", str(max_examples), "--workers", "1", "--no-color", "--output-sanitize", "false",
            "--report", "json", "--report-json-path", str(report)]


def run_schemathesis(app: str, seed: int, max_examples: int) -> Outcome:
    """schemathesis against ``app`` served on 127.0.0.1, in a fresh directory (no example db)."""
    from cogsync.emulator.server import EmulatorServer

    server = EmulatorServer(build(app), "127.0.0.1", 0)
    server.start()
    began = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="vs-schemathesis-") as workdir:
            report = Path(workdir) / "report.json"
            try:
                answer = subprocess.run(schemathesis_command(server.url, seed, max_examples, report),
                                        cwd=workdir, capture_output=True, text=True,
                                        timeout=SCHEMATHESIS_TIMEOUT)
            except subprocess.TimeoutExpired:
                return Outcome("schemathesis", app, seed, [], time.perf_counter() - began,
                               error=f"no answer in {SCHEMATHESIS_TIMEOUT} s")
            seconds = time.perf_counter() - began
            if not report.exists():
                tail = (answer.stderr or answer.stdout).strip().splitlines()[-1:]
                return Outcome("schemathesis", app, seed, [], seconds,
                               error=f"exit {answer.returncode}, no report: {' '.join(tail)}")
            kinds = schemathesis_kinds(json.loads(report.read_text()))
            return Outcome("schemathesis", app, seed, sorted(kinds), seconds,
                           excerpts=schemathesis_excerpts(answer.stdout))
    finally:
        server.stop()


# -- cogsync --------------------------------------------------------------------------------

def build(app: str) -> Any:
    from cogsync.mutants import get, reference, reference_with_signatures

    if app == REFERENCE:
        return reference()
    if app == SIGNED_REFERENCE:
        return reference_with_signatures()
    return get(app).build()


def signed(app: str) -> bool:
    from cogsync.mutants import get

    return app == SIGNED_REFERENCE or (app != REFERENCE and get(app).signed)


@contextlib.contextmanager
def cogsync_target(app: str, transport: str) -> Iterator[Any]:
    """The target ``cogsync verify`` would build: signed apps get the run key, as embedded."""
    from cogsync.conformance.auth import RUN_KEY
    from cogsync.emulator.server import EmulatorServer
    from cogsync.targets import HttpTarget, InProcessTarget

    credentials = RUN_KEY if signed(app) else ("cogsync", "unsigned-app")
    if transport == "in-process":
        target: Any = InProcessTarget(build(app), credentials=credentials)
        target.knows_bound_key = signed(app)
        yield target
        return
    server = EmulatorServer(build(app), "127.0.0.1", 0)
    server.start()
    try:
        target = HttpTarget(server.url, credentials=credentials)
        target.knows_bound_key = signed(app)
        yield target
    finally:
        server.stop()


def run_cogsync(app: str, seed: int, transport: str) -> Outcome:
    from cogsync.conformance.config import RunConfig
    from cogsync.conformance.engine import run
    from cogsync.conformance.results import Status

    began = time.perf_counter()
    try:
        with cogsync_target(app, transport) as target, contextlib.redirect_stdout(sys.stderr):
            result = run(target, RunConfig(budget="quick", seed=seed))
    except Exception as exc:  # noqa: BLE001 - an engine crash is a measurement too
        return Outcome("cogsync", app, seed, [], time.perf_counter() - began,
                       error=f"{type(exc).__name__}: {exc}")
    failed = sorted(pid for pid, entry in result.results.items() if entry.status is Status.FAIL)
    return Outcome("cogsync", app, seed, failed, time.perf_counter() - began)


def perform(task: Task, max_examples: int, transport: str, commit: str) -> Outcome:
    """One task, in a pool process (the mutants' 500s are expected: their logs are muted)."""
    logging.getLogger("cogsync.emulator").setLevel(logging.CRITICAL)
    if task.tool == "schemathesis":
        outcome = run_schemathesis(task.app, task.seed, max_examples)
    else:
        outcome = run_cogsync(task.app, task.seed, transport)
    outcome.budget, outcome.commit = budget_of(task.tool, max_examples, transport), commit
    return outcome


# -- verdicts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdicts:
    """Who killed what, at the side-by-side seed, and the cogsync sweep."""

    apps: list[str]  # mutants, in catalog order
    schemathesis: dict[str, list[str]]  # mutant -> kinds new against its reference
    cogsync: dict[str, list[str]]  # mutant -> failed ids at the first seed
    false_positives: dict[str, dict[str, list[str]]]  # tool -> reference -> kinds / ids
    sweep: dict[int, list[str]]  # seed -> mutants cogsync killed


def baseline_of(app: str) -> str:
    return SIGNED_REFERENCE if signed(app) else REFERENCE


def decide(outcomes: Iterable[Outcome], apps: Sequence[str], seeds: Sequence[int]) -> Verdicts:
    found = {(o.tool, o.app, o.seed): o for o in outcomes}
    first = seeds[0]
    references = (REFERENCE, SIGNED_REFERENCE)
    schemathesis: dict[str, list[str]] = {}
    for app in apps:
        base = set(found["schemathesis", baseline_of(app), first].kinds)
        schemathesis[app] = sorted(set(found["schemathesis", app, first].kinds) - base)
    return Verdicts(
        apps=list(apps),
        schemathesis=schemathesis,
        cogsync={app: found["cogsync", app, first].kinds for app in apps},
        false_positives={
            "schemathesis": {r: found["schemathesis", r, first].kinds for r in references},
            "cogsync": {r: sorted({k for s in seeds for k in found["cogsync", r, s].kinds})
                        for r in references},
        },
        sweep={s: [app for app in apps if found["cogsync", app, s].kinds] for s in seeds},
    )


# -- report ---------------------------------------------------------------------------------

def markdown(verdicts: Verdicts, outcomes: Sequence[Outcome], *, version: str,
             seeds: Sequence[int], max_examples: int, transport: str, command: str) -> str:
    from cogsync.mutants import get

    apps = verdicts.apps
    by_s = {a for a, kinds in verdicts.schemathesis.items() if kinds}
    by_c = {a for a, ids in verdicts.cogsync.items() if ids}
    seconds = {tool: sum(o.seconds for o in outcomes if o.tool == tool and o.seed == seeds[0])
               for tool in TOOLS}
    fp = {tool: sum(len(v) for v in verdicts.false_positives[tool].values()) for tool in TOOLS}
    commits = sorted({o.commit for o in outcomes})
    made_by = ", ".join(f"{c} ({sum(o.commit == c for o in outcomes)})" for c in commits)
    lines = [
        f"Runs made at commit(s) {made_by}.",
        "",
        f"`{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python "
        f"{platform.python_version()}; seed {seeds[0]}; schemathesis {version}: default phases "
        f"and checks, `--max-examples {max_examples}`, over HTTP; cogsync: `verify --budget "
        f"quick`, every property, {transport})",
        "",
        "| | schemathesis " + version + " | cogsync quick |",
        "|---|---|---|",
        f"| mutants killed (of {len(apps)}) | {len(by_s)} | {len(by_c)} |",
        f"| killed only by this tool | {len(by_s - by_c)} | {len(by_c - by_s)} |",
        f"| false positives on the correct emulators (kinds / ids, every seed run) | "
        f"{fp['schemathesis']} | {fp['cogsync']} |",
        f"| wall time at seed {seeds[0]}: the catalog and both references, run by run (s) | "
        f"{seconds['schemathesis']:.0f} | {seconds['cogsync']:.0f} |",
        "",
        f"Killed only by schemathesis: {', '.join(sorted(by_s - by_c)) or 'none'}.",
        "",
        "Wall time is the sum of each run's own wall time (schemathesis: its CLI against the app "
        "served in the pool process; cogsync: the engine's run), with two runs at a time on a "
        "machine shared with other work: compare the two columns, not absolute figures.",
        "",
    ]
    for tool in TOOLS:
        for reference, kinds in verdicts.false_positives[tool].items():
            lines.append(f"{tool} on `{reference}`: {'; '.join(kinds) or 'no failure'}.")
    lines += ["", "| mutant | schemathesis: new failure kinds | cogsync: failed ids |", "|---|---|---|"]
    for app in apps:
        lines.append(f"| {app} | {'<br>'.join(verdicts.schemathesis[app]) or '-'} | "
                     f"{' '.join(verdicts.cogsync[app]) or '**survived**'} |")
    errors = [o for o in outcomes if o.error]
    lines += [""] + [f"- error: {o.tool} on {o.app} (seed {o.seed}): {o.error}" for o in errors]
    lines += ["", f"cogsync `verify --budget quick` over {len(seeds)} seeds:", "",
              "| seed | killed | survivors |", "|---|---|---|"]
    for seed, killed in verdicts.sweep.items():
        survivors = [a for a in apps if a not in killed]
        lines.append(f"| {seed} | {len(killed)}/{len(apps)} | {', '.join(survivors) or '-'} |")
    sets = {frozenset(k) for k in verdicts.sweep.values()}
    varying = sorted({a for k in verdicts.sweep.values() for a in k} - frozenset.intersection(*sets))
    lines += ["", f"Same set under every seed: {'yes' if len(sets) == 1 else 'NO'}."]
    concurrency = [a for a in apps if get(a).concurrency_only]
    for app in sorted(set(varying) | set(concurrency)):
        rate = sum(app in k for k in verdicts.sweep.values())
        kind = "concurrency-only" if app in concurrency else "NOT concurrency-only"
        lines.append(f"- {app} ({kind}): detected under {rate} of {len(seeds)} seeds.")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def excerpt_of(kind: str, printed: dict[str, str]) -> str:
    """The test case printed for ``kind``; a stateful failure is printed under the operation
    that failed, so then the first of the same check code."""
    code = kind.split(" ", 1)[0]
    same_code = [text for printed_kind, text in printed.items() if printed_kind.startswith(code + " ")]
    return printed.get(kind) or (same_code[0] if same_code else "(not printed)")


def findings(verdicts: Verdicts, outcomes: Sequence[Outcome], seed: int) -> str:
    """For each mutant schemathesis kills: its new kinds, as schemathesis printed them."""
    printed = {o.app: o.excerpts for o in outcomes if o.tool == "schemathesis" and o.seed == seed}
    lines = ["# What schemathesis reports on the mutants it kills", ""]
    for app in verdicts.apps:
        if not verdicts.schemathesis[app]:
            continue
        caught = " ".join(verdicts.cogsync[app]) or "nothing: cogsync MISSES it"
        lines += [f"## {app} (cogsync quick: {caught})", ""]
        for kind in verdicts.schemathesis[app]:
            lines += [f"### {kind}", "", "```", excerpt_of(kind, printed[app]), "```", ""]
    return "\n".join(lines)


# -- running --------------------------------------------------------------------------------

def chosen_mutants(globs: str) -> list[str]:
    from cogsync.errors import UsageError
    from cogsync.mutants import CATALOG

    patterns = [g.strip() for g in globs.split(",") if g.strip()] or ["*"]
    names = [m.name for m in CATALOG if any(fnmatch.fnmatchcase(m.name, p) for p in patterns)]
    if not names:
        raise UsageError(f"--mutants {globs!r} matches no mutant; `cogsync mutants` lists them")
    return names


def chosen_seeds(text: str) -> list[int]:
    from cogsync.errors import UsageError

    try:
        parts = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise UsageError(f"--seeds {text!r}: give a count (5) or seeds (1,2,3)") from None
    if len(parts) == 1 and "," not in text:
        if parts[0] < 1:
            raise UsageError(f"--seeds {text}: at least 1")
        return [DEFAULT_SEED + i for i in range(parts[0])]
    return parts


def tasks_for(apps: Sequence[str], seeds: Sequence[int]) -> list[Task]:
    """The side-by-side tasks first (schemathesis, the slow ones, leading), then the sweep."""
    every = [REFERENCE, SIGNED_REFERENCE, *apps]
    first = [Task(tool, app, seeds[0]) for tool in TOOLS for app in every]
    return first + [Task("cogsync", app, seed) for seed in seeds[1:] for app in every]


def load_log(path: Path) -> dict[tuple[str, str, int, str], Outcome]:
    """The outcomes a ``--resume`` log holds (one JSON object a line), by task and budget."""
    if not path.exists():
        return {}
    outcomes = [Outcome(**json.loads(line)) for line in path.read_text().splitlines() if line]
    return {o.key: o for o in outcomes}


def run_all(tasks: Sequence[Task], *, jobs: int, max_examples: int, transport: str,
            log: Path | None = None) -> list[Outcome]:
    """Every task's outcome; those already in ``log`` are reused, new ones appended to it."""
    done = load_log(log) if log else {}
    outcomes = [done[k] for t in tasks
                if (k := (t.tool, t.app, t.seed, budget_of(t.tool, max_examples, transport))) in done]
    todo = [t for t in tasks if (t.tool, t.app, t.seed, budget_of(t.tool, max_examples, transport))
            not in done]
    if outcomes:
        print(f"{len(outcomes)} outcomes reused from {log}", file=sys.stderr)
    began, commit = time.perf_counter(), revision()
    if not todo:
        return outcomes
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        pending = {pool.submit(perform, t, max_examples, transport, commit): t for t in todo}
        for future in concurrent.futures.as_completed(pending):
            outcome = future.result()
            outcomes.append(outcome)
            if log:
                with log.open("a") as appended:
                    appended.write(json.dumps(asdict(outcome)) + "\n")
            shown = outcome.error or (", ".join(outcome.kinds) if outcome.kinds else "no failure")
            print(f"[{len(outcomes)}/{len(tasks)} {time.perf_counter() - began:.0f}s] "
                  f"{outcome.tool} {outcome.app} seed {outcome.seed} ({outcome.seconds:.1f} s): "
                  f"{shown[:160]}", file=sys.stderr, flush=True)
    return outcomes


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", default="*", help="comma-separated globs (default: all)")
    parser.add_argument("--seeds", default="5", help=f"a count (from {DEFAULT_SEED}) or seeds, e.g. 1,2,3")
    parser.add_argument("--jobs", type=int, default=2, help="processes in the pool (default 2)")
    parser.add_argument("--max-examples", type=int, default=100,
                        help="schemathesis's budget per operation (default 100, its own default)")
    parser.add_argument("--cogsync-transport", default="in-process", choices=("in-process", "http"))
    parser.add_argument("--markdown", metavar="FILE", help="also write the report here")
    parser.add_argument("--json", metavar="FILE", help="write every outcome here")
    parser.add_argument("--resume", metavar="FILE",
                        help="a log of outcomes (JSON lines): those in it are reused, new ones "
                        "appended, so an interrupted run picks up where it stopped")
    parser.add_argument("--findings", metavar="FILE",
                        help="write what schemathesis printed for each mutant it kills")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from cogsync.errors import UsageError

    options = parse(argv)
    try:
        apps, seeds = chosen_mutants(options.mutants), chosen_seeds(options.seeds)
        if options.jobs < 1:
            raise UsageError(f"--jobs {options.jobs}: at least 1")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 3
    version = schemathesis_version()
    tasks = tasks_for(apps, seeds)
    print(f"{len(tasks)} runs ({len(apps)} mutants, seeds {seeds}) in {options.jobs} processes",
          file=sys.stderr)
    outcomes = run_all(tasks, jobs=options.jobs, max_examples=options.max_examples,
                       transport=options.cogsync_transport,
                       log=Path(options.resume) if options.resume else None)
    verdicts = decide(outcomes, apps, seeds)
    command = " ".join(["python benchmarks/bench_vs_schemathesis.py",
                        *(sys.argv[1:] if argv is None else argv)])
    report = markdown(verdicts, outcomes, version=version, seeds=seeds,
                      max_examples=options.max_examples, transport=options.cogsync_transport,
                      command=command)
    print(report)
    if options.markdown:
        Path(options.markdown).write_text(report)
    if options.findings:
        Path(options.findings).write_text(findings(verdicts, outcomes, seeds[0]))
    if options.json:
        Path(options.json).write_text(json.dumps(
            {"command": command, "schemathesis": version, "seeds": seeds,
             "verdicts": asdict(verdicts), "outcomes": [asdict(o) for o in outcomes]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
