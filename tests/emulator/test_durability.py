"""SQLite durability: SIGKILL ``cogsync serve`` mid-load, restart on the same file, lose nothing.

Writers (one dataset each, so they never conflict) write batches of several keys
that all carry the same marker. After the kill and a restart on the same file:
every acknowledged batch is there (the marker is at least the last acknowledged
one), and no batch is half-applied (all keys of a dataset carry one marker, at the
dataset's sync count).
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from .conftest import POOL, make_client, new_identity
from .serve_process import served

WRITERS = 4
KEYS = tuple(f"key-{i}" for i in range(5))


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_DUR_1_acknowledged_writes_survive_sigkill_and_no_batch_is_torn(
    tmp_path: Path, attempt: int
) -> None:
    database = tmp_path / "durable.db"
    identity = new_identity()
    scopes = [{"IdentityPoolId": POOL, "IdentityId": identity, "DatasetName": f"writer-{i}"}
              for i in range(WRITERS)]
    acknowledged = [0] * WRITERS
    stop = threading.Event()

    with served("--storage", f"sqlite:{database}") as (url, process):
        def writer(index: int) -> None:
            client = make_client(url, connect_timeout=2, read_timeout=5)
            scope = scopes[index]
            marker = 0
            while not stop.is_set():
                marker += 1
                try:
                    listing = client.list_records(**scope)
                    counts = {r["Key"]: r["SyncCount"] for r in listing["Records"]}
                    client.update_records(
                        **scope, SyncSessionToken=listing["SyncSessionToken"],
                        RecordPatches=[{"Op": "replace", "Key": key, "Value": str(marker),
                                        "SyncCount": counts.get(key, 0)} for key in KEYS],
                    )
                except (BotoCoreError, ClientError):
                    return  # the server is gone: this batch was never acknowledged
                acknowledged[index] = marker

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while min(acknowledged) < 15 + 10 * attempt and time.monotonic() < deadline:
            time.sleep(0.01)  # load running; kill at a different point each attempt
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert min(acknowledged) > 0

    with served("--storage", f"sqlite:{database}") as (url, _):
        client = make_client(url)
        for index, scope in enumerate(scopes):
            listing: dict[str, Any] = client.list_records(**scope)
            markers = {r["Value"] for r in listing["Records"]}
            assert len(markers) == 1, f"torn batch in writer {index}: {markers}"
            marker = int(markers.pop())
            assert marker >= acknowledged[index]
            assert {r["SyncCount"] for r in listing["Records"]} == {listing["DatasetSyncCount"]}
            assert listing["DatasetSyncCount"] == marker  # one write per marker, none lost
