"""Real clients through `cogsync proxy` with lost requests, lost answers and duplicates.

The AWS JavaScript sync client (two devices, a conflict resolved in onConflict) and the AWS
CLI run their flows against `cogsync serve --storage sqlite:PATH`, through a `cogsync proxy`
with a fixed `KIND@N` schedule, and client timeouts shortened so a lost answer costs a
second. The server's final state, read directly (not through the proxy), must be what the
contract allows: every write a client saw succeed is there, a write whose answer was lost
may be there or not, and none is applied twice. Its dataset sync count is exactly the
number of UpdateRecords the server accepted: those the clients saw succeed plus those
whose acceptance the proxy kept from them (its log has every answer it withheld).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from .proxy_process import accepted_out_of_sight, assert_no_write_applied_twice, fault_log, proxied
from .test_js_sync_client import device_view, server_view

pytestmark = pytest.mark.slow

TIMEOUT_MS = 1000  # a lost answer costs the client this, then its one retry
NODE_TIMEOUT_S = 120
CLI_TIMEOUT_S = 60


# --- the JavaScript sync client ---------------------------------------------------------

#: Found by mapping the flow's requests (one fault-free run through the proxy):
#: 2 is the phone's first UpdateRecords, 5 a ListRecords of the tablet's first pull (its SDK
#: retry is 6), 10 the phone's remove. Later numbers depend on how the duplicate's race
#: went, so later faults land wherever the flow has got to.
JS_FAULTS = "drop-answer@2,drop-request@5,duplicate@10,duplicate@14,drop-answer@16"


@pytest.mark.parametrize("emulator", ["sqlite"], indirect=True)
def test_js_sync_client_two_devices_under_lost_answers_and_duplicates(
    node, js_client_dir, emulator, sync_client, ids, client_env, tmp_path
):
    log_path = tmp_path / "faults.jsonl"
    with proxied(emulator.url, JS_FAULTS, "--log", str(log_path)) as proxy:
        done = subprocess.run(
            [node, "two_devices.js", "--endpoint", proxy.url,
             "--identity-pool-id", ids.identity_pool_id, "--identity-id", ids.identity_id,
             "--dataset", ids.dataset_name,
             "--timeout-ms", str(TIMEOUT_MS), "--max-retries", "1", "--sync-attempts", "4"],
            cwd=js_client_dir, env=client_env, capture_output=True, text=True, timeout=NODE_TIMEOUT_S,
            check=False,
        )
        code, stderr = proxy.stop()
    assert code == 0, stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0 and events[-1]["event"] == "done", f"{events}\n{done.stderr}"
    log = fault_log(log_path)

    # The schedule hit what it was meant to: a lost UpdateRecords answer, a lost
    # ListRecords request, a duplicated UpdateRecords.
    hit = {(e["index"], e["kind"]): e["request"].split(" ")[0] for e in log}
    assert hit[2, "drop-answer"] == "POST" and hit[5, "drop-request"] == "GET"
    assert hit[10, "duplicate"] == "POST"
    assert_no_write_applied_twice(log)

    # The clients coped: the lost answer cost a retry that the server refused (its token
    # was spent), and the sync that followed found the write already there.
    updates = [e for e in events if e["event"] == "call" and e["operation"] == "updateRecords"]
    assert updates[0]["ok"] is False and updates[0]["retries"] == 1
    conflicts = [(c["device"], c["key"], c["local"], c["remote"], c["resolved"])
                 for c in events if c["event"] == "conflict"]
    assert ("tablet", "highScore", "20", "15", "20") in conflicts

    # No write lost, none doubled: the server's count is what the clients saw accepted
    # plus what the proxy kept from them.
    dataset_sync_count, records = server_view(sync_client, ids)
    believed = sum(1 for e in updates if e["ok"])
    assert dataset_sync_count == believed + accepted_out_of_sight(log)
    for update in (e for e in updates if e["ok"]):
        for record in update["records"]:  # an acknowledged write is there, or a later one is
            assert records[record["key"]][1] >= record["syncCount"]

    # And what the clients believe is the server's state.
    (final,) = [e for e in events if e["event"] == "final"]
    phone, tablet = final["phone"], final["tablet"]
    assert device_view(phone) == device_view(tablet) == records
    assert not [k for s in (phone, tablet) for k, r in s["records"].items() if r["modified"]]
    assert phone["lastSyncCount"] == tablet["lastSyncCount"] == dataset_sync_count
    assert (records["highScore"][0], records["level"][0], records["nickname"][0]) == ("20", "4", None)


# --- the AWS CLI ------------------------------------------------------------------------

#: Requests, one per CLI call with no fault: list, update k1, list, update k2, ...
#: 2: k1's update answer is lost (the CLI's retry, request 3, is refused: token spent);
#: 5: k2's update goes twice; 6: the list before k2's second write is lost (the CLI's
#: retry is 7); 8: that second write loses its answer (retry 9, refused).
CLI_FAULTS = "drop-answer@2,duplicate@5,drop-request@6,drop-answer@8"
WRITES = [("k1", "one"), ("k2", "two"), ("k2", "two again")]


@pytest.mark.parametrize("emulator", ["sqlite"], indirect=True)
def test_aws_cli_writes_under_lost_answers_and_duplicates(emulator, sync_client, ids, client_env, tmp_path):
    from .conftest import _require_tool

    aws = _require_tool("aws")
    env = {**client_env, "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2"}
    log_path = tmp_path / "faults.jsonl"
    with proxied(emulator.url, CLI_FAULTS, "--log", str(log_path)) as proxy:

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [aws, "cognito-sync", *args, *ids.cli_args, "--endpoint-url", proxy.url, "--output", "json",
                 "--cli-read-timeout", str(TIMEOUT_MS // 1000), "--cli-connect-timeout", str(TIMEOUT_MS // 1000)],
                env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
            )

        believed: dict[str, tuple[str, int]] = {}  # key -> (value, SyncCount) the CLI printed last
        accepted_seen = 0  # update-records calls the CLI reported succeeded
        unknown: list[tuple[str, str]] = []  # writes the CLI reported failed
        for key, value in WRITES:
            listed = cli("list-records")
            assert listed.returncode == 0, listed.stderr  # a lost request is retried by the CLI
            answer = json.loads(listed.stdout)
            count = {r["Key"]: r["SyncCount"] for r in answer.get("Records", [])}.get(key, 0)
            patch = f"Op=replace,Key={key},Value={value},SyncCount={count}"
            updated = cli("update-records", f"--sync-session-token={answer['SyncSessionToken']}",
                          "--record-patches", patch)
            if updated.returncode == 0:
                [record] = json.loads(updated.stdout)["Records"]
                believed[key] = (record["Value"], record["SyncCount"])
                accepted_seen += 1
            else:
                unknown.append((key, value))
        code, stderr = proxy.stop()
    assert code == 0, stderr
    log = fault_log(log_path)
    assert [(e["index"], e["kind"], e["request"].split(" ")[0]) for e in log] == [
        (2, "drop-answer", "POST"), (5, "duplicate", "POST"), (6, "drop-request", "GET"),
        (8, "drop-answer", "POST")]
    assert_no_write_applied_twice(log)
    # The lost answers: the CLI says those writes failed (the duplicated one may fail too,
    # when the client's copy lost the race to the other).
    assert ("k1", "one") in unknown and ("k2", "two again") in unknown
    assert set(unknown) <= {("k1", "one"), ("k2", "two"), ("k2", "two again")}

    # No write lost, none doubled: the count is what the CLI saw accepted plus what the
    # proxy kept from it.
    dataset_sync_count, records = server_view(sync_client, ids)
    assert dataset_sync_count == accepted_seen + accepted_out_of_sight(log)
    # Every write the CLI saw succeed is on the server as the CLI printed it (or a later one).
    for key, (value, sync_count) in believed.items():
        assert records[key][1] >= sync_count
        if records[key][1] == sync_count:
            assert records[key][0] == value
    # Every record there was written by someone: acknowledged, or among the unknown ones.
    for key, (value, _) in records.items():
        assert (value, key) in {(v, k) for k, v in WRITES}
        assert key in believed or key in {k for k, _ in unknown}
    # Each accepted UpdateRecords moved the count by one: distinct counts, none above the total.
    counts = sorted(sync_count for _, sync_count in records.values())
    assert len(set(counts)) == len(counts) and counts[-1] <= dataset_sync_count
