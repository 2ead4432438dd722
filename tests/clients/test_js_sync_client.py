"""The AWS JavaScript sync client (amazon-cognito-js on aws-sdk v2, Node.js) against
`cogsync serve`: two devices, a conflict resolved in onConflict, and both devices ending
with what the server holds (read back through boto3).

The Node script is tests/clients/js/two_devices.js; it prints one JSON object per line.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

NODE_TIMEOUT_S = 120


def run_two_devices(
    node: str, js_dir: Path, url: str, ids: Any, env: dict[str, str]
) -> list[dict[str, Any]]:
    done = subprocess.run(
        [
            node, "two_devices.js",
            "--endpoint", url,
            "--identity-pool-id", ids.identity_pool_id,
            "--identity-id", ids.identity_id,
            "--dataset", ids.dataset_name,
        ],
        cwd=js_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    events = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0, f"node exited {done.returncode}: {events}\n{done.stderr}"
    assert events and events[-1]["event"] == "done", events
    assert not [e for e in events if e["event"] == "blocked_connection"], events
    return events


def server_view(sync_client: Any, ids: Any) -> tuple[int, dict[str, tuple[str | None, int]]]:
    listed = sync_client.list_records(**ids.boto3_params)
    records = {r["Key"]: (r.get("Value"), r["SyncCount"]) for r in listed["Records"]}
    return listed["DatasetSyncCount"], records


def device_view(snapshot: dict[str, Any]) -> dict[str, tuple[str | None, int]]:
    return {k: (r["value"], r["syncCount"]) for k, r in snapshot["records"].items()}


@pytest.mark.parametrize("emulator", ["memory", "sqlite"], indirect=True)
def test_js_sync_client_two_devices_resolve_a_conflict(
    node, js_client_dir, emulator, sync_client, ids, client_env
):
    events = run_two_devices(node, js_client_dir, emulator.url, ids, client_env)
    (client,) = [e for e in events if e["event"] == "client"]
    assert int(client["node"].lstrip("v").split(".")[0]) >= 20
    assert client["amazonCognitoJs"] == "1.1.0"
    assert client["awsSdk"].startswith("2.")
    synced = {(e["device"], e["step"]): e for e in events if e["event"] == "synced"}

    # The tablet's first sync pulled exactly what the phone wrote.
    assert device_view(synced["tablet", "first-pull"]) == device_view(
        synced["phone", "first-write"]
    )
    # The phone's remove reached the tablet as a deletion (tombstone), not as a value.
    assert synced["tablet", "remove-pull"]["records"]["nickname"]["value"] is None

    # The tablet's sync after both edited highScore went through onConflict, once.
    conflicts = [e for e in events if e["event"] == "conflict"]
    assert [(c["device"], c["key"], c["local"], c["remote"]) for c in conflicts] == [
        ("tablet", "highScore", "20", "15")
    ]
    assert conflicts[0]["resolved"] == "20"  # merged by max
    phone_edit_count = synced["phone", "edit"]["records"]["highScore"]["syncCount"]
    assert conflicts[0]["remoteSyncCount"] == phone_edit_count

    # Both devices end with the same records, nothing left unsynced, equal to the server.
    (final,) = [e for e in events if e["event"] == "final"]
    phone, tablet = final["phone"], final["tablet"]
    assert device_view(phone) == device_view(tablet)
    assert not [k for s in (phone, tablet) for k, r in s["records"].items() if r["modified"]]
    dataset_sync_count, records = server_view(sync_client, ids)
    assert device_view(phone) == records
    assert records["highScore"][0] == "20"
    assert records["level"][0] == "4"
    assert records["nickname"][0] is None
    # The merge was one more write on top of the phone's edit.
    assert dataset_sync_count == phone_edit_count + 1
    assert phone["lastSyncCount"] == tablet["lastSyncCount"] == dataset_sync_count
