"""The parts of the contract that are data rather than properties, as Markdown tables.

The routes come from the committed OpenAPI document, the input constraints and the
limits from :mod:`cogsync.contracts.constraints` (both generated from botocore's
model), the verdicts from :class:`cogsync.conformance.results.Status`: the document
shows what the kit uses, never a restated copy.
"""

from __future__ import annotations

from cogsync.conformance.results import Status
from cogsync.contracts import constraints as C
from cogsync.contracts.schemas import load_openapi

_ORDER = ("UpdateRecords", "ListRecords", "DescribeDataset", "DeleteDataset", "ListDatasets")


def routes() -> list[str]:
    """Each operation's method, path and query members, and its success status."""
    found: dict[str, str] = {}
    for path, methods in load_openapi()["paths"].items():
        for method, spec in methods.items():
            query = [p["name"] for p in spec.get("parameters", []) if p["in"] == "query"]
            shown = path + ("?" + "&".join(f"{q}=" for q in query) if query else "")
            success = next(s for s in spec["responses"] if s.startswith("2"))
            found[spec["operationId"]] = f"| {spec['operationId']} | `{method.upper()} {shown}` | {success} |"
    return ["| call | method and path | success |", "|---|---|---|", *(found[op] for op in _ORDER)]


def _string(name: str, rule: C.StringConstraint) -> str:
    length = f"{rule.min_length} to {rule.max_length}" if rule.max_length is not None else f"at least {rule.min_length}"
    shown = rule.pattern
    if shown and shown.startswith("(?:") and shown.endswith(")"):
        shown = shown[3:-1]
    pattern = f"`{shown}`" if shown else "any"
    return f"| {name} | {length} | {pattern} |"


def input_constraints() -> list[str]:
    """The constraints VAL-1 and VAL-2 hold requests to (lengths count characters)."""
    count = C.SYNC_COUNT
    return [
        "| member | length | pattern (whole value) |",
        "|---|---|---|",
        _string("IdentityPoolId", C.IDENTITY_POOL_ID),
        _string("IdentityId", C.IDENTITY_ID),
        _string("DatasetName", C.DATASET_NAME),
        _string("DeviceId", C.DEVICE_ID),
        _string("RecordPatch Key", C.RECORD_KEY),
        _string("RecordPatch Value", C.RECORD_VALUE),
        f"| RecordPatch Op | one of {', '.join(C.OPERATIONS)} | |",
        f"| RecordPatch SyncCount | required, a long ({count.minimum} to {count.maximum}) | |",
    ]


def limits() -> list[str]:
    """The default limits (AWS raises them on request; ``cogsync serve`` takes others)."""
    lim = C.DEFAULT_LIMITS
    return [
        "| limit | default |",
        "|---|---|",
        f"| datasets per identity (LIM-1) | {lim.max_datasets_per_identity} |",
        f"| live records per dataset (LIM-2) | {lim.max_records_per_dataset} |",
        f"| UTF-8 bytes of keys and values per dataset (LIM-3) | {lim.max_dataset_bytes} |",
    ]


#: What each verdict of a run means for a property.
VERDICTS: dict[Status, str] = {
    Status.PASS: "at least one answer put it to the test (its witness) and none broke it",
    Status.FAIL: "an answer broke it; the report holds the shortest sequence found and scripts "
                 "that replay it",
    Status.WARN: "a SHOULD property broken under the documented profile",
    Status.FINDING: "a MAY property: what the server chose",
    Status.INCONCLUSIVE: "answers were throttled or timed out, or the run was cut short, before a verdict",
    Status.NOT_APPLICABLE: "a conditional property whose condition does not hold for this target",
    Status.NOT_RUN: "not selected, or no answer of the run put it to the test (for a MUST or SHOULD "
                    "property this makes the gate inconclusive)",
}


def verdicts() -> list[str]:
    return ["| verdict | meaning |", "|---|---|", *(f"| `{s.value}` | {VERDICTS[s]} |" for s in Status)]
