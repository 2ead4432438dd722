"""Run the reference emulator over HTTP until SIGINT or SIGTERM.

On ready it prints exactly one line to stdout, ``cogsync emulator listening on
http://HOST:PORT`` (``--port 0`` picks a free port and prints the real one), and
exits 0 when stopped by SIGINT or SIGTERM. A bad option is a one-line reason on
stderr and exit 3.

``--app module:factory`` serves any WSGI app instead (a mutant such as
cogsync.mutants:stale_replace_accepted, or your own server), the factory called
once, over the same HTTP server; the emulator's own options do not apply to it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cogsync.commands.signals import stop_requested
from cogsync.errors import UsageError
from cogsync.options import port_number

_MIB = 1024 * 1024


def _credential(text: str) -> tuple[str, str, str | None]:
    access_key, _, rest = text.partition(":")
    secret, _, identity = rest.partition(":")
    if not access_key or not secret:
        raise argparse.ArgumentTypeError(
            f"--credential={text!r} is not allowed: it must be ACCESS_KEY:SECRET[:IDENTITY_ID]"
        )
    return access_key, secret, identity or None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


#: The reference emulator's options, with their defaults: none of them applies to --app.
_EMULATOR_OPTIONS = {"storage": "memory", "max_datasets": 20, "max_records": 1024,
                     "max_dataset_bytes": _MIB, "max_body_bytes": None, "token_ttl": None,
                     "credential": [], "choices": "reference"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--app", metavar="MODULE:FACTORY", default=None,
                        help="serve this WSGI app instead of the reference emulator: a factory returning"
                             " one (or an object with .wsgi_app), e.g. a mutant,"
                             " cogsync.mutants:stale_replace_accepted")
    parser.add_argument("--port", type=port_number, default=0,
                        help="port to bind; 0 (the default) picks a free one")
    parser.add_argument("--storage", default="memory",
                        help="'memory' (default) or 'sqlite:PATH' (survives restarts)")
    limits = parser.add_argument_group("limits (LIM-1 to LIM-4 in docs/contract.md; cogsync explain LIM-1)")
    limits.add_argument("--max-datasets", type=_positive, default=20, metavar="N",
                        help="datasets per identity (default 20)")
    limits.add_argument("--max-records", type=_positive, default=1024, metavar="N",
                        help="live records per dataset (default 1024)")
    limits.add_argument("--max-dataset-bytes", type=_positive, default=_MIB, metavar="BYTES",
                        help="UTF-8 bytes of keys and values per dataset (default 1048576)")
    limits.add_argument("--max-body-bytes", type=_positive, default=None, metavar="BYTES",
                        help="largest request body accepted (default 8 MiB, or more when"
                             " --max-dataset-bytes needs it)")
    limits.add_argument("--token-ttl", type=_positive, default=None, metavar="SECONDS",
                        help="SyncSessionToken lifetime (default: no expiry)")
    parser.add_argument("--credential", type=_credential, action="append", default=[],
                        metavar="ACCESS_KEY:SECRET[:IDENTITY_ID]",
                        help="turn on SigV4 checking with this key (repeatable); with"
                             " IDENTITY_ID the key may act for that identity only")
    parser.add_argument("--threads", type=_positive, default=16, metavar="N",
                        help="worker threads (default 16)")
    parser.add_argument("--choices", choices=("reference", "flipped"), default="reference",
                        help="the behaviour at the MAY points of docs/contract.md: 'reference' (default,"
                             " the README's table) or 'flipped' (the other branch at each)")


def _serve_app(args: argparse.Namespace) -> int:
    """``--app``: the user's WSGI app on the emulator's HTTP server, until SIGINT or SIGTERM."""
    import os

    from cogsync.targets.in_process import load_app

    given = [name for name, default in _EMULATOR_OPTIONS.items() if getattr(args, name, default) != default]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        verb = "configures" if len(given) == 1 else "configure"
        raise UsageError(f"{flags} {verb} the reference emulator, and --app={args.app!r} serves your "
                         "own app: drop one of them.")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # --app myserver:make_app finds myserver.py here
    app = load_app(args.app, "app")
    _serve_until_stopped(app, args)
    return 0


def _serve_until_stopped(app: Any, args: argparse.Namespace) -> None:
    """Serve ``app`` on ``--host``/``--port``, print the ready line, and stop on Ctrl-C or
    SIGTERM; an address that cannot be bound is a usage error."""
    from cogsync.emulator.server import EmulatorServer

    try:
        server = EmulatorServer(app, args.host, args.port, threads=args.threads)
        server.bind()
    except OSError as exc:
        raise UsageError.bad_argument(
            "host/port", f"{args.host}:{args.port}", f"an address this machine can bind ({exc})"
        ) from None
    with stop_requested() as stop:
        try:
            server.start()
            print(f"cogsync emulator listening on {server.url}", flush=True)
            stop.wait()
        finally:
            server.stop()


def run(args: argparse.Namespace) -> int:
    if args.app is not None:
        return _serve_app(args)
    from cogsync.contracts.constraints import Limits
    from cogsync.emulator.auth import Credential, SigV4Verifier
    from cogsync.emulator.backend import CognitoSyncBackend
    from cogsync.emulator.choices import NAMED
    from cogsync.emulator.storage import open_storage
    from cogsync.emulator.wire import CognitoSyncApp

    limits = Limits(args.max_datasets, args.max_records, args.max_dataset_bytes)
    auth = None
    if args.credential:
        auth = SigV4Verifier({key: Credential(secret, identity)
                              for key, secret, identity in args.credential})
    storage = open_storage(args.storage)
    try:
        backend = CognitoSyncBackend(storage, limits=limits, token_ttl=args.token_ttl,
                                     choices=NAMED[args.choices])
        app = CognitoSyncApp(backend, max_body_bytes=args.max_body_bytes, auth=auth)
        _serve_until_stopped(app, args)
    finally:
        storage.close()
    sys.stdout.flush()
    return 0
