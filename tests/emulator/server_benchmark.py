"""Measure boto3 UpdateRecords+ListRecords pairs per second against three WSGI servers.

Run: ``/work/venv/bin/python tests/emulator/server_benchmark.py [SECONDS]``. Each
server runs in its own process (so client and server do not share a GIL); the
figure is the best of three interleaved runs of SECONDS (default 3). Not a test (the numbers
depend on the machine); the numbers that chose the server are in
``cogsync.emulator.server``'s docstring. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import multiprocessing
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import boto3
import botocore.config
import waitress.server

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.server import EmulatorServer
from cogsync.emulator.wire import CognitoSyncApp

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def wsgiref_server(app: CognitoSyncApp) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, _ThreadingWSGIServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def waitress_server(app: CognitoSyncApp) -> Iterator[str]:
    server = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()


@contextmanager
def cheroot_server(app: CognitoSyncApp) -> Iterator[str]:
    server = EmulatorServer(app)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def pairs_per_second(url: str, seconds: float, clients: int) -> float:
    done = [0] * clients

    def work(index: int) -> None:
        client = boto3.client(
            "cognito-sync", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="AKIDBENCH", aws_secret_access_key="secret",
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )
        scope = {"IdentityPoolId": POOL, "IdentityId": f"us-east-1:{index:08x}",
                 "DatasetName": "bench"}
        count = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            listing = client.list_records(**scope)
            client.update_records(
                **scope, SyncSessionToken=listing["SyncSessionToken"],
                RecordPatches=[{"Op": "replace", "Key": "k", "Value": str(count),
                                "SyncCount": listing["DatasetSyncCount"]}],
            )
            count += 1
        done[index] = count

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


SERVERS: dict[str, Callable[[CognitoSyncApp], Any]] = {
    "wsgiref": wsgiref_server, "waitress": waitress_server, "cheroot": cheroot_server,
}


def _serve(name: str, urls: Any, stop: Any) -> None:
    """Child process: serve until told to stop, so client and server do not share a GIL."""
    logging.getLogger("waitress").setLevel(logging.ERROR)
    with SERVERS[name](CognitoSyncApp(CognitoSyncBackend())) as url:
        urls.put(url)
        stop.wait()


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    urls: dict[str, str] = {}
    children = []
    for name in SERVERS:
        queue = context.Queue()
        child = context.Process(target=_serve, args=(name, queue, stop))
        child.start()
        children.append(child)
        urls[name] = queue.get(timeout=30)
    best: dict[tuple[str, int], float] = {}
    try:
        # Interleaved rounds, best of three: the machine is shared, and interleaving
        # spreads any outside load over every server alike.
        for _ in range(3):
            for clients in (1, 4):
                for name, url in urls.items():
                    rate = pairs_per_second(url, seconds, clients)
                    best[name, clients] = max(best.get((name, clients), 0.0), rate)
    finally:
        stop.set()
        for child in children:
            child.join(timeout=30)
    for (name, clients), rate in sorted(best.items()):
        print(f"{name:9s} clients={clients}: {rate:7.1f} pairs/s", flush=True)


if __name__ == "__main__":
    main()
