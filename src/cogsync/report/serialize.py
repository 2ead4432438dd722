"""RunResult to plain JSON-able data and back (the JSON report, replay, diff)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cogsync.conformance.results import FaultReport, PropertyResult, RunResult, Status
from cogsync.contracts.calls import Call, Err, Ok, Outcome, Unknown
from cogsync.contracts.constraints import Limits
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.properties import Level
from cogsync.targets.description import TargetDescription

FORMAT_VERSION = 2  # 2: per-property "witnesses" (was "examples") and "excluded"


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    return asdict(outcome)


def outcome_from_dict(data: dict[str, Any]) -> Outcome:
    kind = data.get("kind")
    fields = {k: v for k, v in data.items() if k != "kind"}
    if kind == "ok":
        return Ok(**fields)
    if kind == "err":
        return Err(**fields)
    if kind == "unknown":
        return Unknown(**fields)
    raise ValueError(f"not an outcome: {data!r}")


def sent_call_to_dict(sent: SentCall) -> dict[str, Any]:
    return {
        "client": sent.client,
        "operation": sent.call.operation,
        "params": sent.call.params,
        "outcome": outcome_to_dict(sent.outcome),
    }


def sent_call_from_dict(data: dict[str, Any]) -> SentCall:
    return SentCall(
        call=Call(data["operation"], dict(data["params"])),
        outcome=outcome_from_dict(data["outcome"]),
        client=int(data.get("client", 0)),
    )


def failure_to_dict(failure: Failure) -> dict[str, Any]:
    return {
        "property_id": failure.property_id,
        "title": failure.title,
        "expected": failure.expected,
        "received": failure.received,
        "steps": [sent_call_to_dict(s) for s in failure.steps],
        "hypothesis_blob": failure.hypothesis_blob,
    }


def failure_from_dict(data: dict[str, Any]) -> Failure:
    blob = data.get("hypothesis_blob")
    if blob is None and isinstance(data.get("reproduction"), dict):  # reports written before the blob moved
        blob = data["reproduction"].get("hypothesis_blob")
    return Failure(
        property_id=data["property_id"],
        title=data["title"],
        expected=data.get("expected", ""),
        received=data.get("received", ""),
        steps=tuple(sent_call_from_dict(s) for s in data.get("steps", [])),
        hypothesis_blob=blob,
    )


def description_from_dict(data: Any) -> TargetDescription | None:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return None
    fields = {k: data[k] for k in ("name", "region", "endpoint_url", "in_process", "embedded") if k in data}
    return TargetDescription(**fields)


def run_to_dict(run: RunResult) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "tool": "cogsync",
        "target": run.target,
        "profile": run.profile,
        "budget": run.budget,
        "seed": run.seed,
        "duration_seconds": round(run.duration, 3),
        "command": run.command,
        "exit_code": run.exit_code,
        "counts": run.counts(),
        "notes": list(run.notes),
        "target_description": asdict(run.target_description) if run.target_description else None,
        "limits": asdict(run.limits),
        "faults": _faults_to_dict(run.faults),
        "properties": [
            {
                "id": r.property_id,
                "level": r.level.value,
                "status": r.status.value,
                "witnesses": r.witnesses,
                "excluded": r.excluded,
                "findings": list(r.findings),
                "note": r.note,
                "failures": [failure_to_dict(f) for f in r.failures],
            }
            for r in run.results.values()
        ],
    }


def run_from_dict(data: dict[str, Any]) -> RunResult:
    if data.get("tool") != "cogsync" or data.get("format") != FORMAT_VERSION:
        raise ValueError(f"not a cogsync JSON report (format {FORMAT_VERSION})")
    results = {}
    for entry in data["properties"]:
        results[entry["id"]] = PropertyResult(
            property_id=entry["id"],
            level=Level(entry["level"]),
            status=Status(entry["status"]),
            witnesses=int(entry["witnesses"]),
            failures=[failure_from_dict(f) for f in entry.get("failures", [])],
            findings=list(entry.get("findings", [])),
            note=entry.get("note", ""),
            excluded=entry.get("excluded", ""),
        )
    return RunResult(
        target=data["target"],
        profile=data["profile"],
        seed=data.get("seed"),
        budget=data.get("budget", ""),
        results=results,
        duration=float(data.get("duration_seconds", 0.0)),
        selected=tuple(results),
        command=data.get("command", ""),
        notes=list(data.get("notes", [])),
        target_description=description_from_dict(data.get("target_description")),
        limits=Limits(**data["limits"]) if isinstance(data.get("limits"), dict) else Limits(),
        faults=_faults_from_dict(data.get("faults")),
    )


def _faults_to_dict(faults: FaultReport | None) -> dict[str, Any] | None:
    """The ``faults`` member: the SPEC, every injected fault, the answers left unknown."""
    if faults is None:
        return None
    return {"spec": faults.spec, "requests": faults.requests, "unknown_answers": faults.unknown_answers,
            "summary": faults.summary(), "injected": [dict(f) for f in faults.injected]}


def _faults_from_dict(data: Any) -> FaultReport | None:
    if not isinstance(data, dict) or not isinstance(data.get("spec"), str):
        return None
    return FaultReport(data["spec"], [dict(f) for f in data.get("injected", []) if isinstance(f, dict)],
                       int(data.get("unknown_answers", 0)), int(data.get("requests", 0)))
