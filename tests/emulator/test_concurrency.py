"""CONF-6: eight threads race conflicting writes over HTTP; compare-and-set holds, nothing tears.

Each thread, each round: list the dataset, then write every key presenting the count
it saw, all keys with the same marker value. Afterwards: no 5xx (or anything but a
success or a 409), at most one winner per presented count, every key holding the
last winner's marker (no torn batch), and the dataset count equal to the number of
wins. Run against memory and SQLite storage.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.server import serve_in_thread
from cogsync.emulator.storage import MemoryStorage, SQLiteStorage

from .conftest import POOL, make_client, new_identity

THREADS = 8
ROUNDS = 12
KEYS = ("alpha", "beta", "gamma")


def _race(url: str) -> tuple[list[tuple[int, str]], list[str], dict[str, Any], dict[str, Any]]:
    scope = {"IdentityPoolId": POOL, "IdentityId": new_identity(), "DatasetName": "race"}
    wins: list[tuple[int, str]] = []  # (count presented, marker)
    unexpected: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)
    clients = [make_client(url, max_pool_connections=2) for _ in range(THREADS)]

    def device(index: int) -> None:
        client = clients[index]
        start.wait()
        for round_ in range(ROUNDS):
            listing = client.list_records(**scope)
            seen = {r["Key"]: r["SyncCount"] for r in listing["Records"]}
            presented = listing["DatasetSyncCount"]
            marker = f"device-{index}-round-{round_}"
            patches = [{"Op": "replace", "Key": key, "Value": marker,
                        "SyncCount": seen.get(key, 0)} for key in KEYS]
            try:
                client.update_records(**scope, SyncSessionToken=listing["SyncSessionToken"],
                                      RecordPatches=patches)
            except ClientError as error:
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                if status != 409:
                    with lock:
                        unexpected.append(f"{status} {error.response['Error']}")
                continue
            except Exception as error:  # a reset connection, a 5xx botocore gave up on
                with lock:
                    unexpected.append(repr(error))
                continue
            with lock:
                wins.append((presented, marker))

    threads = [threading.Thread(target=device, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    final = make_client(url).list_records(**scope)
    dataset = make_client(url).describe_dataset(**scope)["Dataset"]
    return wins, unexpected, final, dataset


@pytest.mark.parametrize("storage_kind", ["memory", "sqlite"])
def test_CONF_6_racing_writers_behave_as_compare_and_set(storage_kind: str, tmp_path: Path) -> None:
    storage = MemoryStorage() if storage_kind == "memory" else SQLiteStorage(tmp_path / "race.db")
    try:
        with serve_in_thread(backend=CognitoSyncBackend(storage)) as url:
            wins, unexpected, final, dataset = _race(url)
    finally:
        storage.close()
    assert unexpected == []
    presented = Counter(count for count, _ in wins)
    assert all(n == 1 for n in presented.values()), presented  # one winner per count
    assert sorted(presented) == list(range(len(wins)))  # each win took N to N+1
    assert len(wins) >= ROUNDS  # someone won every round at least
    assert final["DatasetSyncCount"] == len(wins)
    last_marker = max(wins)[1]
    values = {r["Key"]: (r["Value"], r["SyncCount"]) for r in final["Records"]}
    assert values == {key: (last_marker, len(wins)) for key in KEYS}  # no torn batch
    assert dataset["NumRecords"] == len(KEYS)
